// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: a kthread pinned to every online CPU plus a hard-IRQ hrtimer on
 * every CPU hammer one pool with gets and puts (single and bulk), while an
 * ownership bitmap proves that no object is ever handed to two owners at
 * once (test_and_set_bit() on get must find 0, test_and_clear_bit() on put
 * must find 1) and a stamp in each object proves nobody else wrote to it
 * while we owned it. Threads also swap objects through a shared exchange so
 * that many are freed on a different CPU than the one that got them. At
 * the end every object must be back: the idle count equals the capacity,
 * and a drain frees every arena.
 *
 * The statistics must agree with what the callers saw: gets, puts and
 * failed gets counted by every thread and timer equal the pool's summed
 * per-CPU counters exactly, nothing is in use at the end, and while the run
 * goes on a reader checks that in_use and the high-water mark never exceed
 * the capacity and that the mark never goes down.
 *
 * stress_run has objects to spare and measures throughput; stress_scarce
 * runs a pool that the callers (and, for the percpu engine, the objects
 * idling in CPU caches) keep running dry, so empty gets, bulk rollbacks and
 * blocking gets that flush every CPU's cache all happen under load.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "mpool_test.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

/* make check's share; make soak runs many times more (Makefile). */
static unsigned long stress_ops = 300000;
module_param(stress_ops, ulong, 0444);
MODULE_PARM_DESC(stress_ops,
		 "object gets + puts per CPU per engine in the stress suite (default 300000)");

#define STRESS_OBJS		1024
#define STRESS_SCARCE_OBJS	96
#define STRESS_OBJ_SIZE		64
#define STRESS_BATCH		16
#define STRESS_IRQ_HELD		4
#define STRESS_TIMER_NS		(200 * NSEC_PER_USEC)
#define STRESS_SWAP_SLOTS	32
/* Stamp of an object parked in the exchange: owned by nobody in particular. */
#define STRESS_STAMP_SWAP	0x5a5a5a5a

struct stress_ctx;

struct stress_timer {
	struct hrtimer timer;
	struct stress_ctx *ctx;
	void *held[STRESS_IRQ_HELD];
	unsigned int nr_held;
	u32 stamp;
	u64 ops;
	u64 gets;	/* of ops, objects got; the rest are puts */
	u64 misses;	/* gets that returned nothing */
};

struct stress_thread {
	struct stress_ctx *ctx;
	unsigned int cpu;
	u32 stamp;
	u64 ops;
	u64 gets;
	u64 misses;
	struct completion done;
};

struct stress_ctx {
	struct mpool *pool;
	unsigned long ops;	/* per thread */
	unsigned long *owned;
	atomic_t bad_owner;	/* an object handed out twice, or put unowned */
	atomic_t bad_stamp;	/* an object written by someone else */
	atomic_t bad_ptr;	/* not one of the pool's objects */
	atomic_long_t swap[STRESS_SWAP_SLOTS];
	bool stop_timers;
	struct completion start;
	struct stress_timer __percpu *timers;
};

static void stress_take(struct stress_ctx *ctx, void *obj, u32 stamp)
{
	u32 idx;

	if (mpool_obj_to_idx(ctx->pool, obj, &idx)) {
		atomic_inc(&ctx->bad_ptr);
		return;
	}
	if (test_and_set_bit(idx, ctx->owned))
		atomic_inc(&ctx->bad_owner);
	*(u32 *)obj = stamp;
}

/* Returns false if @obj must not be given back (it was never ours). */
static bool stress_give(struct stress_ctx *ctx, void *obj, u32 stamp)
{
	u32 idx;

	if (mpool_obj_to_idx(ctx->pool, obj, &idx)) {
		atomic_inc(&ctx->bad_ptr);
		return false;
	}
	if (*(u32 *)obj != stamp)
		atomic_inc(&ctx->bad_stamp);
	if (!test_and_clear_bit(idx, ctx->owned)) {
		atomic_inc(&ctx->bad_owner);
		return false;
	}
	return true;
}

static enum hrtimer_restart stress_timer_fn(struct hrtimer *t)
{
	struct stress_timer *st = container_of(t, struct stress_timer, timer);
	struct stress_ctx *ctx = st->ctx;
	unsigned int i, n;

	/* Give back what the last tick took, take a few more. */
	for (i = 0; i < st->nr_held; i++) {
		if (stress_give(ctx, st->held[i], st->stamp))
			mpool_free(ctx->pool, st->held[i]);
	}
	st->ops += st->nr_held;
	st->nr_held = 0;
	if (READ_ONCE(ctx->stop_timers))
		return HRTIMER_NORESTART;

	n = 1 + st->ops % STRESS_IRQ_HELD;
	for (i = 0; i < n; i++) {
		void *obj = mpool_alloc(ctx->pool, GFP_ATOMIC);

		if (!obj) {
			st->misses++;
			break;
		}
		stress_take(ctx, obj, st->stamp);
		st->held[st->nr_held++] = obj;
	}
	st->ops += st->nr_held;
	st->gets += st->nr_held;
	hrtimer_forward_now(t, ns_to_ktime(STRESS_TIMER_NS));
	return HRTIMER_RESTART;
}

static void stress_free_some(struct stress_ctx *ctx, struct stress_thread *th,
			     void **objs, unsigned int n, bool bulk)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!stress_give(ctx, objs[i], th->stamp))
			objs[i] = NULL;
	}
	if (bulk) {
		mpool_free_bulk(ctx->pool, objs, n);
	} else {
		for (i = 0; i < n; i++)
			mpool_free(ctx->pool, objs[i]);
	}
	th->ops += n;
}

/* Park objs[i] in the exchange and take whatever was there instead. */
static void stress_swap(struct stress_ctx *ctx, struct stress_thread *th,
			void **objs, unsigned int i)
{
	atomic_long_t *slot = &ctx->swap[get_random_u32_below(STRESS_SWAP_SLOTS)];
	void *got;

	*(u32 *)objs[i] = STRESS_STAMP_SWAP;
	/* Full barrier: the stamp is written before another thread can see objs[i]. */
	got = (void *)atomic_long_xchg(slot, (long)objs[i]);
	objs[i] = got;
	if (got) {
		if (*(u32 *)got != STRESS_STAMP_SWAP)
			atomic_inc(&ctx->bad_stamp);
		*(u32 *)got = th->stamp;
	}
}

static int stress_thread_fn(void *arg)
{
	struct stress_thread *th = arg;
	struct stress_ctx *ctx = th->ctx;
	void *objs[STRESS_BATCH];
	unsigned int i, n, round = 0;
	gfp_t gfp;

	wait_for_completion(&ctx->start);
	while (th->ops < ctx->ops) {
		n = 1 + get_random_u32_below(STRESS_BATCH);
		/* Mostly atomic gets; now and then one that may flush caches. */
		gfp = (++round % 64) ? GFP_ATOMIC : GFP_KERNEL;
		if (round % 4 == 0) {
			if (mpool_alloc_bulk(ctx->pool, objs, n, gfp)) {
				th->misses++;
				continue;
			}
		} else {
			for (i = 0; i < n; i++) {
				objs[i] = mpool_alloc(ctx->pool, gfp);
				if (!objs[i]) {
					th->misses++;
					break;
				}
			}
			n = i;
		}
		for (i = 0; i < n; i++)
			stress_take(ctx, objs[i], th->stamp);
		th->ops += n;
		th->gets += n;
		if (n && round % 8 == 0)
			stress_swap(ctx, th, objs, n - 1);
		/* An empty exchange slot gave nothing back: one put fewer. */
		if (n && !objs[n - 1])
			n--;
		stress_free_some(ctx, th, objs, n, round % 2);
		cond_resched();
	}
	kthread_complete_and_exit(&th->done, 0);
}

/* A pinned hrtimer runs on the CPU that starts it: run this there. */
static int stress_timer_start(void *arg)
{
	struct stress_timer *st = arg;

	hrtimer_start(&st->timer, ns_to_ktime(STRESS_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	return 0;
}

/*
 * Long under emulation: look at the statistics now and then while waiting.
 * They are read racily, but must stay within what is possible.
 */
static void stress_wait(struct kunit *test, struct stress_ctx *ctx,
			struct completion *done, u64 *hwm)
{
	struct mpool_stats_sum s;

	while (!wait_for_completion_timeout(done, HZ / 4)) {
		s = mpool_test_stats(ctx->pool);
		KUNIT_EXPECT_LE(test, s.in_use, (u64)s.capacity);
		KUNIT_EXPECT_LE(test, s.hwm, (u64)s.capacity);
		KUNIT_EXPECT_GE(test, s.hwm, *hwm);
		KUNIT_EXPECT_GE(test, s.hwm, s.in_use);
		*hwm = s.hwm;
	}
}

static void stress_check_stats(struct kunit *test, const struct mpool_stats_sum *s,
			       u64 ops, u64 gets, u64 misses, u64 hwm,
			       unsigned int nr_objs, enum mpool_engine engine)
{
	/* Gets and puts both count as operations. */
	KUNIT_EXPECT_EQ(test, s->alloc + s->free, ops);
	KUNIT_EXPECT_EQ(test, s->alloc, gets);
	KUNIT_EXPECT_EQ(test, s->put, ops - gets);
	KUNIT_EXPECT_EQ(test, s->miss, misses);
	KUNIT_EXPECT_EQ(test, s->in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, s->leased, 0ULL);
	KUNIT_EXPECT_GE(test, s->hwm, hwm);
	KUNIT_EXPECT_LE(test, s->hwm, (u64)nr_objs);
	KUNIT_EXPECT_GT(test, s->hwm, 0ULL);
	KUNIT_EXPECT_LE(test, s->slow, s->alloc);
	/* Every object came from a hit, a depot trade or the locked path. */
	KUNIT_EXPECT_EQ(test, s->hit + s->refill + s->slow, s->alloc);
	if (engine != MPOOL_ENGINE_PERCPU)
		KUNIT_EXPECT_EQ(test, s->refill, 0ULL);
}

static void stress_free_timers(void *timers)
{
	free_percpu((void __percpu __force *)timers);
}

static void stress_pool(struct kunit *test, const char *tag,
			unsigned int nr_objs, unsigned long nr_ops)
{
	enum mpool_engine engine = mpool_test_engine(test);
	struct mpool_params *p;
	struct stress_thread *threads;
	struct stress_ctx *ctx;
	struct mpool_stats_sum s;
	unsigned int cpu, nr = 0, i;
	u64 ops = 0, irq_ops = 0, ns, gets = 0, misses = 0, hwm = 0;
	ktime_t t0;

	p = mpool_test_params(test, tag, STRESS_OBJ_SIZE, nr_objs, nr_objs);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	threads = kunit_kcalloc(test, nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	ctx->ops = nr_ops;
	ctx->owned = kunit_kcalloc(test, BITS_TO_LONGS(nr_objs), sizeof(long),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->owned);
	ctx->timers = alloc_percpu(struct stress_timer);
	KUNIT_ASSERT_TRUE(test, !!ctx->timers);
	/* Freed when the test ends, also if an assertion below fails. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stress_free_timers,
							(void __force *)ctx->timers), 0);
	init_completion(&ctx->start);
	ctx->pool = mpool_test_create(test, p);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct stress_thread *th = &threads[nr++];
		struct task_struct *task;

		th->ctx = ctx;
		th->cpu = cpu;
		th->stamp = 0x57000000 | cpu;
		init_completion(&th->done);
		task = kthread_run_on_cpu(stress_thread_fn, th, cpu, "mpool-stress/%u");
		if (IS_ERR(task)) {
			/* Nobody waits on start yet: let the others finish. */
			complete(&th->done);
			KUNIT_FAIL(test, "kthread on CPU %u: %ld", cpu, PTR_ERR(task));
		}
	}
	for_each_online_cpu(cpu) {
		struct stress_timer *st = per_cpu_ptr(ctx->timers, cpu);

		st->ctx = ctx;
		st->stamp = 0x17000000 | cpu;
		hrtimer_init(&st->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
		st->timer.function = stress_timer_fn;
	}
	cpus_read_unlock();

	for (i = 0; i < nr; i++)
		smp_call_on_cpu(threads[i].cpu, stress_timer_start,
				per_cpu_ptr(ctx->timers, threads[i].cpu), false);

	t0 = ktime_get();
	complete_all(&ctx->start);
	for (i = 0; i < nr; i++) {
		stress_wait(test, ctx, &threads[i].done, &hwm);
		ops += threads[i].ops;
		gets += threads[i].gets;
		misses += threads[i].misses;
	}
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));

	WRITE_ONCE(ctx->stop_timers, true);
	for (i = 0; i < nr; i++) {
		struct stress_timer *st = per_cpu_ptr(ctx->timers, threads[i].cpu);

		hrtimer_cancel(&st->timer);
		/* A cancelled timer may still hold what its last tick took. */
		while (st->nr_held) {
			void *obj = st->held[--st->nr_held];

			if (stress_give(ctx, obj, st->stamp))
				mpool_free(ctx->pool, obj);
			ops++;
		}
		irq_ops += st->ops;
		gets += st->gets;
		misses += st->misses;
	}

	for (i = 0; i < STRESS_SWAP_SLOTS; i++) {
		void *obj = (void *)atomic_long_xchg(&ctx->swap[i], 0);

		if (obj && stress_give(ctx, obj, STRESS_STAMP_SWAP)) {
			mpool_free(ctx->pool, obj);
			ops++;
		}
	}

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_owner), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_stamp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_ptr), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(ctx->owned, nr_objs));

	/* Every object back: nothing lost, nothing out, the pool never grew. */
	s = mpool_test_stats(ctx->pool);
	KUNIT_EXPECT_EQ(test, s.alloc, s.free);
	KUNIT_EXPECT_EQ(test, s.capacity, nr_objs);
	KUNIT_EXPECT_EQ(test, s.idle, (u64)nr_objs);
	KUNIT_EXPECT_EQ(test, s.quarantined, 0ULL);
	/* ...and reachable: a drain takes every one of them back. */
	mpool_drain(ctx->pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(ctx->pool), 0U);

	ops += irq_ops;
	/* Exactly what the callers saw, summed over every CPU. */
	if (s.enabled)
		stress_check_stats(test, &s, ops, gets, misses, hwm, nr_objs, engine);
	kunit_info(test, "%s %s: %u CPUs, %llu ops (%llu in hard IRQ) in %llu ms: %llu ops/s; empty gets %llu, cache hits %llu, depot refills %llu, flushes %llu, slow gets %llu, high water %llu\n",
		   tag, mpool_test_engine_name(engine), nr, ops, irq_ops,
		   div_u64(ns, NSEC_PER_MSEC), div64_u64(ops * NSEC_PER_SEC, ns ?: 1),
		   s.miss, s.hit, s.refill, s.flush, s.slow, s.hwm);
	mpool_destroy(ctx->pool);
}

static void stress_run(struct kunit *test)
{
	stress_pool(test, "stress", STRESS_OBJS, stress_ops);
}

static void stress_scarce(struct kunit *test)
{
	stress_pool(test, "scarce", STRESS_SCARCE_OBJS, stress_ops / 4);
}

static struct kunit_case mpool_stress_cases[] = {
	KUNIT_CASE_PARAM_ATTR(stress_run, mpool_engine_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(stress_scarce, mpool_engine_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite mpool_stress_suite = {
	.name = "mpool_stress",
	.test_cases = mpool_stress_cases,
};

kunit_test_suites(&mpool_stress_suite);
