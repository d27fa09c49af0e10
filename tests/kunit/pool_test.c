// SPDX-License-Identifier: GPL-2.0
/*
 * One pool at a time, every engine: boundaries, bulk, hooks, grow, shrink,
 * drain, destroy with objects out, page-aligned pools, the shrinker and CPU
 * hotplug.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "mpool_test.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

/* Take every object a pool can give, checking each is new and whole. */
static unsigned int take_all(struct kunit *test, struct mpool *pool,
			     void **objs, unsigned int max, gfp_t gfp)
{
	unsigned long *seen = kunit_kcalloc(test, BITS_TO_LONGS(max),
					    sizeof(long), GFP_KERNEL);
	unsigned int n;
	u32 idx;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (n = 0; n < max; n++) {
		objs[n] = mpool_alloc(pool, gfp);
		if (!objs[n])
			break;
		KUNIT_ASSERT_EQ(test, mpool_obj_to_idx(pool, objs[n], &idx), 0);
		KUNIT_ASSERT_LT(test, idx, max);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(idx, seen));
		/* KASAN checks that all of it is ours. */
		memset(objs[n], 0x5a, mpool_obj_size(pool));
	}
	return n;
}

static void free_all(struct mpool *pool, void **objs, unsigned int n)
{
	while (n--)
		mpool_free(pool, objs[n]);
}

static void pool_empty_full(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "full", 1000, 200, 0);
	struct mpool_stats_sum s;
	struct mpool *pool;
	void **objs;

	objs = kunit_kcalloc(test, 201, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pool = mpool_test_create(test, p);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);

	/* Empty, and not allowed to grow. */
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_ATOMIC));
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.miss, 1ULL);
	KUNIT_EXPECT_EQ(test, s.capacity, 0U);

	/* Grows on demand up to max_objs, every object distinct. */
	KUNIT_EXPECT_EQ(test, take_all(test, pool, objs, 201, GFP_KERNEL), 200U);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 200U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)PTR_ALIGN(objs[7], SMP_CACHE_BYTES), objs[7]);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.miss, 2ULL);
	KUNIT_EXPECT_EQ(test, s.alloc, 200ULL);
	KUNIT_EXPECT_EQ(test, s.idle, 0ULL);

	free_all(pool, objs, 200);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.free, 200ULL);
	KUNIT_EXPECT_EQ(test, s.idle, 200ULL);

	/* And all of them come back out. */
	KUNIT_EXPECT_EQ(test, take_all(test, pool, objs, 201, GFP_KERNEL), 200U);
	free_all(pool, objs, 200);
	mpool_destroy(pool);
}

static void pool_bulk_all_or_nothing(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "bulk", 256, 64, 64);
	struct mpool_stats_sum s;
	struct mpool *pool;
	unsigned int i;
	void **objs;
	u32 idx;

	objs = kunit_kcalloc(test, 65, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pool = mpool_test_create(test, p);
	KUNIT_EXPECT_EQ(test, mpool_alloc_bulk(pool, objs, 0, GFP_ATOMIC), 0);

	/* One more than exists: nothing taken, nothing left in objs[]. */
	KUNIT_EXPECT_EQ(test, mpool_alloc_bulk(pool, objs, 65, GFP_KERNEL), -ENOMEM);
	for (i = 0; i < 65; i++)
		KUNIT_EXPECT_NULL(test, objs[i]);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.alloc, 0ULL);
	KUNIT_EXPECT_EQ(test, s.idle, 64ULL);
	KUNIT_EXPECT_EQ(test, s.miss, 1ULL);

	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 64, GFP_KERNEL), 0);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(pool, objs[i], &idx), 0);
	KUNIT_EXPECT_EQ(test, mpool_alloc_bulk(pool, &objs[64], 1, GFP_KERNEL), -ENOMEM);
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_KERNEL));

	objs[64] = NULL;
	mpool_free_bulk(pool, objs, 65);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.alloc, 64ULL);
	KUNIT_EXPECT_EQ(test, s.free, 64ULL);
	KUNIT_EXPECT_EQ(test, s.idle, 64ULL);
	KUNIT_EXPECT_EQ(test, s.capacity, 64U);

	/* Bulk of everything again: the frees put every object back. */
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 64, GFP_KERNEL), 0);
	mpool_free_bulk(pool, objs, 64);
	mpool_destroy(pool);
}

struct hook_counts {
	atomic_t ctor, reset, validate;
};

#define BAD_MARK	0xee

static void hook_ctor(void *obj, void *priv)
{
	struct hook_counts *c = priv;

	atomic_inc(&c->ctor);
	*(u8 *)obj = 0xab;
}

static void hook_reset(void *obj, void *priv)
{
	struct hook_counts *c = priv;

	atomic_inc(&c->reset);
}

static bool hook_validate(void *obj, void *priv)
{
	struct hook_counts *c = priv;

	atomic_inc(&c->validate);
	return *(u8 *)obj != BAD_MARK;
}

static void pool_hooks(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "hooks", 128, 64, 1);
	struct hook_counts *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct mpool_stats_sum s;
	struct mpool *pool;
	void *a, *b, **objs;
	unsigned int i, n;

	objs = kunit_kcalloc(test, 64, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	p->ctor = hook_ctor;
	p->reset = hook_reset;
	p->validate = hook_validate;
	p->priv = c;
	pool = mpool_test_create(test, p);

	/* The ctor ran once per object created, before any get. */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ctor), (int)mpool_capacity(pool));
	a = mpool_alloc(pool, GFP_KERNEL);
	b = mpool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, *(u8 *)a, 0xab);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->validate), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->reset), 0);

	/* validate then reset on every put... */
	mpool_free(pool, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->validate), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->reset), 1);

	/* ...and an object validate refuses is quarantined, not reset. */
	*(u8 *)b = BAD_MARK;
	mpool_free(pool, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->validate), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->reset), 1);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.quarantined, 1ULL);

	/* It never comes back: the pool is one short of max_objs for good. */
	n = take_all(test, pool, objs, 64, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, n, 63U);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_NE(test, objs[i], b);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ctor), 64);
	free_all(pool, objs, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->validate), 2 + (int)n);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->reset), 1 + (int)n);

	/* Its arena cannot be freed either. */
	mpool_drain(pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 64U);
	mpool_destroy(pool);
}

static void pool_zero(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "zero", 100, 16, 16);
	struct mpool *pool;
	void *objs[4];
	int i;

	p->flags = MPOOL_F_ZERO;
	p->ctor = hook_ctor;
	p->priv = kunit_kzalloc(test, sizeof(struct hook_counts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->priv);
	pool = mpool_test_create(test, p);
	for (i = 0; i < 2; i++) {
		objs[i] = mpool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(objs[i], 0, 100));
		memset(objs[i], 0xff, 100);
	}
	mpool_free_bulk(pool, objs, 2);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 4, GFP_KERNEL), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, !memchr_inv(objs[i], 0, 100));
	mpool_free_bulk(pool, objs, 4);
	mpool_destroy(pool);
}

static void pool_grow_to_max(struct kunit *test)
{
	/* 4 KiB objects: 8 per arena, 7 arena slots, the last one short. */
	struct mpool_params *p = mpool_test_params(test, "grow", PAGE_SIZE, 50, 1);
	struct mpool_stats_sum s;
	struct mpool *pool;
	void **objs;

	objs = kunit_kcalloc(test, 51, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	p->grow_pct = 50;
	pool = mpool_test_create(test, p);
	s = mpool_test_stats(pool);
	KUNIT_ASSERT_EQ(test, s.arena_objs, 8U);
	KUNIT_EXPECT_EQ(test, s.capacity, 8U);
	KUNIT_EXPECT_EQ(test, s.nr_arenas, 1U);

	KUNIT_EXPECT_EQ(test, mpool_grow(pool, 0, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, mpool_grow(pool, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 16U);
	KUNIT_EXPECT_EQ(test, mpool_grow(pool, 1000, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 50U);
	KUNIT_EXPECT_EQ(test, mpool_grow(pool, 1, GFP_KERNEL), -ENOSPC);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.nr_arenas, 7U);
	KUNIT_EXPECT_EQ(test, s.grow, 7ULL);

	KUNIT_EXPECT_EQ(test, take_all(test, pool, objs, 51, GFP_KERNEL), 50U);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 50U);
	free_all(pool, objs, 50);

	/* On-demand growth: one arena at a time here (50% of 8 < 8). */
	mpool_drain(pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);
	objs[0] = mpool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs[0]);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 8U);
	mpool_free(pool, objs[0]);
	mpool_destroy(pool);
}

static void pool_shrink_returns_arenas(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "shrink", PAGE_SIZE, 64, 64);
	struct mpool_stats_sum s;
	struct mpool *pool;
	unsigned long freed;
	void **objs, *keep;

	objs = kunit_kcalloc(test, 64, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pool = mpool_test_create(test, p);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 64U);
	keep = mpool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keep);

	/* A partial shrink frees whole arenas, and only idle ones. */
	freed = mpool_shrink(pool, 1);
	KUNIT_EXPECT_EQ(test, freed % 8, 0UL);
	if (mpool_test_engine(test) != MPOOL_ENGINE_PERCPU)
		KUNIT_EXPECT_EQ(test, freed, 8UL);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 64U - freed);

	/* Drain leaves exactly the arena of the object still out. */
	mpool_drain(pool);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.capacity, 8U);
	KUNIT_EXPECT_EQ(test, s.nr_arenas, 1U);
	KUNIT_EXPECT_EQ(test, s.shrink, 7ULL);
	KUNIT_EXPECT_EQ(test, s.shrunk_objs, 56ULL);
	KUNIT_EXPECT_EQ(test, s.idle, 7ULL);

	/* The freed slots are refilled by later grows. */
	KUNIT_EXPECT_EQ(test, take_all(test, pool, objs, 64, GFP_KERNEL), 63U);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 64U);
	free_all(pool, objs, 63);
	mpool_free(pool, keep);
	mpool_drain(pool);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.capacity, 0U);
	KUNIT_EXPECT_EQ(test, s.nr_arenas, 0U);
	mpool_destroy(pool);
}

struct remote_work {
	struct mpool *pool;
	unsigned int n;
	bool ok;
	struct completion done;
};

/* Leave objects in another CPU's cache: take some, give them back. */
static int remote_alloc_free(void *arg)
{
	struct remote_work *w = arg;
	void *objs[40];

	w->ok = !mpool_alloc_bulk(w->pool, objs, w->n, GFP_KERNEL);
	if (w->ok)
		mpool_free_bulk(w->pool, objs, w->n);
	kthread_complete_and_exit(&w->done, 0);
	return 0;
}

static bool run_on_cpu(struct remote_work *w, unsigned int cpu)
{
	struct task_struct *t;

	init_completion(&w->done);
	t = kthread_run_on_cpu(remote_alloc_free, w, cpu, "mpool-test/%u");
	if (IS_ERR(t))
		return false;
	wait_for_completion(&w->done);
	return w->ok;
}

static void pool_drain(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "drain", 64, 512, 0);
	struct remote_work w = { .n = 40 };
	unsigned int cpu, nr = 0;
	struct mpool_stats_sum s;

	w.pool = mpool_test_create(test, p);
	/* Objects cached on every online CPU, then one drain from here. */
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_TRUE(test, run_on_cpu(&w, cpu));
		nr++;
	}
	s = mpool_test_stats(w.pool);
	KUNIT_EXPECT_EQ(test, s.alloc, 40ULL * nr);
	KUNIT_EXPECT_EQ(test, s.idle, (u64)s.capacity);
	KUNIT_EXPECT_GT(test, s.capacity, 0U);
	mpool_drain(w.pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(w.pool), 0U);

	/* Still usable afterwards. */
	KUNIT_EXPECT_TRUE(test, run_on_cpu(&w, raw_smp_processor_id()));
	mpool_drain(w.pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(w.pool), 0U);
	mpool_destroy(w.pool);
}

static void pool_destroy_with_objects_out(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "dtor", 512, 32, 8);
	unsigned int base;
	struct mpool *pool, *again;
	void *objs[4];

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 4, GFP_KERNEL), 0);
	mpool_destroy(pool);
	/*
	 * Freed before the grace period that folds the per-CPU counts: it is
	 * counted off the biased atomic count, and must not free the pool.
	 */
	mpool_free(pool, objs[3]);

	/* The name is free at once... */
	KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
	again = mpool_test_create(test, p);
	KUNIT_EXPECT_PTR_NE(test, again, pool);
	mpool_destroy(again);
	mpool_wait_for_frees();
	/* ...but the pool lives on while its objects are out. */
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base + 1);
	KUNIT_EXPECT_GT(test, mpool_capacity(pool), 0U);
	/* No new objects from a pool nobody holds. */
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_KERNEL));

	mpool_free(pool, objs[0]);
	mpool_free(pool, objs[1]);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base + 1);
	memset(objs[2], 0, 512);	/* KASAN: still ours */

	mpool_free(pool, objs[2]);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
}

static void pool_page_aligned(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "pages", 3 * PAGE_SIZE, 10, 10);
	struct mpool *pool, *plain;
	struct page *page;
	unsigned int i, pg;
	void *objs[10];
	u32 idx;

	p->flags = MPOOL_F_PAGE_ALIGNED;
	pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 10, GFP_KERNEL), 0);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(objs[i]));
		KUNIT_ASSERT_EQ(test, mpool_obj_to_idx(pool, objs[i], &idx), 0);
		for (pg = 0; pg < 3; pg++) {
			page = mpool_idx_to_page(pool, idx, pg);
			KUNIT_EXPECT_PTR_EQ(test, page,
					    virt_to_page(objs[i] + pg * PAGE_SIZE));
			/* Independent order-0 pages, ready for vm_insert_page(). */
			KUNIT_EXPECT_FALSE(test, PageCompound(page));
			KUNIT_EXPECT_EQ(test, page_count(page), 1);
		}
		KUNIT_EXPECT_NULL(test, mpool_idx_to_page(pool, idx, 3));
	}
	mpool_free_bulk(pool, objs, 10);

	p = mpool_test_params(test, "unaligned", 100, 10, 1);
	plain = mpool_test_create(test, p);
	objs[0] = mpool_alloc(plain, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs[0]);
	KUNIT_ASSERT_EQ(test, mpool_obj_to_idx(plain, objs[0], &idx), 0);
	KUNIT_EXPECT_NULL(test, mpool_idx_to_page(plain, idx, 0));

	/* Stray pointers are refused, not trusted. */
	KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(plain, objs[0] + 1, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(pool, objs[0], &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(plain, p, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(plain, &idx, &idx), -EINVAL);
	mpool_free(plain, objs[0]);
	mpool_destroy(plain);
	mpool_destroy(pool);
}

/*
 * What mpool_free() must refuse, in both forms of its ownership check
 * (a stride that is a power of two, and one that is not): a pointer into
 * the middle of an object, another pool's object, a slab object, a stack
 * address, an object-aligned address past max_objs in the short last
 * arena, and, on CONFIG_DEBUG_VM kernels, an object freed twice. Each is
 * counted and leaves the pool as it was.
 */
/*
 * MPOOL_F_HUGE: each object one compound page, its head first, which a PMD
 * can map; only an object's start is one of the pool's objects.
 */
static void pool_huge(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "huge", PMD_SIZE, 2, 2);
	struct mpool *pool;
	struct page *page;
	void *objs[2];
	unsigned int i;
	u32 idx;

	p->flags = MPOOL_F_PAGE_ALIGNED | MPOOL_F_HUGE;
	pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, objs, 2, GFP_KERNEL), 0);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)objs[i], PMD_SIZE));
		KUNIT_ASSERT_EQ(test, mpool_obj_to_idx(pool, objs[i], &idx), 0);
		page = mpool_idx_to_page(pool, idx, 0);
		KUNIT_EXPECT_TRUE(test, PageHead(page));
		KUNIT_EXPECT_EQ(test, compound_order(page), get_order(PMD_SIZE));
		KUNIT_EXPECT_EQ(test, page_count(page), 1);
		page = mpool_idx_to_page(pool, idx, (PMD_SIZE >> PAGE_SHIFT) - 1);
		KUNIT_EXPECT_PTR_EQ(test, compound_head(page), virt_to_page(objs[i]));
		KUNIT_EXPECT_EQ(test, mpool_obj_to_idx(pool, objs[i] + PAGE_SIZE, &idx),
				-EINVAL);
	}
	mpool_free_bulk(pool, objs, 2);
}

static void pool_refuses_bad_free(struct kunit *test)
{
	static const size_t aligns[] = { 0, 4 };	/* stride 128, stride 100 */
	struct mpool_params *p;
	struct mpool *pool, *other;
	struct mpool_stats_sum s;
	void *a, *b, *c, *slab;
	size_t i, stride;
	u64 bad = 0;
	u32 idx;

	p = mpool_test_params(test, "other", 100, 4, 4);
	other = mpool_test_create(test, p);
	b = mpool_alloc(other, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	slab = kunit_kmalloc(test, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slab);

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		/* 10 of an arena's 16 objects: the last arena is short. */
		p = mpool_test_params(test, aligns[i] ? "badfree4" : "badfree",
				      100, 10, 10);
		p->align = aligns[i];
		pool = mpool_test_create(test, p);
		a = mpool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, a);
		KUNIT_ASSERT_EQ(test, mpool_obj_to_idx(pool, a, &idx), 0);
		stride = aligns[i] ? 100 : 128;

		mpool_free(pool, a + 1);
		mpool_free(pool, a + 4);
		mpool_free(pool, b);
		mpool_free(pool, slab);
		mpool_free(pool, &bad);
		/* Object 12 of the arena: inside its page, but no object. */
		mpool_free(pool, a - idx * stride + 12 * stride);
		bad = 6;
		s = mpool_test_stats(pool);
		KUNIT_EXPECT_EQ(test, s.bad_frees, bad);
		KUNIT_EXPECT_EQ(test, s.in_use, 1ULL);
		KUNIT_EXPECT_EQ(test, s.put, 0ULL);

		mpool_free(pool, a);
		if (IS_ENABLED(CONFIG_DEBUG_VM)) {
			mpool_free(pool, a);
			bad++;
		}
		s = mpool_test_stats(pool);
		KUNIT_EXPECT_EQ(test, s.bad_frees, bad);
		KUNIT_EXPECT_EQ(test, s.in_use, 0ULL);
		KUNIT_EXPECT_EQ(test, s.put, 1ULL);
		/* Had the second free gone through, @a would come out twice. */
		a = mpool_alloc(pool, GFP_KERNEL);
		c = mpool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, a);
		KUNIT_ASSERT_NOT_NULL(test, c);
		KUNIT_EXPECT_PTR_NE(test, a, c);
		mpool_free(pool, a);
		mpool_free(pool, c);
		mpool_destroy(pool);
	}
	mpool_free(other, b);
	mpool_destroy(other);
}

static void pool_bad_params(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "bad", 64, 16, 0);
	struct mpool_params b;

#define EXPECT_EINVAL(field, val) do {					\
		b = *p;							\
		b.field = val;						\
		KUNIT_EXPECT_EQ(test, mpool_test_create_err(&b), -EINVAL); \
	} while (0)

	EXPECT_EINVAL(name, NULL);
	EXPECT_EINVAL(name, "");
	EXPECT_EINVAL(name, "has/slash");
	EXPECT_EINVAL(name, "has space");
	EXPECT_EINVAL(name, "0123456789012345678901234567890123");
	EXPECT_EINVAL(engine, MPOOL_NR_ENGINES);
	EXPECT_EINVAL(obj_size, 0);
	EXPECT_EINVAL(obj_size, SIZE_MAX);
	EXPECT_EINVAL(max_objs, 0);
	EXPECT_EINVAL(max_objs, MPOOL_MAX_OBJS + 1);
	EXPECT_EINVAL(init_objs, 17);
	EXPECT_EINVAL(flags, 0x80);
	EXPECT_EINVAL(flags, MPOOL_F_PAGE_ALIGNED);
	EXPECT_EINVAL(flags, MPOOL_F_HUGE);
	EXPECT_EINVAL(flags, MPOOL_F_PAGE_ALIGNED | MPOOL_F_HUGE);
	EXPECT_EINVAL(align, 3);
	EXPECT_EINVAL(align, 2 * PAGE_SIZE);
	EXPECT_EINVAL(node, MAX_NUMNODES);
#undef EXPECT_EINVAL
	KUNIT_EXPECT_EQ(test, mpool_test_create_err(NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
}

static void pool_shrinker(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "shrinker", PAGE_SIZE, 64, 8);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long before, after;
	struct mpool *pool;

	/*
	 * The pools of earlier cases are freed by a work item that takes the
	 * registry lock, which makes a scan give up (SHRINK_STOP): let them go
	 * first.
	 */
	mpool_wait_for_frees();
	pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_grow(pool, 64, GFP_KERNEL), 0);
	/* Only idle objects the shrinker can reach count. */
	if (pool->ops->flush)
		pool->ops->flush(pool);
	before = mpool_shrinker_count(NULL, &sc);
	KUNIT_EXPECT_GE(test, before, 56UL);

	/* Busy pools are skipped, never waited for. */
	mutex_lock(&pool->lock);
	sc.nr_to_scan = 64;
	mpool_shrinker_scan(NULL, &sc);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 64U);
	mutex_unlock(&pool->lock);

	/* Down to the prefill, never below. */
	KUNIT_EXPECT_GE(test, mpool_shrinker_scan(NULL, &sc), 56UL);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 8U);
	after = mpool_shrinker_count(NULL, &sc);
	KUNIT_EXPECT_LE(test, after + 56, before);
	mpool_shrinker_scan(NULL, &sc);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 8U);
	mpool_destroy(pool);
}

/*
 * With small objects the shrinker counts pages of whole arenas, not
 * objects, and frees about what it is asked for, not every idle arena.
 */
static void pool_shrinker_pages(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "shrinkpg", 256, 1024, 128);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned int per, pages;
	struct mpool *pool;

	/* The shrinker sees every pool: earlier cases' dying ones must go. */
	mpool_wait_for_frees();
	pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_grow(pool, 1024, GFP_KERNEL), 0);
	if (pool->ops->flush)
		pool->ops->flush(pool);
	per = mpool_arena_mask(pool) + 1;
	pages = pool->arena_pages;
	KUNIT_ASSERT_GT(test, per, 1U);

	/* Every arena above the prefill, in pages: never the 896 objects. */
	KUNIT_EXPECT_EQ(test, mpool_shrinker_count(NULL, &sc),
			(unsigned long)(1024 - 128) / per * pages);

	/* Two arenas' pages free two arenas, one and a page free two. */
	sc.nr_to_scan = 2 * pages;
	KUNIT_EXPECT_EQ(test, mpool_shrinker_scan(NULL, &sc), 2UL * pages);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 1024 - 2 * per);
	sc.nr_to_scan = pages + 1;
	KUNIT_EXPECT_EQ(test, mpool_shrinker_scan(NULL, &sc), 2UL * pages);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 1024 - 4 * per);

	/* Asked for everything: down to the prefill. */
	sc.nr_to_scan = ULONG_MAX;
	KUNIT_EXPECT_EQ(test, mpool_shrinker_scan(NULL, &sc),
			(unsigned long)(1024 - 4 * per - 128) / per * pages);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 128U);
	mpool_destroy(pool);
}

/* A dead CPU's cached objects go to the depot, where a shrink finds them. */
static void pool_percpu_cpu_dead(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "hotplug", 64, 512, 0);
	struct remote_work w = { .n = 40 };
	unsigned int cpu;
	int err;

	if (mpool_test_engine(test) != MPOOL_ENGINE_PERCPU)
		kunit_skip(test, "only the percpu engine caches per CPU");
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	cpu = cpumask_last(cpu_online_mask);

	w.pool = mpool_test_create(test, p);
	KUNIT_ASSERT_TRUE(test, run_on_cpu(&w, cpu));
	/* Everything the grow made is idle: some in @cpu's cache. */
	KUNIT_EXPECT_EQ(test, mpool_capacity(w.pool), 512U);
	err = remove_cpu(cpu);
	if (err)
		kunit_skip(test, "cannot offline CPU %u: %d", cpu, err);
	KUNIT_EXPECT_EQ(test, mpool_shrink(w.pool, ULONG_MAX), 512UL);
	KUNIT_EXPECT_EQ(test, mpool_capacity(w.pool), 0U);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, run_on_cpu(&w, cpu));
	mpool_destroy(w.pool);
}

static struct kunit_case mpool_pool_cases[] = {
	KUNIT_CASE_PARAM(pool_empty_full, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_bulk_all_or_nothing, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_hooks, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_zero, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_grow_to_max, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_shrink_returns_arenas, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_drain, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_destroy_with_objects_out, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_page_aligned, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_shrinker, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_shrinker_pages, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_percpu_cpu_dead, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_refuses_bad_free, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(pool_huge, mpool_engine_gen_params),
	KUNIT_CASE(pool_bad_params),
	{}
};

static struct kunit_suite mpool_pool_suite = {
	.name = "mpool_pool",
	.test_cases = mpool_pool_cases,
};

kunit_test_suites(&mpool_pool_suite);
