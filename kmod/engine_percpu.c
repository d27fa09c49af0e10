// SPDX-License-Identifier: GPL-2.0
/*
 * The percpu engine: Bonwick magazines (<linux/mpool/magazine.h>).
 *
 * Each CPU owns a cache of two magazines (in struct mpool_cpu, beside its
 * counters) and serves get/put from it with local IRQs off and nothing
 * else: no lock, no atomic read-modify-write, no shared cache line. That
 * hit half is inline in the caller (<linux/mpool/fast.h>); here is the
 * rest. Only every MPOOL_MAG_SIZE operations or so does a CPU trade a
 * whole magazine with the depot under its raw spinlock.
 *
 * All magazines are allocated when the pool is created, enough for the
 * depot's sizing rule, so a put never fails and never allocates.
 *
 * Up to 2 * MPOOL_MAG_SIZE idle objects can sit in each CPU's cache where
 * other CPUs cannot get them: a get that cannot block may fail while they
 * do; one that can block flushes every cache first (pool.c). A CPU that goes
 * offline has its cache flushed to the depot once it is dead.
 *
 * Node-aware recycling. A pool bound to a node (mpool_params.node) has all
 * its memory there (kmod/arena.c) and one depot, which is that node's. A
 * CPU of another node may get objects from it like any CPU, but what it
 * frees must not stay in its own magazines, to be handed out again on the
 * wrong side: it goes home, to the depot, where the CPUs of the pool's node
 * find it (page_pool recycles only pages of its node, SLUB frees a remote
 * object to its slab's node, for the same reason). Such a CPU's cache has
 * put_max 0, so its put hit fails at no cost to any other CPU's put (see
 * <linux/mpool/magazine.h>), and the slow path below gathers its frees in a
 * batch magazine of its own, e->remote[cpu], that goes to the depot when
 * full: one lock per MPOOL_MAG_SIZE remote frees, counted in remote_free
 * (objects) and flush (batches). Which CPUs are remote is decided when the
 * pool is built, from cpu_to_node(), which is fixed for a possible CPU.
 * A pool bound to no node sits on its creator's node when memory allows
 * (kmod/arena.c) and recycles everything locally: it never asked for a
 * node.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/smp.h>

#include <linux/mpool/magazine.h>
#include "pool.h"

struct mpool_pcp {
	struct mpool_depot depot;
	struct mpool_mag *mags;
	/* [nr_cpu_ids] node-bound pools: each remote CPU's batch, else NULL */
	struct mpool_mag **remote;
	struct mpool *pool;		/* for the hotplug callback */
	struct hlist_node cpuhp_node;
};

static enum cpuhp_state mpool_pcp_hp_state;

/* This CPU's magazines, which live beside its counters (struct mpool_cpu). */
static struct mpool_mag_cache *mpool_pcp_cache(struct mpool *pool, int cpu)
{
	return &per_cpu_ptr(pool->hot.cpu, cpu)->mags;
}

/*
 * The magazines hold object addresses, so that a hit hands one out as it
 * is; the engine interface speaks indices. Only objects of the pool ever
 * enter a magazine, so the way back cannot fail.
 */
static unsigned long mpool_pcp_obj(struct mpool *pool, u32 idx)
{
	return (unsigned long)mpool_idx_to_obj(pool, idx);
}

static u32 mpool_pcp_idx(struct mpool *pool, unsigned long obj)
{
	u32 idx = 0;

	WARN_ON_ONCE(!mpool_hot_obj_to_idx(&pool->hot, (void *)obj, &idx));
	return idx;
}

/*
 * The slow half of a get: the hit half is inline (<linux/mpool/fast.h>).
 * With IRQs off, as the cache requires; a depot trade is this engine's
 * slow path, where it asks for a statistics sample (which runs later: see
 * kmod/stats.c).
 */
static unsigned int mpool_pcp_get_bulk(struct mpool *pool, u32 *idx,
				       unsigned int n)
{
	struct mpool_pcp *e = pool->engine;
	struct mpool_mag_cache *c;
	enum mpool_mag_result res;
	unsigned int i, trades = 0;
	unsigned long flags, obj;

	local_irq_save(flags);
	c = this_cpu_ptr(&pool->hot.cpu->mags);
	for (i = 0; i < n; i++) {
		res = mpool_mag_alloc(c, &e->depot, &obj);
		if (res == MPOOL_MAG_EMPTY)
			break;
		idx[i] = mpool_pcp_idx(pool, obj);
		trades += res == MPOOL_MAG_DEPOT;
	}
	if (trades)
		__this_cpu_add(pool->stats->refill, trades);
	local_irq_restore(flags);
	if (trades)
		mpool_stats_slow(pool);
	return i;
}

static void mpool_pcp_put_bulk(struct mpool *pool, const u32 *idx,
			       unsigned int n)
{
	struct mpool_pcp *e = pool->engine;
	struct mpool_mag **batch = NULL;
	struct mpool_mag_cache *c;
	enum mpool_mag_result res;
	unsigned int i, trades = 0;
	unsigned long flags, obj;
	bool lost = false;

	local_irq_save(flags);
	c = this_cpu_ptr(&pool->hot.cpu->mags);
	/* A CPU of another node than the pool's: see the top of this file. */
	if (unlikely(!c->put_max)) {
		batch = &e->remote[smp_processor_id()];
		__this_cpu_add(pool->stats->remote_free, n);
	}
	for (i = 0; i < n; i++) {
		obj = mpool_pcp_obj(pool, idx[i]);
		if (batch)
			res = mpool_mag_send(batch, &e->depot, obj);
		else
			res = mpool_mag_free(c, &e->depot, obj);
		trades += res == MPOOL_MAG_DEPOT;
		lost |= res == MPOOL_MAG_EMPTY;
	}
	if (trades)
		__this_cpu_add(pool->stats->flush, trades);
	local_irq_restore(flags);
	if (trades)
		mpool_stats_slow(pool);
	/* Impossible with the magazines mpool_pcp_init() gives the depot. */
	WARN_ON_ONCE(lost);
}

/* Batches of reclaimed objects turned into indices. */
#define MPOOL_PCP_RECLAIM_BATCH	16

static unsigned int mpool_pcp_reclaim(struct mpool *pool, u32 *idx,
				      unsigned int max)
{
	unsigned long objs[MPOOL_PCP_RECLAIM_BATCH];
	struct mpool_pcp *e = pool->engine;
	unsigned int n = 0, got, i;

	while (n < max) {
		got = mpool_depot_reclaim(&e->depot, objs,
					  min_t(unsigned int, max - n, ARRAY_SIZE(objs)));
		for (i = 0; i < got; i++)
			idx[n++] = mpool_pcp_idx(pool, objs[i]);
		if (got < ARRAY_SIZE(objs))
			break;
	}
	return n;
}

/* Only the depot is reclaimable; CPU caches wait for a flush. */
static unsigned int mpool_pcp_count(struct mpool *pool)
{
	struct mpool_pcp *e = pool->engine;

	return mpool_depot_count(&e->depot);
}

/* How many indices a magazine of another CPU's cache holds, for display. */
static unsigned int mpool_pcp_mag_count(struct mpool_mag *const *slot)
{
	/* Racy by design: the owner swaps its magazines as we look. */
	struct mpool_mag *m = data_race(READ_ONCE(*slot));

	/* Every magazine lives as long as the pool: a stale one is still one. */
	return min_t(unsigned int, data_race(READ_ONCE(m->count)), MPOOL_MAG_SIZE);
}

/* @cpu's batch of remote frees, or NULL if its frees stay local. */
static struct mpool_mag **mpool_pcp_batch(struct mpool_pcp *e, int cpu)
{
	return e->remote && e->remote[cpu] ? &e->remote[cpu] : NULL;
}

/* For the statistics: what @cpu's cache holds, while @cpu may change it. */
static unsigned int mpool_pcp_cpu_cached(struct mpool *pool, int cpu)
{
	struct mpool_mag **batch = mpool_pcp_batch(pool->engine, cpu);
	struct mpool_mag_cache *c = mpool_pcp_cache(pool, cpu);
	unsigned int n;

	n = mpool_pcp_mag_count(&c->loaded) + mpool_pcp_mag_count(&c->prev);
	return batch ? n + mpool_pcp_mag_count(batch) : n;
}

/* Everything @cpu holds to the depot: its cache, and its batch if any. */
static void mpool_pcp_cpu_flush(struct mpool_pcp *e, int cpu)
{
	struct mpool_mag **batch = mpool_pcp_batch(e, cpu);

	mpool_mag_cache_flush(mpool_pcp_cache(e->pool, cpu), &e->depot);
	if (batch)
		mpool_mag_batch_flush(batch, &e->depot);
}

static void mpool_pcp_flush_local(void *arg)
{
	struct mpool *pool = arg;

	/* on_each_cpu() runs this with IRQs off, as the cache requires. */
	mpool_pcp_cpu_flush(pool->engine, smp_processor_id());
}

static void mpool_pcp_flush(struct mpool *pool)
{
	/*
	 * Offline CPUs were flushed when they died; holding the hotplug lock
	 * keeps one from dying half-way through, with its objects in neither
	 * place we look.
	 */
	cpus_read_lock();
	on_each_cpu(mpool_pcp_flush_local, pool, 1);
	cpus_read_unlock();
}

/* Teardown of a CPUHP_BP_PREPARE_DYN state: runs after @cpu is dead. */
static int mpool_pcp_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct mpool_pcp *e = hlist_entry(node, struct mpool_pcp, cpuhp_node);

	/*
	 * Nothing runs on @cpu any more, so its cache is ours; the hotplug
	 * machinery's synchronization orders that CPU's last writes to it
	 * before this.
	 */
	mpool_pcp_cpu_flush(e, cpu);
	return 0;
}

static void mpool_pcp_free(struct mpool_pcp *e)
{
	kvfree(e->remote);
	kvfree(e->mags);
	kvfree(e);
}

/* Does @cpu send what it frees home? See the top of this file. */
static bool mpool_pcp_is_remote(const struct mpool *pool, int cpu)
{
	return pool->node != NUMA_NO_NODE && cpu_to_node(cpu) != pool->node;
}

/* Give each remote CPU its batch; the depot was sized for them. */
static int mpool_pcp_remote_init(struct mpool *pool, struct mpool_pcp *e)
{
	unsigned long flags;
	int cpu, err = 0;

	e->remote = mpool_kvzalloc_node(array_size(nr_cpu_ids, sizeof(*e->remote)),
					pool->node);
	if (!e->remote)
		return -ENOMEM;
	raw_spin_lock_irqsave(&e->depot.lock, flags);
	for_each_possible_cpu(cpu) {
		if (!mpool_pcp_is_remote(pool, cpu))
			continue;
		e->remote[cpu] = mpool_depot_pop_empty(&e->depot);
		if (WARN_ON_ONCE(!e->remote[cpu])) {
			err = -ENOMEM;
			break;
		}
		/* Nothing put stays in this CPU's magazines. */
		mpool_pcp_cache(pool, cpu)->put_max = 0;
	}
	raw_spin_unlock_irqrestore(&e->depot.lock, flags);
	return err;
}

static int mpool_pcp_init(struct mpool *pool)
{
	unsigned int nr_mags, nr_remote = 0;
	struct mpool_pcp *e;
	unsigned int i;
	int cpu, err;

	for_each_possible_cpu(cpu)
		nr_remote += mpool_pcp_is_remote(pool, cpu);
	/* The depot sizing rule of mpool_mag_free(), batches included. */
	nr_mags = DIV_ROUND_UP(pool->hot.max_objs, MPOOL_MAG_SIZE) +
		  2 * num_possible_cpus() + nr_remote + 1;
	e = mpool_kvzalloc_node(sizeof(*e), pool->node);
	if (!e)
		return -ENOMEM;
	mpool_depot_init(&e->depot);
	e->mags = mpool_kvzalloc_node(array_size(nr_mags, sizeof(*e->mags)),
				      pool->node);
	e->pool = pool;
	if (!e->mags) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nr_mags; i++)
		mpool_depot_add_empty(&e->depot, &e->mags[i]);
	for_each_possible_cpu(cpu) {
		err = mpool_mag_cache_init(mpool_pcp_cache(pool, cpu), &e->depot);
		if (WARN_ON_ONCE(err))
			goto fail;
	}
	if (nr_remote) {
		err = mpool_pcp_remote_init(pool, e);
		if (err)
			goto fail;
	}
	err = cpuhp_state_add_instance_nocalls(mpool_pcp_hp_state, &e->cpuhp_node);
	if (err)
		goto fail;
	pool->engine = e;
	return 0;

fail:
	mpool_pcp_free(e);
	return err;
}

static void mpool_pcp_fini(struct mpool *pool)
{
	struct mpool_pcp *e = pool->engine;

	cpuhp_state_remove_instance_nocalls(mpool_pcp_hp_state, &e->cpuhp_node);
	mpool_pcp_free(e);
	pool->engine = NULL;
}

const struct mpool_engine_ops mpool_engine_percpu_ops = {
	.name		= "percpu",
	.init		= mpool_pcp_init,
	.fini		= mpool_pcp_fini,
	.get_bulk	= mpool_pcp_get_bulk,
	.put_bulk	= mpool_pcp_put_bulk,
	.reclaim	= mpool_pcp_reclaim,
	.flush		= mpool_pcp_flush,
	.count		= mpool_pcp_count,
	.cpu_cached	= mpool_pcp_cpu_cached,
};

/**
 * mpool_engines_init() - module-wide engine setup: the CPU hotplug state
 *
 * Return: 0 or a negative errno from cpuhp_setup_state_multi().
 */
int mpool_engines_init(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "mempool:dead",
				      NULL, mpool_pcp_cpu_dead);
	if (ret < 0)
		return ret;
	mpool_pcp_hp_state = ret;
	return 0;
}

/**
 * mpool_engines_exit() - undo mpool_engines_init(), once every pool is gone
 */
void mpool_engines_exit(void)
{
	cpuhp_remove_multi_state(mpool_pcp_hp_state);
}
