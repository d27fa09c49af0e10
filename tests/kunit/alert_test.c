// SPDX-License-Identifier: GPL-2.0
/*
 * Rate thresholds (kmod/alert.c), every engine: a pool that only hits does
 * not fire; misses fire each threshold exactly once per crossing, not
 * again while the rate stays bad, and again only after good windows have
 * re-armed it; a window shorter than MPOOL_RATE_MIN_GETS is not judged;
 * 0 turns a threshold off; out-of-range values are refused.
 *
 * Judging. Windows end when the statistics sample runs, and the pool asks
 * for samples on its own (on misses, depot trades and every
 * MPOOL_STATS_TICK-th ring or lockfree get), at timer ticks the test does
 * not control. So each phase ends with a sample the test asks for
 * (mpool_stats_tick()) and waits for (mpool_stats_sync()), and phases are
 * long and one-sided enough that wherever the pool's own samples cut them,
 * the counts checked are the same: a phase of PHASE gets all hits or all
 * misses, whose last judged window holds at most MPOOL_RATE_MIN_GETS - 1
 * gets of the phase before (a shorter window is carried on, not judged).
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "mpool_test.h"
#include "../../kmod/trace.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

/* Objects in a test pool, all made at creation. */
#define NOBJS	64
/* Gets per phase: far more than a window, so that one-sided windows dominate. */
#define PHASE	512

#define NKINDS	(MPOOL_THRESH_MISS_RATE + 1)

/* What the probe saw of one pool's threshold events, per kind. */
struct rate_seen {
	const char *name;
	int fired[NKINDS];
	u64 value[NKINDS];
	u64 limit[NKINDS];
};

/* From the sample's irq_work; the test reads after mpool_stats_sync(). */
static void probe_threshold(void *data, const struct mpool *pool,
			    unsigned int kind, u64 value, u64 limit)
{
	struct rate_seen *t = data;

	if (strcmp(pool->name, t->name) || kind >= NKINDS)
		return;
	t->fired[kind]++;
	t->value[kind] = value;
	t->limit[kind] = limit;
}

static void rate_detach(void *t)
{
	unregister_trace_mpool_threshold(probe_threshold, t);
	tracepoint_synchronize_unregister();
}

static struct rate_seen *rate_attach(struct kunit *test, const char *name)
{
	struct rate_seen *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->name = name;
	KUNIT_ASSERT_EQ(test, register_trace_mpool_threshold(probe_threshold, t), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rate_detach, t), 0);
	return t;
}

/*
 * A pinned test keeps its gets on one CPU: the percpu engine's magazines
 * then serve every hit, and its misses are real (nothing idles elsewhere).
 */
static struct mpool *rate_pool(struct kunit *test, const char *tag)
{
	struct mpool_params *p = mpool_test_params(test, tag, 64, NOBJS, NOBJS);
	const struct cpumask *here = cpumask_of(raw_smp_processor_id());
	struct mpool *pool;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, here), 0);
	pool = mpool_test_create(test, p);
	if (!mpool_test_stats(pool).enabled)
		kunit_skip(test, "mempool.ko loaded with stats=0");
	return pool;
}

/* End the window now: ask for a sample and wait for it. */
static struct mpool_rate_status rate_judge(struct mpool *pool)
{
	struct mpool_rate_status st;

	mpool_stats_tick(pool);
	mpool_stats_sync(pool);
	mpool_get_rate_status(pool, &st);
	return st;
}

/* @n gets that hit, each object given back at once. */
static void rate_hits(struct kunit *test, struct mpool *pool, unsigned int n)
{
	void *obj;

	while (n--) {
		obj = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, obj);
		mpool_free(pool, obj);
	}
}

/* @n gets that miss: the pool is empty and may not grow. */
static void rate_misses(struct kunit *test, struct mpool *pool, unsigned int n)
{
	while (n--)
		KUNIT_ASSERT_NULL(test, mpool_alloc(pool, GFP_NOWAIT));
}

/* Empty the pool into @objs (NOBJS of them): it is at max_objs already. */
static void rate_hold_all(struct kunit *test, struct mpool *pool, void **objs)
{
	unsigned int i;

	for (i = 0; i < NOBJS; i++) {
		objs[i] = mpool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
}

static void rate_put_all(struct mpool *pool, void **objs)
{
	unsigned int i;

	for (i = 0; i < NOBJS; i++)
		mpool_free(pool, objs[i]);
}

static void rate_bad_values(struct kunit *test)
{
	struct mpool *pool = rate_pool(test, "ratebad");
	struct mpool_rate_status st;

	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 1001, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 0, 1001), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, UINT_MAX, UINT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 900, 100), 0);
	mpool_get_rate_status(pool, &st);
	KUNIT_EXPECT_EQ(test, st.min_hit_permille, 900U);
	KUNIT_EXPECT_EQ(test, st.max_miss_permille, 100U);
	/* A refusal changes nothing, not even the valid half. */
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 5, 1001), -EINVAL);
	mpool_get_rate_status(pool, &st);
	KUNIT_EXPECT_EQ(test, st.min_hit_permille, 900U);
	KUNIT_EXPECT_EQ(test, st.max_miss_permille, 100U);
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 1000, 1000), 0);
	mpool_get_rate_status(pool, &st);
	KUNIT_EXPECT_EQ(test, st.min_hit_permille, 1000U);
	KUNIT_EXPECT_EQ(test, st.max_miss_permille, 1000U);
	KUNIT_EXPECT_EQ(test, mpool_set_rate_thresholds(pool, 0, 0), 0);
	mpool_get_rate_status(pool, &st);
	KUNIT_EXPECT_EQ(test, st.min_hit_permille, 0U);
	KUNIT_EXPECT_EQ(test, st.max_miss_permille, 0U);
	/* The debugfs view reads the same. */
	KUNIT_EXPECT_EQ(test, mpool_test_stats(pool).rate.min_hit_permille, 0U);
}

/* Only hits: windows are judged, and nothing fires. */
static void rate_all_hits_quiet(struct kunit *test)
{
	struct mpool *pool = rate_pool(test, "ratehit");
	struct rate_seen *t = rate_attach(test, mpool_name(pool));
	struct mpool_rate_status st;
	int i;

	/*
	 * At most one get of each window is a depot refill (percpu), not a
	 * hit: 990 leaves room for it, and any miss at all crosses 1.
	 */
	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 990, 1), 0);
	for (i = 0; i < 4; i++) {
		rate_hits(test, pool, PHASE);
		st = rate_judge(pool);
		KUNIT_EXPECT_GE(test, st.windows, (u64)i + 1);
		KUNIT_EXPECT_GE(test, st.last_hit_permille, 990U);
		KUNIT_EXPECT_EQ(test, st.last_miss_permille, 0U);
	}
	KUNIT_EXPECT_FALSE(test, st.hit_low);
	KUNIT_EXPECT_FALSE(test, st.miss_high);
	KUNIT_EXPECT_EQ(test, st.hit_events, 0ULL);
	KUNIT_EXPECT_EQ(test, st.miss_events, 0ULL);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], 0);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 0);
}

/*
 * A window is judged only once it holds MPOOL_RATE_MIN_GETS gets: one
 * short, nothing; the last one, both thresholds at once, with the exact
 * rates of an all-miss window.
 */
static void rate_min_window(struct kunit *test)
{
	struct mpool *pool = rate_pool(test, "ratemin");
	struct rate_seen *t = rate_attach(test, mpool_name(pool));
	struct mpool_rate_status st;
	void **objs = kunit_kcalloc(test, NOBJS, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	rate_hold_all(test, pool, objs);
	/* Set now, the window starts empty: only misses follow. */
	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 1000, 1), 0);
	rate_misses(test, pool, MPOOL_RATE_MIN_GETS - 1);
	st = rate_judge(pool);
	KUNIT_EXPECT_EQ(test, st.windows, 0ULL);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], 0);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 0);

	rate_misses(test, pool, 1);
	st = rate_judge(pool);
	KUNIT_EXPECT_EQ(test, st.windows, 1ULL);
	KUNIT_EXPECT_EQ(test, st.last_hit_permille, 0U);
	KUNIT_EXPECT_EQ(test, st.last_miss_permille, 1000U);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], 1);
	KUNIT_EXPECT_EQ(test, t->value[MPOOL_THRESH_HIT_RATE], 0ULL);
	KUNIT_EXPECT_EQ(test, t->limit[MPOOL_THRESH_HIT_RATE], 1000ULL);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 1);
	KUNIT_EXPECT_EQ(test, t->value[MPOOL_THRESH_MISS_RATE], 1000ULL);
	KUNIT_EXPECT_EQ(test, t->limit[MPOOL_THRESH_MISS_RATE], 1ULL);
	rate_put_all(pool, objs);
}

/* The counts of both kinds, from the probe and from the pool. */
static void expect_fired(struct kunit *test, struct mpool *pool,
			 const struct rate_seen *t, int n, int line)
{
	struct mpool_rate_status st;

	mpool_get_rate_status(pool, &st);
	kunit_info(test, "checking %d crossings at line %d\n", n, line);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], n);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], n);
	KUNIT_EXPECT_EQ(test, st.hit_events, (u64)n);
	KUNIT_EXPECT_EQ(test, st.miss_events, (u64)n);
	/* Nothing else of ours fires. */
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_LOW], 0);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIGH], 0);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_FAIL], 0);
}

#define EXPECT_FIRED(test, pool, t, n) expect_fired(test, pool, t, n, __LINE__)

/*
 * Good, bad, bad, good, bad: each threshold fires on the first bad phase,
 * stays quiet on the second, re-arms on the good one and fires again.
 */
static void rate_crossings(struct kunit *test)
{
	struct mpool *pool = rate_pool(test, "ratecross");
	struct rate_seen *t = rate_attach(test, mpool_name(pool));
	struct mpool_rate_status st;
	void **objs = kunit_kcalloc(test, NOBJS, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	/* Re-armed by a hit rate >= 750 and a miss rate <= 250. */
	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 500, 500), 0);

	rate_hits(test, pool, PHASE);
	st = rate_judge(pool);
	KUNIT_EXPECT_GT(test, st.windows, 0ULL);
	EXPECT_FIRED(test, pool, t, 0);

	rate_hold_all(test, pool, objs);
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	EXPECT_FIRED(test, pool, t, 1);
	KUNIT_EXPECT_TRUE(test, st.hit_low);
	KUNIT_EXPECT_TRUE(test, st.miss_high);
	KUNIT_EXPECT_LT(test, t->value[MPOOL_THRESH_HIT_RATE], 500ULL);
	KUNIT_EXPECT_EQ(test, t->limit[MPOOL_THRESH_HIT_RATE], 500ULL);
	KUNIT_EXPECT_GT(test, t->value[MPOOL_THRESH_MISS_RATE], 500ULL);
	KUNIT_EXPECT_LE(test, t->value[MPOOL_THRESH_MISS_RATE], 1000ULL);
	KUNIT_EXPECT_EQ(test, t->limit[MPOOL_THRESH_MISS_RATE], 500ULL);

	/* Still bad: no new crossing. */
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	EXPECT_FIRED(test, pool, t, 1);
	KUNIT_EXPECT_EQ(test, st.last_miss_permille, 1000U);

	rate_put_all(pool, objs);
	rate_hits(test, pool, PHASE);
	st = rate_judge(pool);
	EXPECT_FIRED(test, pool, t, 1);
	KUNIT_EXPECT_FALSE(test, st.hit_low);
	KUNIT_EXPECT_FALSE(test, st.miss_high);

	rate_hold_all(test, pool, objs);
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	EXPECT_FIRED(test, pool, t, 2);
	KUNIT_EXPECT_TRUE(test, st.hit_low);
	KUNIT_EXPECT_TRUE(test, st.miss_high);
	rate_put_all(pool, objs);
}

/*
 * 0 is off: a bad phase fires only the threshold that is set, and none
 * once both are 0 (nothing is even judged). Setting again re-arms.
 */
static void rate_zero_is_off(struct kunit *test)
{
	struct mpool *pool = rate_pool(test, "rateoff");
	struct rate_seen *t = rate_attach(test, mpool_name(pool));
	struct mpool_rate_status st;
	void **objs = kunit_kcalloc(test, NOBJS, sizeof(void *), GFP_KERNEL);
	u64 windows;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	rate_hold_all(test, pool, objs);
	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 0, 500), 0);
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 1);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], 0);
	KUNIT_EXPECT_EQ(test, st.hit_events, 0ULL);
	KUNIT_EXPECT_FALSE(test, st.hit_low);
	KUNIT_EXPECT_TRUE(test, st.miss_high);

	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 0, 0), 0);
	windows = st.windows;
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	KUNIT_EXPECT_EQ(test, st.windows, windows);
	KUNIT_EXPECT_FALSE(test, st.miss_high);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 1);

	/* The same threshold again: armed afresh, though the rate never got better. */
	KUNIT_ASSERT_EQ(test, mpool_set_rate_thresholds(pool, 0, 500), 0);
	rate_misses(test, pool, PHASE);
	st = rate_judge(pool);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_MISS_RATE], 2);
	KUNIT_EXPECT_EQ(test, st.miss_events, 2ULL);
	KUNIT_EXPECT_EQ(test, t->fired[MPOOL_THRESH_HIT_RATE], 0);
	rate_put_all(pool, objs);
}

static struct kunit_case mpool_rate_cases[] = {
	KUNIT_CASE(rate_bad_values),
	KUNIT_CASE_PARAM(rate_all_hits_quiet, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(rate_min_window, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(rate_crossings, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(rate_zero_is_off, mpool_engine_gen_params),
	{}
};

static struct kunit_suite mpool_rate_suite = {
	.name = "mpool_rate",
	.test_cases = mpool_rate_cases,
};

kunit_test_suites(&mpool_rate_suite);
