// SPDX-License-Identifier: GPL-2.0
/*
 * Pool statistics: per-CPU counters summed on read, the high-water mark,
 * the low watermark, and the counters /dev/mempool feeds.
 *
 * Cost. A hit counts nothing but the objects out and in (struct mpool_cpu,
 * which the pool's lifetime needs anyway); hits are derived at read time
 * as the gets no slow path served. Slow paths bump counters of their own
 * CPU (struct mpool_stats) and write nothing shared. Whatever needs the
 * sum over all CPUs, the high-water mark and the low watermark, is a
 * sample, and no get or put takes one, not even on a slow path: it asks
 * for one, which queues the pool's sample_work, an irq_work, and returns.
 * That costs one atomic on the pool, whatever the number of CPUs, and a
 * request that finds a sample pending is merged into it: one sample per
 * pool in flight at most. Requests come from a percpu-engine depot trade
 * (at most one per MPOOL_MAG_SIZE operations of a CPU), every
 * MPOOL_STATS_TICK-th get of a CPU for the engines that have no slow path
 * of their own, a miss and a grow. Reads sample at once. Loading the
 * module with stats=0 turns the samples off through a static key.
 *
 * The same sample judges the pool's rate thresholds, if it has any
 * (kmod/alert.c).
 *
 * Why a lazy irq_work. It is the one deferral that every context a get or
 * put runs in may queue: the lockfree engine runs in NMI, so its gets
 * sample too, and no workqueue can be kicked from there. Lazy, it runs at
 * the next timer tick of the CPU that queued it (from a kthread under
 * PREEMPT_RT) rather than interrupting that CPU at once with a self-IPI,
 * which would cost more than the sum itself for a few CPUs, in a VM most
 * of all, and would still run the sum on the same CPU right away. Waiting
 * for the tick also merges the requests of a busy pool into one sum per
 * tick at most.
 *
 * High-water mark precision. A sample sums the gets before the puts, so it
 * never reports more objects in use than there were at some instant of the
 * sample. It runs between its request and the next timer tick of the CPU
 * that queued it (later while that CPU keeps interrupts off or, under
 * PREEMPT_RT, until its irq_work thread runs), and it can miss a peak
 * that came and went between two samples: by at most the objects handed
 * out in the last timer tick before the peak, plus what a CPU can hand out
 * between two requests, 2 * MPOOL_MAG_SIZE objects per online CPU for the
 * percpu engine (no more than its two magazines between depot trades) and
 * MPOOL_STATS_TICK per online CPU for ring and lockfree (plus one bulk get
 * per CPU). Every read samples too, so the mark is never below the in_use
 * that any read reported.
 *
 * The shrinker. Its count callback must not sum per-CPU counters of every
 * pool either. Each sum, sample or read, leaves the objects out or
 * quarantined behind in pool->busy_est, and mpool_stats_idle_estimate()
 * turns that into an idle count in O(1), asking est_work (a lazy irq_work
 * too, which touches no statistics) to refresh it for the next count.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/irq_work.h>
#include <linux/jump_label.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>

#include "compat.h"
#include "pool.h"
#include "trace.h"

static bool mpool_stats_param = true;
module_param_named(stats, mpool_stats_param, bool, 0444);
MODULE_PARM_DESC(stats,
		 "Sample the high-water mark and low watermark (default 1); 0 turns the samples off");

DEFINE_STATIC_KEY_TRUE(mpool_stats_enabled);

/**
 * mpool_stats_init() - apply the stats module parameter
 *
 * Context: module init, before any pool exists.
 */
void mpool_stats_init(void)
{
	if (!mpool_stats_param)
		static_branch_disable(&mpool_stats_enabled);
}

/*
 * Objects in use: gets minus puts (quarantined objects count as put),
 * summed. The gets are read before the puts: a busy pool's result errs
 * low (or even negative), never high.
 */
static s64 mpool_stats_out(const struct mpool *pool)
{
	unsigned long gets = 0, puts = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		gets += READ_ONCE(per_cpu_ptr(pool->hot.cpu, cpu)->gets);
	/* Every get read before any put: see above. */
	smp_rmb();
	for_each_possible_cpu(cpu)
		puts += READ_ONCE(per_cpu_ptr(pool->hot.cpu, cpu)->puts);
	return (long)(gets - puts);
}

static u64 mpool_stats_quarantined(const struct mpool *pool)
{
	u64 q = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		q += READ_ONCE(per_cpu_ptr(pool->stats, cpu)->quarantined);
	return q;
}

/**
 * mpool_stats_in_use() - objects handed out and not given back
 * @pool: the pool
 *
 * Context: any; sums every CPU's counters.
 * Return: the count.
 */
u64 mpool_stats_in_use(const struct mpool *pool)
{
	s64 out = mpool_stats_out(pool);

	return out > 0 ? out : 0;
}

/**
 * mpool_stats_nr_leased() - buffers /dev/mempool has leased out of @pool
 * @pool: the pool
 *
 * Context: any; sums every CPU's counters.
 * Return: leases minus releases.
 */
u64 mpool_stats_nr_leased(const struct mpool *pool)
{
	u64 lease = 0, release = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		lease += READ_ONCE(per_cpu_ptr(pool->stats, cpu)->lease);
	/* Leases before releases: the count errs low, as in_use does. */
	smp_rmb();
	for_each_possible_cpu(cpu)
		release += READ_ONCE(per_cpu_ptr(pool->stats, cpu)->release);
	return lease > release ? lease - release : 0;
}

static void mpool_stats_raise_hwm(struct mpool *pool, u64 in_use)
{
	long hwm = atomic_long_read(&pool->hwm);

	/* Written only when the mark moves, which a steady pool stops doing. */
	while ((long)in_use > hwm) {
		if (atomic_long_try_cmpxchg(&pool->hwm, &hwm, in_use))
			break;
	}
}

/*
 * One event per crossing: the bit is set by whoever sees idle below the
 * mark first and cleared once a sample sees it back. Looked at before it
 * is changed, so that a pool that stays on one side writes nothing.
 */
static void mpool_stats_check_low(struct mpool *pool, u64 in_use, u64 quarantined)
{
	s64 idle = (s64)READ_ONCE(pool->capacity) - (s64)in_use - (s64)quarantined;

	if (idle < (s64)READ_ONCE(pool->low_watermark)) {
		if (test_bit(MPOOL_S_LOW, &pool->state) ||
		    test_and_set_bit(MPOOL_S_LOW, &pool->state))
			return;
		this_cpu_inc(pool->stats->low_events);
		trace_mpool_low_watermark(pool, idle > 0 ? idle : 0, in_use);
	} else if (test_bit(MPOOL_S_LOW, &pool->state)) {
		clear_bit(MPOOL_S_LOW, &pool->state);
	}
}

/*
 * Sum what is out and quarantined, for the shrinker's estimate and, if
 * @stats, for the high-water mark and the low watermark. Runs from the
 * irq_works below, and from nowhere a get or put waits for.
 */
static void mpool_stats_sample(struct mpool *pool, bool stats)
{
	s64 out = mpool_stats_out(pool);
	u64 in_use = out > 0 ? out : 0;
	u64 quarantined = mpool_stats_quarantined(pool);

	WRITE_ONCE(pool->busy_est, in_use + quarantined);
	if (!stats)
		return;
	mpool_stats_raise_hwm(pool, in_use);
	if (READ_ONCE(pool->low_watermark) && !test_bit(MPOOL_S_LOW_OWNED, &pool->state))
		mpool_stats_check_low(pool, in_use, quarantined);
	mpool_alert_sample(pool);
}

/* sample_work: what mpool_stats_slow() asked for. */
static void mpool_stats_sample_fn(struct irq_work *work)
{
	mpool_stats_sample(container_of(work, struct mpool, sample_work), true);
}

/* est_work: the shrinker's estimate alone, which stats=0 does not stop. */
static void mpool_stats_est_fn(struct irq_work *work)
{
	mpool_stats_sample(container_of(work, struct mpool, est_work), false);
}

/**
 * mpool_stats_pool_init() - set up a new pool's samples
 * @pool: the pool, before anything can ask it for a sample
 */
void mpool_stats_pool_init(struct mpool *pool)
{
	pool->sample_work = IRQ_WORK_INIT_LAZY(mpool_stats_sample_fn);
	pool->est_work = IRQ_WORK_INIT_LAZY(mpool_stats_est_fn);
	mpool_alert_pool_init(pool);
}

/**
 * mpool_stats_sync() - wait for the samples asked for so far
 * @pool: the pool
 *
 * Before a pool is freed, and for KUnit, which must know when a sample
 * has run.
 *
 * Context: process context; may wait up to a timer tick of the CPU the
 * sample was queued on.
 */
void mpool_stats_sync(struct mpool *pool)
{
	irq_work_sync(&pool->sample_work);
	irq_work_sync(&pool->est_work);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_sync);

/**
 * mpool_stats_idle_estimate() - idle objects as of the last sum, for the
 *	shrinker
 * @pool: the pool
 *
 * O(1): from the last sum any sample or read made, which may be stale by
 * whatever the pool did since (no put asks for a sample: a pool whose
 * objects all came back since is underestimated). So it also asks for a
 * fresh sum for the next call.
 *
 * Context: any.
 * Return: capacity minus the objects out or quarantined then, at least 0.
 */
unsigned int mpool_stats_idle_estimate(struct mpool *pool)
{
	unsigned long busy = READ_ONCE(pool->busy_est);
	unsigned int capacity = READ_ONCE(pool->capacity);

	irq_work_queue(&pool->est_work);
	return busy < capacity ? capacity - busy : 0;
}

/**
 * mpool_stats_tick() - the periodic sample of the ring and lockfree engines
 * @pool: the pool
 *
 * Their hit path has no slow path to sample on, so it calls this every
 * MPOOL_STATS_TICK gets of a CPU. Asks for the sample, which runs later,
 * so a get in NMI samples as well as any other. Not for direct use.
 *
 * Context: any the pool's engine allows, NMI included.
 */
__cold void mpool_stats_tick(struct mpool *pool)
{
	mpool_stats_slow(pool);
}
EXPORT_SYMBOL_GPL(mpool_stats_tick);

/**
 * mpool_stats_read() - sum a pool's per-CPU statistics
 * @pool: the pool
 * @sum: where to store the result
 *
 * Also raises the high-water mark to the in_use it reports, so that the
 * mark never reads below a value some reader saw.
 *
 * Context: any but NMI; does not stop the CPUs updating the counters, so
 * the sum of a busy pool is not a snapshot (see struct mpool_stats_sum).
 */
void mpool_stats_read(struct mpool *pool, struct mpool_stats_sum *sum)
{
	s64 out, idle;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	/* Gets (and leases) before puts (and releases): see mpool_stats_out(). */
	for_each_possible_cpu(cpu) {
		const struct mpool_stats *s = per_cpu_ptr(pool->stats, cpu);

		sum->alloc += READ_ONCE(per_cpu_ptr(pool->hot.cpu, cpu)->gets);
		sum->refill += READ_ONCE(s->refill);
		sum->miss += READ_ONCE(s->miss);
		sum->slow += READ_ONCE(s->slow);
		sum->grow += READ_ONCE(s->grow);
		sum->leases += READ_ONCE(s->lease);
		sum->low_events += READ_ONCE(s->low_events);
		sum->sessions += READ_ONCE(s->sessions);
		sum->reserved += READ_ONCE(s->reserved);
	}
	/* The puts (and releases) only after every get (and lease). */
	smp_rmb();
	for_each_possible_cpu(cpu) {
		const struct mpool_stats *s = per_cpu_ptr(pool->stats, cpu);

		sum->put += READ_ONCE(per_cpu_ptr(pool->hot.cpu, cpu)->puts);
		sum->flush += READ_ONCE(s->flush);
		sum->shrink += READ_ONCE(s->shrink);
		sum->shrunk_objs += READ_ONCE(s->shrunk_objs);
		sum->reclaimed += READ_ONCE(s->reclaimed);
		sum->quarantined += READ_ONCE(s->quarantined);
		sum->bad_frees += READ_ONCE(s->bad_free);
		sum->remote_frees += READ_ONCE(s->remote_free);
		sum->releases += READ_ONCE(s->release);
	}
	sum->enabled = mpool_stats_on();
	sum->capacity = READ_ONCE(pool->capacity);
	sum->max_objs = pool->hot.max_objs;
	sum->nr_arenas = READ_ONCE(pool->nr_arenas);
	sum->arena_objs = 1U << pool->hot.arena_shift;
	sum->arena_pages = pool->arena_pages;
	sum->low_watermark = READ_ONCE(pool->low_watermark);
	sum->below_low = test_bit(MPOOL_S_LOW, &pool->state);
	sum->node = pool->node;
	sum->free = sum->put - min(sum->quarantined, sum->put);
	sum->hit = sum->alloc - min(sum->slow + sum->refill, sum->alloc);
	sum->leased = sum->leases > sum->releases ? sum->leases - sum->releases : 0;

	out = (s64)(sum->alloc - sum->put);
	sum->in_use = out > 0 ? out : 0;
	WRITE_ONCE(pool->busy_est, sum->in_use + sum->quarantined);
	if (sum->enabled) {
		mpool_stats_raise_hwm(pool, sum->in_use);
		sum->hwm = atomic_long_read(&pool->hwm);
	}
	idle = (s64)sum->capacity - (s64)sum->in_use - (s64)sum->quarantined;
	sum->idle = idle > 0 ? idle : 0;
	/* Only read: judging a window is the sample's job, not a reader's. */
	mpool_get_rate_status(pool, &sum->rate);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_read);

/**
 * mpool_stats_cpu() - one CPU's counters of a pool
 * @pool: the pool
 * @cpu: a possible CPU
 * @out: where to store them: alloc, put, hit, refill, flush, miss
 *
 * Context: any; racy against that CPU, for display.
 */
void mpool_stats_cpu(const struct mpool *pool, int cpu,
		     struct mpool_stats_sum *out)
{
	const struct mpool_stats *s = per_cpu_ptr(pool->stats, cpu);
	const struct mpool_cpu *c = per_cpu_ptr(pool->hot.cpu, cpu);

	memset(out, 0, sizeof(*out));
	out->alloc = READ_ONCE(c->gets);
	out->put = READ_ONCE(c->puts);
	out->refill = READ_ONCE(s->refill);
	out->flush = READ_ONCE(s->flush);
	out->miss = READ_ONCE(s->miss);
	out->slow = READ_ONCE(s->slow);
	/* A slow get may be counted on one CPU and handed out on another. */
	out->hit = out->alloc - min(out->slow + out->refill, out->alloc);
}

/**
 * mpool_stats_node_pages() - how many of a pool's arena pages are on a node
 * @pool: the pool
 * @nid: any node number
 *
 * Every arena is one page-allocator allocation, all on one node: kmod/arena.c
 * counts its pages there (page_to_nid()) as it adds and frees arenas.
 *
 * Context: any; a grow or shrink in progress may be seen half done.
 * Return: the pages, 0 for a node that does not exist.
 */
unsigned long mpool_stats_node_pages(const struct mpool *pool, int nid)
{
	if (nid < 0 || nid >= nr_node_ids)
		return 0;
	return READ_ONCE(pool->node_pages[nid]);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_node_pages);

/**
 * mpool_stats_leased() - count buffers leased to or released by userspace
 * @pool: the pool the buffers are objects of
 * @delta: buffers leased (> 0) or released (< 0)
 *
 * Count a lease after its objects are out of the pool and a release before
 * they go back, so that leased never exceeds in_use. Follow it with
 * trace_mpool_lease() or trace_mpool_release(), which report the new
 * total.
 *
 * Context: any but NMI.
 */
void mpool_stats_leased(struct mpool *pool, int delta)
{
	if (delta >= 0)
		this_cpu_add(pool->stats->lease, delta);
	else
		this_cpu_add(pool->stats->release, -(s64)delta);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_leased);

/**
 * mpool_stats_session() - count /dev/mempool sessions attached to a pool
 * @pool: the pool
 * @delta: +1 when a session attaches, -1 when it detaches
 *
 * Context: any but NMI.
 */
void mpool_stats_session(struct mpool *pool, int delta)
{
	this_cpu_add(pool->stats->sessions, delta);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_session);

/**
 * mpool_stats_reserved() - count bytes /dev/mempool reserves for a pool
 * @pool: the pool
 * @delta: bytes charged (> 0) or uncharged (< 0)
 *
 * Context: any but NMI.
 */
void mpool_stats_reserved(struct mpool *pool, s64 delta)
{
	this_cpu_add(pool->stats->reserved, delta);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_stats_reserved);

/**
 * mpool_stats_own_low() - the owner judges the pool's low watermark
 * @pool: the pool
 * @low_watermark: the new watermark, 0 for none
 *
 * For an owner that knows exactly how many objects are free (/dev/mempool
 * counts its leases): samples stop judging the watermark, which they can
 * only estimate, and the owner reports each crossing through
 * mpool_stats_low_crossed(), so that the statistics, debugfs and the
 * mpool_low_watermark trace event show the owner's judgement.
 *
 * Context: any but NMI.
 */
void mpool_stats_own_low(struct mpool *pool, unsigned int low_watermark)
{
	set_bit(MPOOL_S_LOW_OWNED, &pool->state);
	clear_bit(MPOOL_S_LOW, &pool->state);
	WRITE_ONCE(pool->low_watermark, low_watermark);
}

/**
 * mpool_stats_low_crossed() - the owner saw the watermark crossed
 * @pool: a pool whose owner called mpool_stats_own_low()
 * @below: free objects fell below the watermark (else: back above it)
 * @idle: free objects now
 *
 * Context: any but NMI.
 */
void mpool_stats_low_crossed(struct mpool *pool, bool below, u64 idle)
{
	if (!below) {
		clear_bit(MPOOL_S_LOW, &pool->state);
		return;
	}
	set_bit(MPOOL_S_LOW, &pool->state);
	this_cpu_inc(pool->stats->low_events);
	trace_mpool_low_watermark(pool, idle, mpool_stats_in_use(pool));
}
