// SPDX-License-Identifier: GPL-2.0
/*
 * mpool_example.ko: a module that uses mempool.ko's in-kernel API
 * (<linux/mpool.h>), the smallest complete user of it.
 *
 * At load it creates a pool, takes objects one at a time and in bulk,
 * writes to them, gives them back, and checks every result on the way. If
 * all went well it logs one line,
 *
 *   mpool_example: pass: ...
 *
 * and keeps the pool until unload; otherwise the load fails with the
 * error. Load it after mempool.ko (modprobe does that by itself once both
 * are installed: depmod sees that it needs mempool.ko's symbols).
 *
 * Build: see Makefile (against an installed mempool) and Kbuild.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/mpool.h>
#include <linux/numa.h>
#include <linux/string.h>

#define EXAMPLE_OBJ_SIZE	256
#define EXAMPLE_BULK		32

static struct mpool *example_pool;

/* Take @n objects one at a time, fill each with its number, check, free. */
static int example_one_at_a_time(struct mpool *pool, unsigned int n)
{
	void *objs[8];
	unsigned int i;
	int err = 0;

	if (n > ARRAY_SIZE(objs))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		/*
		 * GFP_KERNEL: may sleep, so an empty pool may grow. In atomic
		 * context, GFP_ATOMIC gets NULL at once from an empty pool.
		 */
		objs[i] = mpool_alloc(pool, GFP_KERNEL);
		if (!objs[i]) {
			err = -ENOMEM;
			break;
		}
		memset(objs[i], i, EXAMPLE_OBJ_SIZE);
	}
	/* No object was handed out twice: each still holds its own pattern. */
	for (n = i, i = 0; i < n && !err; i++) {
		if (memchr_inv(objs[i], i, EXAMPLE_OBJ_SIZE))
			err = -EIO;
	}
	/* A put never fails and never sleeps (any context the engine allows). */
	for (i = 0; i < n; i++)
		mpool_free(pool, objs[i]);
	return err;
}

/* All or nothing: EXAMPLE_BULK objects with one call, back with another. */
static int example_bulk(struct mpool *pool)
{
	void *objs[EXAMPLE_BULK];
	int err;

	err = mpool_alloc_bulk(pool, objs, EXAMPLE_BULK, GFP_KERNEL);
	if (err)
		return err;
	memset(objs[0], 0x5a, EXAMPLE_OBJ_SIZE);
	mpool_free_bulk(pool, objs, EXAMPLE_BULK);
	return 0;
}

static int __init mpool_example_init(void)
{
	struct mpool_params params = {
		.name = "mpool_example",	/* unique among all pools */
		.engine = MPOOL_ENGINE_PERCPU,
		.obj_size = EXAMPLE_OBJ_SIZE,
		.init_objs = 64,		/* allocated now */
		.max_objs = 1024,		/* grown on demand up to this */
		.node = NUMA_NO_NODE,
	};
	struct mpool *pool, *found;
	int err;

	pool = mpool_create(&params);
	if (IS_ERR(pool)) {
		pr_err("mpool_create: %pe\n", pool);
		return PTR_ERR(pool);
	}

	err = example_one_at_a_time(pool, 8);
	if (err) {
		pr_err("one at a time: %d\n", err);
		goto fail;
	}
	err = example_bulk(pool);
	if (err) {
		pr_err("bulk: %d\n", err);
		goto fail;
	}
	/*
	 * The pool is registered by name: another module may find it. A
	 * lookup takes a reference, which its caller drops.
	 */
	found = mpool_lookup("mpool_example");
	if (found)
		mpool_unref(found);
	if (found != pool) {
		pr_err("mpool_lookup did not find the pool\n");
		err = -ENOENT;
		goto fail;
	}
	if (mpool_capacity(pool) < params.init_objs) {
		pr_err("capacity %u below init_objs\n", mpool_capacity(pool));
		err = -EIO;
		goto fail;
	}

	example_pool = pool;
	pr_info("pass: pool %s, %zu-byte objects, capacity %u: got and put 8 one at a time and %u in bulk\n",
		mpool_name(pool), mpool_obj_size(pool), mpool_capacity(pool), EXAMPLE_BULK);
	return 0;

fail:
	mpool_destroy(pool);
	return err;
}

static void __exit mpool_example_exit(void)
{
	/*
	 * Unnames the pool and drops our reference; the memory goes once the
	 * last object is back (all are, here).
	 */
	mpool_destroy(example_pool);
	pr_info("unloaded\n");
}

module_init(mpool_example_init);
module_exit(mpool_example_exit);

MODULE_DESCRIPTION("Example user of mempool.ko's in-kernel API");
MODULE_LICENSE("GPL");
