// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA: where a pool's memory lands, and where the percpu engine sends the
 * objects freed on CPUs of another node (kmod/arena.c, the top of
 * kmod/engine_percpu.c).
 *
 * Placement runs on any machine (one node is a node too); the recycling
 * cases need a CPU on each of two nodes and skip without them, as they do
 * on a kernel without the two-node guest of tests/vm/run.sh. Work that must
 * run on a given CPU runs in a kthread bound to it, and the test waits for
 * its completion.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/nodemask.h>
#include <linux/topology.h>

#include "mpool_test.h"
#include <linux/mpool/magazine.h>

/* Arena pages of @pool on all nodes but @nid. */
static unsigned long numa_pages_elsewhere(const struct mpool *pool, int nid)
{
	unsigned long n = 0;
	int other;

	for_each_node(other)
		if (other != nid)
			n += mpool_stats_node_pages(pool, other);
	return n;
}

/* Every arena page of a pool bound to a node is on it, across grows and shrinks. */
static void numa_placement_bound(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "numa-bound", 4096, 64, 16);
	struct mpool_stats_sum s;
	struct mpool *pool;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		p->node = nid;
		pool = mpool_test_create(test, p);
		s = mpool_test_stats(pool);
		KUNIT_EXPECT_EQ(test, s.node, nid);
		KUNIT_EXPECT_EQ(test, mpool_stats_node_pages(pool, nid),
				(unsigned long)s.nr_arenas * s.arena_pages);
		KUNIT_EXPECT_GT(test, mpool_stats_node_pages(pool, nid), 0UL);
		KUNIT_EXPECT_EQ(test, numa_pages_elsewhere(pool, nid), 0UL);
		/* Past the last node: none. */
		KUNIT_EXPECT_EQ(test, mpool_stats_node_pages(pool, nr_node_ids), 0UL);

		KUNIT_EXPECT_EQ(test, mpool_grow(pool, 64, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, mpool_stats_node_pages(pool, nid), 64UL);
		KUNIT_EXPECT_EQ(test, numa_pages_elsewhere(pool, nid), 0UL);

		/* Freed arenas are counted off again. */
		mpool_drain(pool);
		KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);
		KUNIT_EXPECT_EQ(test, mpool_stats_node_pages(pool, nid), 0UL);
		mpool_destroy(pool);
	}
}

struct numa_work {
	struct mpool_params *p;		/* create this pool, or */
	struct mpool *pool;		/* use this one: */
	void **objs;
	unsigned int n;
	bool alloc;			/* take @n objects, or give them back */
	bool ok;
	struct completion done;
};

static int numa_work_fn(void *arg)
{
	struct numa_work *w = arg;

	if (w->p) {
		w->pool = mpool_create(w->p);
		w->ok = !IS_ERR(w->pool);
	} else if (w->alloc) {
		w->ok = !mpool_alloc_bulk(w->pool, w->objs, w->n, GFP_KERNEL);
	} else {
		unsigned int i;

		/* One by one: the inline put is what a remote CPU must refuse. */
		for (i = 0; i < w->n; i++)
			mpool_free(w->pool, w->objs[i]);
		w->ok = true;
	}
	kthread_complete_and_exit(&w->done, 0);
	return 0;
}

static void numa_run_on(struct kunit *test, struct numa_work *w, unsigned int cpu)
{
	struct task_struct *t;

	init_completion(&w->done);
	t = kthread_run_on_cpu(numa_work_fn, w, cpu, "mpool-numa/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&w->done);
	KUNIT_ASSERT_TRUE(test, w->ok);
}

/* An online CPU of node @nid, or nr_cpu_ids. */
static unsigned int numa_cpu_of(int nid)
{
	return cpumask_first_and(cpumask_of_node(nid), cpu_online_mask);
}

/* A CPU on each of two nodes with memory, or skip. */
static void numa_two_cpus(struct kunit *test, unsigned int *home, unsigned int *away)
{
	int nid, first = NUMA_NO_NODE;

	for_each_node_state(nid, N_MEMORY) {
		if (numa_cpu_of(nid) >= nr_cpu_ids)
			continue;
		if (first == NUMA_NO_NODE) {
			first = nid;
			continue;
		}
		*home = numa_cpu_of(first);
		*away = numa_cpu_of(nid);
		return;
	}
	kunit_skip(test, "needs CPUs on two nodes with memory");
}

/* A pool without a node takes its memory on its creator's node. */
static void numa_unbound_follows_creator(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "numa-creator", 4096, 64, 32);
	struct numa_work w = { .p = p };
	unsigned int cpu;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		cpu = numa_cpu_of(nid);
		if (cpu >= nr_cpu_ids)
			continue;
		numa_run_on(test, &w, cpu);
		mpool_test_own(test, w.pool);
		KUNIT_EXPECT_EQ(test, mpool_test_stats(w.pool).node, NUMA_NO_NODE);
		KUNIT_EXPECT_EQ(test, mpool_stats_node_pages(w.pool, nid), 32UL);
		KUNIT_EXPECT_EQ(test, numa_pages_elsewhere(w.pool, nid), 0UL);
		mpool_destroy(w.pool);
	}
}

/*
 * Objects of a pool bound to one node, freed on a CPU of another: none
 * stays in that CPU's magazines; they gather in its batch and go to the
 * depot together, counted. Freed at home, they stay in the home CPU's cache.
 */
static void numa_remote_free_goes_home(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "numa-home", 64,
						   4 * MPOOL_MAG_SIZE, 0);
	void **objs = kunit_kcalloc(test, MPOOL_MAG_SIZE + 1, sizeof(void *), GFP_KERNEL);
	struct numa_work w = { .objs = objs };
	unsigned int home, away, depot;
	struct mpool_stats_sum s0, s;
	struct mpool *pool;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	numa_two_cpus(test, &home, &away);
	p->engine = MPOOL_ENGINE_PERCPU;
	p->node = cpu_to_node(home);
	pool = mpool_test_create(test, p);
	w.pool = pool;

	w.alloc = true;
	w.n = MPOOL_MAG_SIZE + 1;
	numa_run_on(test, &w, home);
	KUNIT_EXPECT_EQ(test, pool->ops->cpu_cached(pool, away), 0U);
	depot = pool->ops->count(pool);
	s0 = mpool_test_stats(pool);

	/* All but one: they wait in the away CPU's batch, not in its magazines. */
	w.alloc = false;
	w.n = MPOOL_MAG_SIZE - 1;
	numa_run_on(test, &w, away);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.remote_frees - s0.remote_frees, (u64)MPOOL_MAG_SIZE - 1);
	KUNIT_EXPECT_EQ(test, s.flush, s0.flush);
	KUNIT_EXPECT_EQ(test, pool->ops->count(pool), depot);
	KUNIT_EXPECT_EQ(test, pool->ops->cpu_cached(pool, away), MPOOL_MAG_SIZE - 1);

	/* The one that fills the batch sends it home, in one trade. */
	w.objs = objs + MPOOL_MAG_SIZE - 1;
	w.n = 1;
	numa_run_on(test, &w, away);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.remote_frees - s0.remote_frees, (u64)MPOOL_MAG_SIZE);
	KUNIT_EXPECT_EQ(test, s.flush, s0.flush + 1);
	KUNIT_EXPECT_EQ(test, pool->ops->count(pool), depot + MPOOL_MAG_SIZE);
	KUNIT_EXPECT_EQ(test, pool->ops->cpu_cached(pool, away), 0U);

	/* At home, a free is an ordinary hit: the home CPU's cache keeps it. */
	w.objs = objs + MPOOL_MAG_SIZE;
	numa_run_on(test, &w, home);
	s = mpool_test_stats(pool);
	KUNIT_EXPECT_EQ(test, s.remote_frees - s0.remote_frees, (u64)MPOOL_MAG_SIZE);
	KUNIT_EXPECT_EQ(test, pool->ops->count(pool), depot + MPOOL_MAG_SIZE);
	KUNIT_EXPECT_EQ(test, s.in_use, 0ULL);

	/* A drain finds what a batch holds, too. */
	w.objs = objs;
	w.alloc = true;
	numa_run_on(test, &w, home);
	w.alloc = false;
	numa_run_on(test, &w, away);
	KUNIT_EXPECT_EQ(test, pool->ops->cpu_cached(pool, away), 1U);
	mpool_drain(pool);
	KUNIT_EXPECT_EQ(test, mpool_capacity(pool), 0U);
	mpool_destroy(pool);
}

/* A pool bound to no node recycles locally on every CPU, as documented. */
static void numa_unbound_recycles_locally(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "numa-local", 64,
						   4 * MPOOL_MAG_SIZE, 0);
	void **objs = kunit_kcalloc(test, MPOOL_MAG_SIZE, sizeof(void *), GFP_KERNEL);
	struct numa_work w = { .objs = objs, .n = MPOOL_MAG_SIZE };
	unsigned int home, away, depot;
	struct mpool *pool;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	numa_two_cpus(test, &home, &away);
	p->engine = MPOOL_ENGINE_PERCPU;
	pool = mpool_test_create(test, p);
	w.pool = pool;

	w.alloc = true;
	numa_run_on(test, &w, home);
	depot = pool->ops->count(pool);
	w.alloc = false;
	numa_run_on(test, &w, away);
	KUNIT_EXPECT_EQ(test, mpool_test_stats(pool).remote_frees, 0ULL);
	KUNIT_EXPECT_EQ(test, pool->ops->count(pool), depot);
	KUNIT_EXPECT_EQ(test, pool->ops->cpu_cached(pool, away), MPOOL_MAG_SIZE);
	mpool_destroy(pool);
}

static struct kunit_case mpool_numa_cases[] = {
	KUNIT_CASE(numa_placement_bound),
	KUNIT_CASE(numa_unbound_follows_creator),
	KUNIT_CASE(numa_remote_free_goes_home),
	KUNIT_CASE(numa_unbound_recycles_locally),
	{}
};

static struct kunit_suite mpool_numa_suite = {
	.name = "mpool_numa",
	.test_cases = mpool_numa_cases,
};

kunit_test_suites(&mpool_numa_suite);
