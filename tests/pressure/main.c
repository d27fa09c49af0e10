// SPDX-License-Identifier: GPL-2.0
/*
 * mempool_pressure.ko: kernel pools for the memory-pressure step of the VM
 * tests (tests/vm/guest-pressure.sh), which has the shrinker take them down.
 *
 * At load, each pool is created with a small prefill (init_objs) and grown,
 * by taking every object it may hold (max_objs), to many arenas. One object
 * in every @hold_every stays held, filled with a pattern of its own; the
 * rest go back and sit idle, for the shrinker. Pools hand objects out
 * roughly arena by arena, so the held ones pin a few arenas, which must
 * survive any shrink with their contents, and leave most arenas wholly idle,
 * which the shrinker may free.
 *
 * Each read of debugfs mempool_pressure/check checks every held object's
 * pattern and each pool's capacity against what the shrinker promises: never
 * below the prefill, and never the memory of an object in use. One line per
 * pool, then a verdict:
 *
 *   POOL held H bad B capacity C init_objs I ok|FAIL
 *   pass|fail
 *
 * Unload checks once more and logs the verdict.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mpool.h>
#include <linux/numa.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

static unsigned int pool_mib = 12;
module_param(pool_mib, uint, 0444);
MODULE_PARM_DESC(pool_mib, "Memory each pool grows to, in MiB (default 12)");

static unsigned int hold_every = 512;
module_param(hold_every, uint, 0444);
MODULE_PARM_DESC(hold_every, "Hold one object in this many, in the order handed out (default 512)");

/* Objects taken per mpool_alloc_bulk() call while growing. */
#define MPOOL_PRESSURE_BATCH	256

struct mpool_pressure_pool {
	const char *name;
	enum mpool_engine engine;
	size_t obj_size;
	unsigned int init_objs;
	struct mpool *pool;
	void **held;
	unsigned int nr_held;
};

/*
 * One pool per engine, each with its own object size so that arenas hold
 * different numbers of objects (a 32 KiB arena: 128, 32, 64).
 */
static struct mpool_pressure_pool mpool_pressure_pools[] = {
	{ .name = "pressure-percpu", .engine = MPOOL_ENGINE_PERCPU,
	  .obj_size = 256, .init_objs = 256 },
	{ .name = "pressure-ring", .engine = MPOOL_ENGINE_RING,
	  .obj_size = 1024, .init_objs = 64 },
	{ .name = "pressure-lockfree", .engine = MPOOL_ENGINE_LOCKFREE,
	  .obj_size = 512, .init_objs = 128 },
};

static struct dentry *mpool_pressure_dir;

/* Word @w of held object @i of pool @p: no two words anywhere alike. */
static u64 mpool_pressure_word(unsigned int p, unsigned int i, size_t w)
{
	return ((u64)(p + 1) << 56 | (u64)i << 24 | w) * GOLDEN_RATIO_64;
}

static void mpool_pressure_fill(unsigned int p, unsigned int i, u64 *obj,
				size_t size)
{
	size_t w;

	for (w = 0; w < size / sizeof(u64); w++)
		obj[w] = mpool_pressure_word(p, i, w);
}

static bool mpool_pressure_intact(unsigned int p, unsigned int i,
				  const u64 *obj, size_t size)
{
	size_t w;

	for (w = 0; w < size / sizeof(u64); w++) {
		if (obj[w] != mpool_pressure_word(p, i, w))
			return false;
	}
	return true;
}

/* Held objects of pool @p that lost their pattern. */
static unsigned int mpool_pressure_bad(unsigned int p)
{
	const struct mpool_pressure_pool *pp = &mpool_pressure_pools[p];
	unsigned int i, bad = 0;

	for (i = 0; i < pp->nr_held; i++)
		bad += !mpool_pressure_intact(p, i, pp->held[i], pp->obj_size);
	return bad;
}

/*
 * Check every pool; print one line per pool to @m if given. The capacity is
 * read after the patterns, so a shrink that freed a held object's arena
 * and went below what is held shows in one or the other.
 */
static bool mpool_pressure_check(struct seq_file *m)
{
	unsigned int p, bad, cap;
	bool pass = true, ok;

	for (p = 0; p < ARRAY_SIZE(mpool_pressure_pools); p++) {
		const struct mpool_pressure_pool *pp = &mpool_pressure_pools[p];

		bad = mpool_pressure_bad(p);
		cap = mpool_capacity(pp->pool);
		ok = !bad && cap >= pp->init_objs && cap >= pp->nr_held;
		pass &= ok;
		if (m)
			seq_printf(m, "%s held %u bad %u capacity %u init_objs %u %s\n",
				   pp->name, pp->nr_held, bad, cap, pp->init_objs,
				   ok ? "ok" : "FAIL");
		else if (!ok)
			pr_err("%s: %u of %u held objects lost their pattern; capacity %u, init_objs %u\n",
			       pp->name, bad, pp->nr_held, cap, pp->init_objs);
	}
	return pass;
}

static int mpool_pressure_check_show(struct seq_file *m, void *v)
{
	seq_puts(m, mpool_pressure_check(m) ? "pass\n" : "fail\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mpool_pressure_check);

static void mpool_pressure_release(struct mpool_pressure_pool *pp)
{
	if (pp->held)
		mpool_free_bulk(pp->pool, pp->held, pp->nr_held);
	kvfree(pp->held);
	pp->held = NULL;
	pp->nr_held = 0;
	mpool_destroy(pp->pool);
	pp->pool = NULL;
}

/*
 * Grow pool @p to pool_mib MiB by taking all of it, keep one object in
 * hold_every with its pattern, and give the rest back.
 */
static int mpool_pressure_setup(unsigned int p)
{
	struct mpool_pressure_pool *pp = &mpool_pressure_pools[p];
	struct mpool_params params = {
		.name = pp->name,
		.engine = pp->engine,
		.obj_size = pp->obj_size,
		.init_objs = pp->init_objs,
		.max_objs = ((size_t)pool_mib << 20) / pp->obj_size,
		.node = NUMA_NO_NODE,
	};
	unsigned int nr = params.max_objs, i, n;
	void **objs;
	int err;

	objs = kvcalloc(nr, sizeof(*objs), GFP_KERNEL);
	pp->held = kvcalloc(DIV_ROUND_UP(nr, hold_every), sizeof(*pp->held),
			    GFP_KERNEL);
	pp->pool = mpool_create(&params);
	if (IS_ERR(pp->pool)) {
		err = PTR_ERR(pp->pool);
		pp->pool = NULL;
		goto out;
	}
	err = -ENOMEM;
	if (!objs || !pp->held)
		goto out;

	/* An empty pool grows on a get that may block, doubling each time. */
	for (i = 0; i < nr; i += n) {
		n = min_t(unsigned int, nr - i, MPOOL_PRESSURE_BATCH);
		err = mpool_alloc_bulk(pp->pool, objs + i, n,
				       GFP_KERNEL | __GFP_NOWARN);
		if (err) {
			pr_err("%s: cannot grow past %u objects: %d\n",
			       pp->name, mpool_capacity(pp->pool), err);
			mpool_free_bulk(pp->pool, objs, i);
			goto out;
		}
	}
	for (i = 0; i < nr; i += hold_every) {
		pp->held[pp->nr_held] = objs[i];
		mpool_pressure_fill(p, pp->nr_held, objs[i], pp->obj_size);
		pp->nr_held++;
		objs[i] = NULL;
	}
	/* NULL entries, the held ones, are skipped. */
	mpool_free_bulk(pp->pool, objs, nr);
	pr_info("%s: %u objects of %zu bytes, %u held, init_objs %u\n", pp->name,
		mpool_capacity(pp->pool), pp->obj_size, pp->nr_held, pp->init_objs);
	err = 0;
out:
	kvfree(objs);
	if (err && pp->pool)
		mpool_pressure_release(pp);
	if (err && !pp->pool) {
		kvfree(pp->held);
		pp->held = NULL;
	}
	return err;
}

static int __init mpool_pressure_init(void)
{
	unsigned int p;
	int err;

	if (!pool_mib || !hold_every)
		return -EINVAL;
	for (p = 0; p < ARRAY_SIZE(mpool_pressure_pools); p++) {
		err = mpool_pressure_setup(p);
		if (err)
			goto fail;
	}
	/* Not fatal, as debugfs never is: the unload check still runs. */
	mpool_pressure_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("check", 0444, mpool_pressure_dir, NULL,
			    &mpool_pressure_check_fops);
	return 0;
fail:
	while (p--)
		mpool_pressure_release(&mpool_pressure_pools[p]);
	return err;
}

static void __exit mpool_pressure_exit(void)
{
	unsigned int p;

	/* Waits for readers of the check file. */
	debugfs_remove(mpool_pressure_dir);
	if (mpool_pressure_check(NULL))
		pr_info("unload check: every held object intact, every capacity kept\n");
	else
		pr_err("unload check: FAILED\n");
	for (p = 0; p < ARRAY_SIZE(mpool_pressure_pools); p++)
		mpool_pressure_release(&mpool_pressure_pools[p]);
}

module_init(mpool_pressure_init);
module_exit(mpool_pressure_exit);
MODULE_DESCRIPTION("mempool.ko pools for the VM memory-pressure test");
MODULE_LICENSE("GPL");
