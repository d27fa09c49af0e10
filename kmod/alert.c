// SPDX-License-Identifier: GPL-2.0
/*
 * Rate thresholds for kernel users: a minimum hit rate and a maximum miss
 * rate per pool, what the seed's monitor watched, as trace events.
 *
 * Cost. The hit path stays as it is: no get or put looks at a threshold.
 * Rates come from counters the pool keeps anyway (struct mpool_cpu gets,
 * struct mpool_stats slow, refill and miss, as mpool_stats_read() derives
 * hits), summed by the statistics sample that the slow paths, and every
 * MPOOL_STATS_TICK-th get of the ring and lockfree engines, already ask for
 * (kmod/stats.c). A pool without thresholds pays one load per sample.
 *
 * Windows. Each judgement covers the gets since the previous one; a window
 * of fewer than MPOOL_RATE_MIN_GETS gets is left to grow, so that a few
 * unlucky gets of a quiet pool do not decide anything. Samples come at
 * most one per timer tick and pool, and the percpu engine asks for one
 * only on depot trades and misses, so a window of a pool that only hits
 * its magazines can be long: the first window with misses after such a
 * stretch is diluted by its hits, and the next ones are not.
 *
 * Hysteresis. A threshold fires once when a window is past it and re-arms
 * only when a window is back at least half-way from it to the ideal (1000
 * for hits, 0 for misses): a pool hovering at the line fires once, not on
 * every other window.
 *
 * Context. The sample is an irq_work, and an irq_work may be queued again,
 * and so run on another CPU, while it still runs: @lock serializes the
 * judgements, and the counters are summed under it too, so that no window
 * can start after the sum that ends it. Samples never run in NMI (an NMI
 * get only queues one), so a raw spinlock with IRQs off is safe everywhere
 * they run, PREEMPT_RT's irq_work threads included.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>

#include "pool.h"
#include "trace.h"

#define MPOOL_PERMILLE	1000U

/* Gets asked for, hits and misses so far, as mpool_stats_read() counts them. */
static void mpool_alert_counts(const struct mpool *pool, u64 *gets, u64 *hits,
			       u64 *misses)
{
	u64 alloc = 0, served = 0, miss = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct mpool_stats *s = per_cpu_ptr(pool->stats, cpu);

		alloc += READ_ONCE(per_cpu_ptr(pool->hot.cpu, cpu)->gets);
		served += READ_ONCE(s->slow) + READ_ONCE(s->refill);
		miss += READ_ONCE(s->miss);
	}
	*gets = alloc + miss;
	*hits = alloc - min(served, alloc);
	*misses = miss;
}

/* The hit rate that re-arms @min: half-way from it to 1000, rounded up. */
static unsigned int mpool_alert_hit_rearm(unsigned int min)
{
	return min + DIV_ROUND_UP(MPOOL_PERMILLE - min, 2);
}

/* The miss rate that re-arms @max: half-way from it to 0, rounded down. */
static unsigned int mpool_alert_miss_rearm(unsigned int max)
{
	return max / 2;
}

/**
 * mpool_alert_pool_init() - set up a new pool's rate thresholds, all off
 * @pool: the pool, zeroed, before anything can sample it
 */
void mpool_alert_pool_init(struct mpool *pool)
{
	raw_spin_lock_init(&pool->alert.lock);
}

/**
 * mpool_alert_sample() - judge the window that ends now
 * @pool: the pool
 *
 * Called by the statistics sample. Fires mempool:mpool_threshold for each
 * threshold the window crossed.
 *
 * Context: the sample's irq_work (hard IRQ, or its thread under
 * PREEMPT_RT); any context but NMI.
 */
void mpool_alert_sample(struct mpool *pool)
{
	struct mpool_alert *a = &pool->alert;
	bool hit_fired = false, miss_fired = false;
	unsigned int min_hit, max_miss, hit_pm = 0, miss_pm = 0;
	u64 gets, hits, misses, dg, dh, dm;
	unsigned long flags;

	/* Racy peek: a pool without thresholds takes no lock. */
	if (!READ_ONCE(a->min_hit) && !READ_ONCE(a->max_miss))
		return;
	raw_spin_lock_irqsave(&a->lock, flags);
	min_hit = a->min_hit;
	max_miss = a->max_miss;
	if (!min_hit && !max_miss)
		goto unlock;
	mpool_alert_counts(pool, &gets, &hits, &misses);
	dg = gets - a->gets;
	if (dg < MPOOL_RATE_MIN_GETS)
		goto unlock;
	/*
	 * Sums taken while other CPUs count are not snapshots: a slow get
	 * may be in slow before it is in gets, so hits can even step back.
	 * Neither share may exceed the window.
	 */
	dh = hits > a->hits ? min(hits - a->hits, dg) : 0;
	dm = min(misses - a->misses, dg);
	a->gets = gets;
	a->hits = hits;
	a->misses = misses;
	hit_pm = div64_u64(dh * MPOOL_PERMILLE, dg);
	miss_pm = div64_u64(dm * MPOOL_PERMILLE, dg);
	a->st.last_hit_permille = hit_pm;
	a->st.last_miss_permille = miss_pm;
	a->st.windows++;

	if (min_hit) {
		if (!a->st.hit_low && hit_pm < min_hit) {
			a->st.hit_low = true;
			a->st.hit_events++;
			hit_fired = true;
		} else if (a->st.hit_low && hit_pm >= mpool_alert_hit_rearm(min_hit)) {
			a->st.hit_low = false;
		}
	}
	if (max_miss) {
		if (!a->st.miss_high && miss_pm > max_miss) {
			a->st.miss_high = true;
			a->st.miss_events++;
			miss_fired = true;
		} else if (a->st.miss_high && miss_pm <= mpool_alert_miss_rearm(max_miss)) {
			a->st.miss_high = false;
		}
	}
unlock:
	raw_spin_unlock_irqrestore(&a->lock, flags);
	/* Outside the lock: probes may take their time. */
	if (hit_fired)
		trace_mpool_threshold(pool, MPOOL_THRESH_HIT_RATE, hit_pm, min_hit);
	if (miss_fired)
		trace_mpool_threshold(pool, MPOOL_THRESH_MISS_RATE, miss_pm, max_miss);
}

/**
 * mpool_set_rate_thresholds() - set a pool's minimum hit rate and maximum
 *	miss rate
 * @pool: the pool
 * @min_hit_permille: fire when a window's hits are fewer than this per
 *	mille of its gets; 0: off
 * @max_miss_permille: fire when a window's misses are more than this per
 *	mille of its gets; 0: off (1000 never fires)
 *
 * Gets are what callers asked for: objects handed out plus gets that
 * failed (a bulk get counts its objects if it succeeds, one miss if not).
 * A hit is an object the hit path, or the ring or lockfree engine without
 * the pool lock, handed out; a miss a get that found the pool empty and
 * could not grow it. Gets served by a depot trade or under the pool lock
 * are neither, so the two rates need not add up to 1000.
 *
 * The rates are measured over windows of at least MPOOL_RATE_MIN_GETS
 * gets, judged by the pool's statistics sample (see the top of this file),
 * in whole per mille rounded down. Each crossing fires the mempool:mpool_threshold trace
 * event once (kind min_hit_permille or max_miss_permille, value the
 * window's rate, limit the threshold) and is counted (see
 * mpool_get_rate_status()). The minimum hit rate re-arms after a window
 * at or above half-way from it to 1000, rounded up ((@min_hit_permille +
 * 1000 + 1) / 2); the maximum miss rate after a window at or below half of
 * it, rounded down (@max_miss_permille / 2).
 *
 * Setting thresholds, even the same ones, starts a new window and re-arms
 * both; the crossing counts go on. Nothing is judged while mempool.ko is
 * loaded with stats=0.
 *
 * Context: any but NMI; sums every CPU's counters. The caller holds a
 * reference to @pool.
 * Return: 0, or -EINVAL if a threshold is above 1000 (nothing changes then).
 */
int mpool_set_rate_thresholds(struct mpool *pool, unsigned int min_hit_permille,
			      unsigned int max_miss_permille)
{
	struct mpool_alert *a = &pool->alert;
	unsigned long flags;

	if (min_hit_permille > MPOOL_PERMILLE || max_miss_permille > MPOOL_PERMILLE)
		return -EINVAL;
	raw_spin_lock_irqsave(&a->lock, flags);
	mpool_alert_counts(pool, &a->gets, &a->hits, &a->misses);
	a->st.hit_low = false;
	a->st.miss_high = false;
	WRITE_ONCE(a->min_hit, min_hit_permille);
	WRITE_ONCE(a->max_miss, max_miss_permille);
	raw_spin_unlock_irqrestore(&a->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(mpool_set_rate_thresholds);

/**
 * mpool_get_rate_status() - a pool's rate thresholds and their crossings
 * @pool: the pool
 * @st: where to store them
 *
 * Context: any but NMI. The caller holds a reference to @pool.
 */
void mpool_get_rate_status(struct mpool *pool, struct mpool_rate_status *st)
{
	struct mpool_alert *a = &pool->alert;
	unsigned long flags;

	raw_spin_lock_irqsave(&a->lock, flags);
	*st = a->st;
	st->min_hit_permille = a->min_hit;
	st->max_miss_permille = a->max_miss;
	raw_spin_unlock_irqrestore(&a->lock, flags);
}
EXPORT_SYMBOL_GPL(mpool_get_rate_status);
