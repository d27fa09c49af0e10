// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: fail the 1st, 2nd, ... allocation mempool.ko makes for a
 * pool (every site asks mpool_should_fail(), which consults the module's
 * own fault_attr), until an operation runs with no failure injected. Each
 * injected failure must come back as a clean -ENOMEM or NULL with nothing
 * left allocated: the pool count says so here, kmemleak after the module
 * unloads.
 *
 * The attr fails the Nth call (interval N, times 1) and only in tasks that
 * have make_it_fail set (task_filter), i.e. this test's own thread; the
 * kernel's other fault attrs (failslab, fail_page_alloc) stay out of it,
 * so the sweep counts mempool.ko's sites and nothing else.
 */
#include <kunit/test.h>
#include <linux/sched.h>

#include "mpool_test.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

/* Sites are few; anything near this means the sweep never ends. */
#define FAULT_MAX_N	200

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
/* Fail the @n-th mempool.ko allocation this task makes from now on. */
static void fault_arm(unsigned int n)
{
	struct fault_attr *attr = &mpool_fault_attr;

	attr->interval = n;
	attr->count = 0;
	attr->task_filter = true;
	atomic_set(&attr->times, 1);
	WRITE_ONCE(attr->probability, 100);
	current->make_it_fail = 1;
}

/* Disarm; true if the failure was injected. */
static bool fault_fired(void)
{
	current->make_it_fail = 0;
	WRITE_ONCE(mpool_fault_attr.probability, 0);
	return !atomic_read(&mpool_fault_attr.times);
}

static struct mpool_params *fault_params(struct kunit *test, const char *tag)
{
	/* Four arenas of eight 4 KiB objects up front. */
	struct mpool_params *p = mpool_test_params(test, tag, PAGE_SIZE, 64, 32);

	p->grow_pct = 100;
	return p;
}

static void faults_create(struct kunit *test)
{
	struct mpool_params *p = fault_params(test, "fault-create");
	unsigned int n, base;
	struct mpool *pool;
	bool fired;

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	for (n = 1; n < FAULT_MAX_N; n++) {
		fault_arm(n);
		pool = mpool_create(p);
		fired = fault_fired();
		if (!fired) {
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
			KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 32U);
			mpool_destroy(pool);
			break;
		}
		KUNIT_EXPECT_EQ(test, PTR_ERR(pool), -ENOMEM);
		if (!IS_ERR(pool))
			mpool_destroy(pool);
		/* Nothing half-built stays behind, and the name is free. */
		mpool_wait_for_frees();
		KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
		KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
	}
	KUNIT_EXPECT_LT(test, n, FAULT_MAX_N);
	/* Pool, arena tables, stats, ref, engine, four arenas at least. */
	KUNIT_EXPECT_GE(test, n, 10U);
	kunit_info(test, "%u allocation sites in mpool_create()\n", n - 1);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
}

static void faults_lookup_or_create(struct kunit *test)
{
	struct mpool_params *p = fault_params(test, "fault-loc");
	unsigned int n, base;
	struct mpool *pool;
	bool fired;

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	for (n = 1; n < FAULT_MAX_N; n++) {
		fault_arm(n);
		pool = mpool_lookup_or_create(p);
		fired = fault_fired();
		if (!fired) {
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
			mpool_unref(pool);
			break;
		}
		KUNIT_EXPECT_EQ(test, PTR_ERR(pool), -ENOMEM);
		if (!IS_ERR(pool))
			mpool_unref(pool);
		mpool_wait_for_frees();
		KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
	}
	KUNIT_EXPECT_LT(test, n, FAULT_MAX_N);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
}

/*
 * A failed grow keeps the arenas it added before the failure; the pool
 * must stay consistent: every object it holds idle and reachable (a drain
 * frees them all) and usable afterwards.
 */
static void faults_grow(struct kunit *test)
{
	struct mpool_params *p = fault_params(test, "fault-grow");
	struct mpool_stats_sum s;
	struct mpool *pool;
	unsigned int n;
	bool fired;
	int err;

	p->init_objs = 0;
	pool = mpool_test_create(test, p);
	for (n = 1; n < FAULT_MAX_N; n++) {
		fault_arm(n);
		err = mpool_grow(pool, 32, GFP_KERNEL);
		fired = fault_fired();
		s = mpool_test_stats(pool);
		KUNIT_EXPECT_EQ(test, s.capacity, s.nr_arenas * 8);
		KUNIT_EXPECT_EQ(test, s.idle, (u64)s.capacity);
		if (!fired) {
			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_EQ(test, s.capacity, 32U);
			break;
		}
		KUNIT_EXPECT_EQ(test, err, -ENOMEM);
		KUNIT_EXPECT_LT(test, s.capacity, 32U);
		mpool_drain(pool);
		KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);
	}
	KUNIT_EXPECT_LT(test, n, FAULT_MAX_N);
	KUNIT_EXPECT_EQ(test, n, 5U);	/* one site per arena */
	mpool_destroy(pool);
}

/* A get on an empty pool grows it; a failed grow is a plain NULL. */
static void faults_alloc_grow(struct kunit *test)
{
	struct mpool_params *p = fault_params(test, "fault-alloc");
	void *objs[9] = {};
	struct mpool *pool;
	unsigned int n;
	bool fired;
	int err;

	p->init_objs = 0;
	pool = mpool_test_create(test, p);
	for (n = 1; n < FAULT_MAX_N; n++) {
		fault_arm(n);
		objs[0] = mpool_alloc(pool, GFP_KERNEL);
		fired = fault_fired();
		if (!fired)
			break;
		KUNIT_EXPECT_NULL(test, objs[0]);
		KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_ASSERT_NOT_NULL(test, objs[0]);

	/* Bulk: all or nothing even when the grow it needs fails. */
	fault_arm(1);
	err = mpool_alloc_bulk(pool, &objs[1], 8, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, fault_fired());
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, mpool_test_stats(pool).idle, 7ULL);
	KUNIT_EXPECT_EQ(test, mpool_alloc_bulk(pool, &objs[1], 8, GFP_KERNEL), 0);
	mpool_free_bulk(pool, objs, 9);
	mpool_destroy(pool);
}
#else
static void faults_skip(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}

#define faults_create		faults_skip
#define faults_lookup_or_create	faults_skip
#define faults_grow		faults_skip
#define faults_alloc_grow	faults_skip
#endif

static struct kunit_case mpool_faults_cases[] = {
	KUNIT_CASE_PARAM(faults_create, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(faults_lookup_or_create, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(faults_grow, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(faults_alloc_grow, mpool_engine_gen_params),
	{}
};

static struct kunit_suite mpool_faults_suite = {
	.name = "mpool_faults",
	.test_cases = mpool_faults_cases,
};

kunit_test_suites(&mpool_faults_suite);
