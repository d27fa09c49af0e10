// SPDX-License-Identifier: GPL-2.0
/*
 * mempool.ko: fast, safe pools of fixed-size objects for the kernel and, via
 * /dev/mempool, for userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "internal.h"
#include "pool.h"

static int __init mpool_init(void)
{
	int ret;

	mpool_debugfs_init();
	ret = mpool_registry_init();
	if (ret)
		goto err_debugfs;
	ret = mpool_engines_init();
	if (ret)
		goto err_registry;
	ret = mpool_shrinker_init();
	if (ret)
		goto err_engines;
	ret = mpool_chardev_init();
	if (ret)
		goto err_shrinker;
	return 0;

err_shrinker:
	mpool_shrinker_exit();
err_engines:
	mpool_engines_exit();
err_registry:
	mpool_registry_exit();
err_debugfs:
	mpool_debugfs_exit();
	return ret;
}

static void __exit mpool_exit(void)
{
	mpool_chardev_exit();
	mpool_shrinker_exit();
	/* Frees every pool, which needs the engines' hotplug state. */
	mpool_registry_exit();
	mpool_engines_exit();
	mpool_debugfs_exit();
}

module_init(mpool_init);
module_exit(mpool_exit);

MODULE_DESCRIPTION("Fast, safe pools of fixed-size objects for kernel and userspace");
MODULE_AUTHOR("mempool.ko developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MPOOL_VERSION);
