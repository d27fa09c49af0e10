/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the parts of mempool.ko; not for other modules
 * (they include <linux/mpool.h>).
 */
#ifndef _MPOOL_INTERNAL_H
#define _MPOOL_INTERNAL_H

#include <linux/dcache.h>

int mpool_chardev_init(void);
void mpool_chardev_exit(void);

extern struct dentry *mpool_debugfs_root;
void mpool_debugfs_init(void);
void mpool_debugfs_exit(void);

#endif /* _MPOOL_INTERNAL_H */
