// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mempool/: read-only statistics for operators.
 *
 * debugfs failures are deliberately not fatal (see debugfs_create_dir()):
 * the pools work without their statistics files.
 */
#include <linux/debugfs.h>

#include "internal.h"

struct dentry *mpool_debugfs_root;

void mpool_debugfs_init(void)
{
	mpool_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

void mpool_debugfs_exit(void)
{
	debugfs_remove(mpool_debugfs_root);
	mpool_debugfs_root = NULL;
}
