// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics, trace events and debugfs, every engine: after a known
 * sequence of operations every counter has its exact value and every event
 * fired exactly as often as it should; the high-water mark keeps its
 * documented precision without reads; the samples the hit path asks for
 * raise the mark and fire the low watermark event; the /dev/mempool
 * counters add up; and a debugfs file held open across a pool's destroy
 * keeps the pool alive, then lets it go.
 *
 * The sequences run pinned to one CPU: which CPU's magazines serve a get
 * is part of what they check. Samples run after the get or put that asked
 * for them (kmod/stats.c): mpool_stats_sync() waits for them.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "mpool_test.h"
#include <linux/mpool/magazine.h>
#include "../../kmod/trace.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

/* What the probes saw of one pool. */
struct trace_seen {
	const char *name;
	int create, destroy, grow, shrink, exhausted, low, lease, release;
	unsigned int grow_old, shrink_old, want, count;
	int shrink_reason;
	bool on_demand, can_block;
	u64 low_idle;
};

static bool seen_mine(struct trace_seen *t, const struct mpool *pool)
{
	return !strcmp(pool->name, t->name);
}

static void probe_create(void *data, const struct mpool *pool)
{
	if (seen_mine(data, pool))
		((struct trace_seen *)data)->create++;
}

static void probe_destroy(void *data, const struct mpool *pool)
{
	if (seen_mine(data, pool))
		((struct trace_seen *)data)->destroy++;
}

static void probe_grow(void *data, const struct mpool *pool,
		       unsigned int old_capacity, bool on_demand)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->grow++;
	t->grow_old = old_capacity;
	t->on_demand = on_demand;
}

static void probe_shrink(void *data, const struct mpool *pool,
			 unsigned int old_capacity, int reason)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->shrink++;
	t->shrink_old = old_capacity;
	t->shrink_reason = reason;
}

static void probe_exhausted(void *data, const struct mpool *pool,
			    unsigned int want, bool can_block)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->exhausted++;
	t->want = want;
	t->can_block = can_block;
}

static void probe_low(void *data, const struct mpool *pool, u64 idle, u64 in_use)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->low++;
	t->low_idle = idle;
}

static void probe_lease(void *data, const struct mpool *pool, unsigned int count)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->lease++;
	t->count = count;
}

static void probe_release(void *data, const struct mpool *pool, unsigned int count)
{
	struct trace_seen *t = data;

	if (!seen_mine(t, pool))
		return;
	t->release++;
	t->count = count;
}

static void trace_detach(void *arg);

/* Detached by KUnit at the end, even when an assertion ends the test early. */
static void trace_attach(struct kunit *test, struct trace_seen *t)
{
	KUNIT_ASSERT_EQ(test, register_trace_mpool_create(probe_create, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_destroy(probe_destroy, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_grow(probe_grow, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_shrink(probe_shrink, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_exhausted(probe_exhausted, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_low_watermark(probe_low, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_lease(probe_lease, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_mpool_release(probe_release, t), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, trace_detach, t), 0);
}

static void trace_detach(void *t)
{
	unregister_trace_mpool_create(probe_create, t);
	unregister_trace_mpool_destroy(probe_destroy, t);
	unregister_trace_mpool_grow(probe_grow, t);
	unregister_trace_mpool_shrink(probe_shrink, t);
	unregister_trace_mpool_exhausted(probe_exhausted, t);
	unregister_trace_mpool_low_watermark(probe_low, t);
	unregister_trace_mpool_lease(probe_lease, t);
	unregister_trace_mpool_release(probe_release, t);
	tracepoint_synchronize_unregister();
}

/* The test's thread stays on the CPU it runs on now until it ends. */
static void pin_to_this_cpu(struct kunit *test)
{
	const struct cpumask *here = cpumask_of(raw_smp_processor_id());

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, here), 0);
}

/* Right after creating @pool: nothing to check if the counters are off. */
static void require_stats(struct kunit *test, struct mpool *pool)
{
	if (mpool_test_stats(pool).enabled)
		return;
	mpool_destroy(pool);
	kunit_skip(test, "mempool.ko loaded with stats=0");
}

/* The counters a known sequence must have produced, engine by engine. */
struct want {
	u64 alloc, put, in_use, hwm, idle, hit, miss, slow, grow;
	unsigned int capacity;
	bool below_low;
	u64 low_events;
};

#define EXPECT_STATS(test, pool, w) expect_stats(test, pool, w, __LINE__)

static void expect_stats(struct kunit *test, struct mpool *pool,
			 const struct want *w, int line)
{
	struct mpool_stats_sum s;

	/* What the sequence asked for has been sampled. */
	mpool_stats_sync(pool);
	s = mpool_test_stats(pool);
	kunit_info(test, "checking counters at line %d\n", line);
	KUNIT_EXPECT_TRUE(test, s.enabled);
	KUNIT_EXPECT_EQ(test, s.alloc, w->alloc);
	KUNIT_EXPECT_EQ(test, s.put, w->put);
	KUNIT_EXPECT_EQ(test, s.free, w->put);
	KUNIT_EXPECT_EQ(test, s.in_use, w->in_use);
	KUNIT_EXPECT_EQ(test, s.alloc - s.put, s.in_use);
	KUNIT_EXPECT_EQ(test, s.hwm, w->hwm);
	KUNIT_EXPECT_EQ(test, s.idle, w->idle);
	KUNIT_EXPECT_EQ(test, s.hit, w->hit);
	KUNIT_EXPECT_EQ(test, s.miss, w->miss);
	KUNIT_EXPECT_EQ(test, s.slow, w->slow);
	KUNIT_EXPECT_EQ(test, s.grow, w->grow);
	KUNIT_EXPECT_EQ(test, s.capacity, w->capacity);
	KUNIT_EXPECT_EQ(test, s.below_low, w->below_low);
	KUNIT_EXPECT_EQ(test, s.low_events, w->low_events);
	/* Nothing in the sequence trades with the depot or quarantines. */
	KUNIT_EXPECT_EQ(test, s.refill, 0ULL);
	KUNIT_EXPECT_EQ(test, s.flush, 0ULL);
	KUNIT_EXPECT_EQ(test, s.quarantined, 0ULL);
}

/*
 * Page-sized objects: 8 per arena, up to 32; prefilled with one arena; low
 * watermark 4. Each step says what changed.
 */
static void stats_exact_sequence(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "seq", PAGE_SIZE, 32, 8);
	struct trace_seen *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct want w = {};
	struct mpool_stats_sum s;
	struct mpool *pool;
	void **objs;
	int i;

	objs = kunit_kcalloc(test, 32, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	p->low_watermark = 4;
	t->name = p->name;
	trace_attach(test, t);
	pin_to_this_cpu(test);

	pool = mpool_test_create(test, p);
	require_stats(test, pool);
	KUNIT_EXPECT_EQ(test, t->create, 1);
	/* The prefill is reported by the create event, not as a grow. */
	KUNIT_EXPECT_EQ(test, t->grow, 0);
	w.capacity = 8;
	w.idle = 8;
	w.grow = 1;
	EXPECT_STATS(test, pool, &w);

	/* Every object, without blocking: all hits, nothing slow. */
	for (i = 0; i < 8; i++) {
		objs[i] = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	w.alloc = 8;
	w.in_use = 8;
	w.hwm = 8;
	w.hit = 8;
	w.idle = 0;
	/* Idle is below 4, but no slow path has run to notice. */
	EXPECT_STATS(test, pool, &w);
	KUNIT_EXPECT_EQ(test, t->low, 0);

	/*
	 * Empty: a miss, reported as exhaustion, whose sample notices the
	 * watermark.
	 */
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_ATOMIC));
	mpool_stats_sync(pool);
	KUNIT_EXPECT_EQ(test, t->exhausted, 1);
	KUNIT_EXPECT_EQ(test, t->want, 1U);
	KUNIT_EXPECT_FALSE(test, t->can_block);
	KUNIT_EXPECT_EQ(test, t->low, 1);
	KUNIT_EXPECT_EQ(test, t->low_idle, 0ULL);
	w.miss = 1;
	w.below_low = true;
	w.low_events = 1;
	EXPECT_STATS(test, pool, &w);

	/* A blocking get grows by one arena (100% of 8): re-armed, one slow get. */
	objs[8] = mpool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs[8]);
	KUNIT_EXPECT_EQ(test, t->grow, 1);
	KUNIT_EXPECT_EQ(test, t->grow_old, 8U);
	KUNIT_EXPECT_TRUE(test, t->on_demand);
	w.alloc = 9;
	w.in_use = 9;
	w.hwm = 9;
	/* A get served under the pool lock is no hit, whatever served it. */
	w.hit = 8;
	w.slow = 1;
	w.grow = 2;
	w.capacity = 16;
	w.idle = 7;
	w.below_low = false;
	EXPECT_STATS(test, pool, &w);

	/* Four back, five out in bulk (objs[9..13]), the five back in bulk. */
	for (i = 0; i < 4; i++)
		mpool_free(pool, objs[i]);
	w.put = 4;
	w.in_use = 5;
	w.idle = 11;
	EXPECT_STATS(test, pool, &w);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, &objs[9], 5, GFP_ATOMIC), 0);
	w.alloc = 14;
	w.in_use = 10;
	w.hwm = 10;
	w.hit += 5;
	w.idle = 6;
	EXPECT_STATS(test, pool, &w);
	mpool_free_bulk(pool, &objs[9], 5);
	w.put = 9;
	w.in_use = 5;
	w.idle = 11;
	EXPECT_STATS(test, pool, &w);

	/*
	 * A bulk get of 12 with 11 idle: one miss for the call, nothing
	 * handed out, so no hit either.
	 */
	KUNIT_EXPECT_EQ(test, mpool_alloc_bulk(pool, &objs[14], 12, GFP_ATOMIC), -ENOMEM);
	KUNIT_EXPECT_EQ(test, t->exhausted, 2);
	KUNIT_EXPECT_EQ(test, t->want, 12U);
	w.miss = 2;
	EXPECT_STATS(test, pool, &w);
	KUNIT_EXPECT_EQ(test, t->low, 1);

	/* Take the 11 (objs[14..24]), then miss twice: one crossing, one event. */
	for (i = 14; i < 25; i++) {
		objs[i] = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_ATOMIC));
	KUNIT_EXPECT_NULL(test, mpool_alloc(pool, GFP_NOWAIT));
	mpool_stats_sync(pool);
	KUNIT_EXPECT_EQ(test, t->exhausted, 4);
	KUNIT_EXPECT_EQ(test, t->low, 2);
	w.alloc = 25;
	w.in_use = 16;
	w.hwm = 16;
	w.hit += 11;
	w.idle = 0;
	w.miss = 4;
	w.below_low = true;
	w.low_events = 2;
	EXPECT_STATS(test, pool, &w);

	/* All back; an explicit grow is a slow path too: re-armed. */
	for (i = 4; i < 9; i++)
		mpool_free(pool, objs[i]);
	for (i = 14; i < 25; i++)
		mpool_free(pool, objs[i]);
	KUNIT_EXPECT_EQ(test, mpool_grow(pool, 8, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, t->grow, 2);
	KUNIT_EXPECT_EQ(test, t->grow_old, 16U);
	KUNIT_EXPECT_FALSE(test, t->on_demand);
	w.put = 25;
	w.in_use = 0;
	w.capacity = 24;
	w.idle = 24;
	w.grow = 3;
	w.below_low = false;
	EXPECT_STATS(test, pool, &w);

	mpool_drain(pool);
	KUNIT_EXPECT_EQ(test, t->shrink, 1);
	KUNIT_EXPECT_EQ(test, t->shrink_old, 24U);
	KUNIT_EXPECT_EQ(test, t->shrink_reason, MPOOL_SHRINK_DRAIN);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.shrink, 3ULL);
	KUNIT_EXPECT_EQ(test, s.shrunk_objs, 24ULL);
	KUNIT_EXPECT_EQ(test, s.reclaimed, 0ULL);
	KUNIT_EXPECT_EQ(test, s.capacity, 0U);
	KUNIT_EXPECT_EQ(test, s.nr_arenas, 0U);
	KUNIT_EXPECT_EQ(test, s.hwm, 16ULL);
	KUNIT_EXPECT_EQ(test, s.leased, 0ULL);
	KUNIT_EXPECT_EQ(test, s.sessions, 0LL);
	KUNIT_EXPECT_EQ(test, s.reserved, 0LL);

	mpool_destroy(pool);
	KUNIT_EXPECT_EQ(test, t->destroy, 1);
	KUNIT_EXPECT_EQ(test, t->create, 1);
}

/*
 * Without any read, the mark lags the true peak by at most what the
 * engine hands out between two requests for a sample: two magazines
 * (percpu) or MPOOL_STATS_TICK gets (ring, lockfree) per CPU; one CPU
 * here, and nothing handed out between the last request and its sample.
 * A read then makes it exact.
 */
static void stats_hwm_without_reads(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "hwm", 64, 256, 256);
	const unsigned int peak = 150, lag = max(2 * MPOOL_MAG_SIZE, MPOOL_STATS_TICK);
	struct mpool_stats_sum s;
	struct mpool *pool;
	unsigned int i;
	void **objs;
	long hwm;

	objs = kunit_kcalloc(test, peak, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pin_to_this_cpu(test);
	pool = mpool_test_create(test, p);
	require_stats(test, pool);
	KUNIT_ASSERT_EQ(test, mpool_capacity(pool), 256U);
	for (i = 0; i < peak - 10; i++) {
		objs[i] = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(pool, &objs[i], 10, GFP_ATOMIC), 0);
	mpool_stats_sync(pool);
	hwm = atomic_long_read(&pool->hwm);
	KUNIT_EXPECT_LE(test, hwm, (long)peak);
	KUNIT_EXPECT_GE(test, hwm, (long)(peak - lag));

	mpool_free_bulk(pool, objs, peak);
	/* The read samples: exact, and it never goes back down. */
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.in_use, 0ULL);
	KUNIT_EXPECT_GE(test, s.hwm, (u64)(peak - lag));
	KUNIT_EXPECT_LE(test, s.hwm, (u64)peak);
	for (i = 0; i < peak; i++) {
		objs[i] = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.hwm, (u64)peak);
	mpool_free_bulk(pool, objs, peak);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.hwm, (u64)peak);
	KUNIT_EXPECT_EQ(test, s.alloc, 2ULL * peak);
	KUNIT_EXPECT_EQ(test, s.put, 2ULL * peak);
	mpool_destroy(pool);
}

/* @n objects, without blocking: hits, for a pool filled at creation. */
static void get_n(struct kunit *test, struct mpool *pool, void **objs,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		objs[i] = mpool_alloc(pool, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
}

static void put_n(struct mpool *pool, void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mpool_free(pool, objs[i]);
}

/*
 * The ring and lockfree hit path sums nothing: every MPOOL_STATS_TICK gets
 * of a CPU it asks for a sample, which runs later. Without a read (which
 * samples on its own), waiting for that sample shows the mark raised and
 * the low watermark event fired, once per crossing, and nothing before
 * the request.
 */
static void stats_hit_path_samples(struct kunit *test)
{
	const unsigned int tick = MPOOL_STATS_TICK;
	struct mpool_params *p = mpool_test_params(test, "tick", 64, 2 * tick, 2 * tick);
	struct trace_seen *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct mpool *pool;
	void **objs;

	if (mpool_test_engine(test) == MPOOL_ENGINE_PERCPU)
		kunit_skip(test, "the percpu engine asks on depot trades instead");
	objs = kunit_kcalloc(test, 2 * tick, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	/* Idle drops below the mark with the tick-th object out. */
	p->low_watermark = tick + 1;
	t->name = p->name;
	trace_attach(test, t);
	pin_to_this_cpu(test);
	pool = mpool_test_create(test, p);
	require_stats(test, pool);

	/* One get short of a request: nothing to wait for, nothing sampled. */
	get_n(test, pool, objs, tick - 1);
	mpool_stats_sync(pool);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->hwm), 0L);
	KUNIT_EXPECT_EQ(test, t->low, 0);

	/* The tick-th get asks: once its sample has run, mark and event. */
	get_n(test, pool, &objs[tick - 1], 1);
	mpool_stats_sync(pool);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->hwm), (long)tick);
	KUNIT_EXPECT_EQ(test, t->low, 1);
	KUNIT_EXPECT_EQ(test, t->low_idle, (u64)tick);
	KUNIT_EXPECT_TRUE(test, test_bit(MPOOL_S_LOW, &pool->state));

	/* Puts ask for nothing; the next request, with one out, re-arms. */
	put_n(pool, objs, tick);
	get_n(test, pool, objs, tick - 1);
	put_n(pool, objs, tick - 1);
	get_n(test, pool, objs, 1);
	mpool_stats_sync(pool);
	KUNIT_EXPECT_FALSE(test, test_bit(MPOOL_S_LOW, &pool->state));
	KUNIT_EXPECT_EQ(test, t->low, 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->hwm), (long)tick);

	/* A tick more out, one past the first peak: a second crossing. */
	get_n(test, pool, &objs[1], tick);
	mpool_stats_sync(pool);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->hwm), (long)tick + 1);
	KUNIT_EXPECT_EQ(test, t->low, 2);
	KUNIT_EXPECT_EQ(test, t->low_idle, (u64)tick - 1);
	put_n(pool, objs, tick + 1);
	mpool_destroy(pool);
}

/* The counters /dev/mempool feeds, and its two events. */
static void stats_lease_session_counters(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "lease", PAGE_SIZE, 8, 8);
	struct trace_seen *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct mpool_stats_sum s;
	struct mpool *pool;
	u32 idx[3];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->name = p->name;
	trace_attach(test, t);
	pool = mpool_test_create(test, p);
	require_stats(test, pool);

	mpool_stats_reserved(pool, 8 * PAGE_SIZE);
	mpool_stats_session(pool, 1);
	mpool_stats_session(pool, 1);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, mpool_alloc_idx(pool, &idx[i], GFP_KERNEL), 0);
	mpool_stats_leased(pool, 3);
	trace_mpool_lease(pool, 3);
	KUNIT_EXPECT_EQ(test, t->lease, 1);
	KUNIT_EXPECT_EQ(test, t->count, 3U);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.leases, 3ULL);
	KUNIT_EXPECT_EQ(test, s.leased, 3ULL);
	KUNIT_EXPECT_LE(test, s.leased, s.in_use);
	KUNIT_EXPECT_EQ(test, s.sessions, 2LL);
	KUNIT_EXPECT_EQ(test, s.reserved, (s64)(8 * PAGE_SIZE));

	/* Released before the objects go back: leased <= in_use throughout. */
	mpool_stats_leased(pool, -2);
	trace_mpool_release(pool, 2);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.leased, 1ULL);
	KUNIT_EXPECT_EQ(test, s.in_use, 3ULL);
	mpool_free_idx(pool, idx[0]);
	mpool_free_idx(pool, idx[1]);
	KUNIT_EXPECT_EQ(test, t->release, 1);
	KUNIT_EXPECT_EQ(test, t->count, 2U);
	mpool_stats_leased(pool, -1);
	mpool_free_idx(pool, idx[2]);
	mpool_stats_session(pool, -1);
	mpool_stats_session(pool, -1);
	mpool_stats_reserved(pool, -(s64)(8 * PAGE_SIZE));

	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.leases, 3ULL);
	KUNIT_EXPECT_EQ(test, s.releases, 3ULL);
	KUNIT_EXPECT_EQ(test, s.leased, 0ULL);
	KUNIT_EXPECT_EQ(test, s.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, s.sessions, 0LL);
	KUNIT_EXPECT_EQ(test, s.reserved, 0LL);
	mpool_destroy(pool);
}

static struct file *open_pool_file(const char *pool, const char *file)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/debug/mempool/%s/%s", pool, file);
	return filp_open(path, O_RDONLY, 0);
}

/*
 * A stats file open across destroy: the folder goes with the name at once,
 * a new pool can take both, and the open file alone keeps the old pool from
 * being freed until it is closed. KASAN watches the pool's memory
 * meanwhile. (debugfs has no read_iter for kernel_read(): the file contents
 * are checked by the stats kselftest.)
 */
static void stats_debugfs_outlives_destroy(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "dbgfs", 64, 64, 64);
	struct file *f, *again;
	struct mpool *pool;
	unsigned int base;
	void *obj;

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	pool = mpool_test_create(test, p);
	obj = mpool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);

	f = open_pool_file(p->name, "stats");
	if (IS_ERR(f)) {
		mpool_free(pool, obj);
		mpool_destroy(pool);
		kunit_skip(test, "no debugfs at /sys/kernel/debug (%ld)", PTR_ERR(f));
	}
	again = open_pool_file(p->name, "config");
	KUNIT_EXPECT_FALSE(test, IS_ERR(again));
	if (!IS_ERR(again))
		__fput_sync(again);
	again = open_pool_file(p->name, "percpu");
	KUNIT_EXPECT_FALSE(test, IS_ERR(again));
	if (!IS_ERR(again))
		__fput_sync(again);

	mpool_free(pool, obj);
	mpool_destroy(pool);
	/* The name, and so the folder, is gone at once... */
	again = open_pool_file(p->name, "stats");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(again), -ENOENT);
	if (!IS_ERR(again))
		__fput_sync(again);
	/* ...a new pool can take both... */
	pool = mpool_test_create(test, p);
	again = open_pool_file(p->name, "stats");
	KUNIT_EXPECT_FALSE(test, IS_ERR(again));
	if (!IS_ERR(again))
		__fput_sync(again);
	mpool_destroy(pool);

	/* ...while the old pool lives on for the file still open. */
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base + 1);
	__fput_sync(f);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);
}

static void stats_bad_low_watermark(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "lowbad", 64, 8, 0);

	p->low_watermark = 9;
	KUNIT_EXPECT_EQ(test, PTR_ERR(mpool_create(p)), -EINVAL);
	p->low_watermark = 8;
	mpool_destroy(mpool_test_create(test, p));
}

static struct kunit_case mpool_stats_cases[] = {
	KUNIT_CASE_PARAM(stats_exact_sequence, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(stats_hwm_without_reads, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(stats_hit_path_samples, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(stats_lease_session_counters, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(stats_debugfs_outlives_destroy, mpool_engine_gen_params),
	KUNIT_CASE(stats_bad_low_watermark),
	{}
};

static struct kunit_suite mpool_stats_suite = {
	.name = "mpool_stats",
	.test_cases = mpool_stats_cases,
};

kunit_test_suites(&mpool_stats_suite);
