// SPDX-License-Identifier: GPL-2.0
/*
 * Getting and putting objects the slow way, and building a pool.
 *
 * The hit path is inline in the caller (<linux/mpool/fast.h>): one section
 * with IRQs or preemption off, one engine operation and one per-CPU count,
 * no call. Everything else is here: the engine's own slow half (a depot
 * trade, a ring push in flight), and behind pool->lock, only when the
 * caller's gfp mask allows blocking, growing and flushing CPU caches. The
 * slow paths count objects out and in with mpool_out_get() and
 * mpool_out_put(), under the same lifetime rule as the hit path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "pool.h"
#include "trace.h"

/* Indices moved between the engine and a bulk call per batch. */
#define MPOOL_BULK_BATCH	32

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
/*
 * Probability 0: fails nothing until armed, either by a task's fail-nth
 * counter (/proc/<pid>/fail-nth; should_fail() consults it first, and it
 * counts every fault-injection site the task meets, the kernel's too) or
 * by setting this attr's own knobs, as the KUnit sweep does. Quiet: an
 * injected failure is expected, not news.
 */
struct fault_attr mpool_fault_attr = FAULT_ATTR_INITIALIZER;
EXPORT_SYMBOL_IF_KUNIT(mpool_fault_attr);

static void mpool_fault_init(struct fault_attr *attr)
{
	attr->verbose = 0;
}
#endif

static const struct mpool_engine_ops *const mpool_engines[MPOOL_NR_ENGINES] = {
	[MPOOL_ENGINE_PERCPU]	= &mpool_engine_percpu_ops,
	[MPOOL_ENGINE_RING]	= &mpool_engine_ring_ops,
	[MPOOL_ENGINE_LOCKFREE]	= &mpool_engine_lockfree_ops,
};

/*
 * Count @n objects the caller took from the engine as out, in a section
 * RCU waits for, as the hit path does (see <linux/mpool/fast.h>). False if
 * the pool died: then they were not counted and go back to the engine.
 */
static bool mpool_out_get(struct mpool *pool, unsigned int n)
{
	bool alive;

	preempt_disable();
	alive = !READ_ONCE(pool->hot.dead);
	if (alive)
		this_cpu_add(pool->hot.cpu->gets, n);
	preempt_enable();
	return alive;
}

/*
 * Give @k indices back to the engine and count @n >= @k objects back (the
 * others were quarantined). While the pool lives, both happen in one
 * section RCU waits for, the count first: an object is never counted as
 * both out and back (another CPU may get it the moment the engine has it),
 * and the pool cannot be freed under the engine put. Once it is dead the
 * count is one atomic (mpool_pool_kill()), decremented last: the caller's
 * last touch of @pool, which is freed when the count reaches zero.
 */
static void mpool_out_put(struct mpool *pool, const u32 *idx, unsigned int k,
			  unsigned int n)
{
	preempt_disable();
	if (likely(!READ_ONCE(pool->hot.dead))) {
		this_cpu_add(pool->hot.cpu->puts, n);
		if (k)
			pool->ops->put_bulk(pool, idx, k);
		preempt_enable();
		return;
	}
	preempt_enable();
	if (k)
		pool->ops->put_bulk(pool, idx, k);
	if (atomic_long_sub_and_test(n, &pool->out))
		mpool_objs_release(pool);
}

/* CONFIG_DEBUG_VM: note that object @idx is out. */
static void mpool_debug_alloc_idx(struct mpool *pool, u32 idx)
{
	if (pool->out_map)
		WARN_ONCE(test_and_set_bit(idx, pool->out_map),
			  "mpool %s: object %u handed out twice\n", pool->name, idx);
}

/**
 * mpool_debug_alloc() - note that object @obj is out (CONFIG_DEBUG_VM)
 * @pool: the pool
 * @obj: the object a hit just handed out
 *
 * Called by the inline hit path of kernels built with CONFIG_DEBUG_VM; the
 * slow paths note their objects themselves. Not for direct use.
 *
 * Context: any the pool's engine allows.
 */
void mpool_debug_alloc(struct mpool *pool, const void *obj)
{
	u32 idx;

	if (!pool->out_map)
		return;
	if (WARN_ONCE(!mpool_hot_obj_to_idx(&pool->hot, obj, &idx),
		      "mpool %s: handed out %p, not one of its objects\n",
		      pool->name, obj))
		return;
	mpool_debug_alloc_idx(pool, idx);
}
EXPORT_SYMBOL_GPL(mpool_debug_alloc);

/* CONFIG_DEBUG_VM: is object @idx out? If not, refuse (and count) its free. */
static bool mpool_debug_free_idx(struct mpool *pool, u32 idx)
{
	if (!pool->out_map || test_and_clear_bit(idx, pool->out_map))
		return true;
	this_cpu_inc(pool->stats->bad_free);
	pr_err_ratelimited("mpool %s: object %u freed twice; refused\n",
			   pool->name, idx);
	return false;
}

/**
 * mpool_debug_free() - check that object @obj is out (CONFIG_DEBUG_VM)
 * @pool: the pool
 * @obj: one of its objects, being freed
 *
 * The double-free check of kernels built with CONFIG_DEBUG_VM; elsewhere
 * it passes everything. Not for direct use: mpool_free() calls it.
 *
 * Context: any the pool's engine allows.
 * Return: false, counted in bad_free and logged, if @obj is not out: the
 * caller must leave it alone.
 */
bool mpool_debug_free(struct mpool *pool, const void *obj)
{
	u32 idx;

	if (!pool->out_map || !mpool_hot_obj_to_idx(&pool->hot, obj, &idx))
		return true;
	return mpool_debug_free_idx(pool, idx);
}
EXPORT_SYMBOL_GPL(mpool_debug_free);

/* A get of @want objects failed: the pool is empty and cannot grow. */
static void mpool_count_miss(struct mpool *pool, unsigned int want, gfp_t gfp)
{
	this_cpu_inc(pool->stats->miss);
	trace_mpool_exhausted(pool, want, gfpflags_allow_blocking(gfp));
	mpool_stats_slow(pool);
}

/* __mpool_grow(), seen by the trace event and the statistics. */
static int mpool_grow_locked(struct mpool *pool, unsigned int nr_objs, gfp_t gfp,
			     bool on_demand)
{
	unsigned int old = pool->capacity;
	int err;

	err = __mpool_grow(pool, nr_objs, gfp);
	if (pool->capacity != old) {
		trace_mpool_grow(pool, old, on_demand);
		mpool_stats_slow(pool);
	}
	return err;
}

/**
 * mpool_pool_shrink() - __mpool_shrink(), traced and counted
 * @pool: the pool, pool->lock held
 * @nr_objs: as for __mpool_shrink()
 * @floor: as for __mpool_shrink()
 * @reason: MPOOL_SHRINK_*
 * @nr_pages: where to add the pages freed, or NULL
 *
 * Pages freed for the memory shrinker are credited to the reclaim that
 * runs it: they are off the LRU, so it would not see them otherwise, and
 * a reclaim that sees no progress asks the shrinkers for ever more and
 * ends in the OOM killer.
 *
 * Return: objects freed.
 */
unsigned long mpool_pool_shrink(struct mpool *pool, unsigned long nr_objs,
				unsigned int floor, int reason,
				unsigned long *nr_pages)
{
	unsigned int old = pool->capacity;
	unsigned long freed, pages = 0;

	freed = __mpool_shrink(pool, nr_objs, floor, &pages);
	if (!freed)
		return 0;
	if (reason == MPOOL_SHRINK_SHRINKER) {
		this_cpu_add(pool->stats->reclaimed, freed);
		mpool_reclaim_credit(pages);
	}
	trace_mpool_shrink(pool, old, reason);
	if (nr_pages)
		*nr_pages += pages;
	return freed;
}

static unsigned int mpool_grow_step(const struct mpool *pool)
{
	u64 step = div_u64((u64)pool->capacity * pool->grow_pct, 100);

	/* At least one arena; __mpool_grow() caps it at max_objs. */
	step = clamp_t(u64, step, 1U << pool->hot.arena_shift, pool->hot.max_objs);
	return step;
}

/* What a blocking get has already tried while the pool looked empty. */
struct mpool_refill_state {
	bool flushed;
	unsigned int waits;
};

/*
 * Rounds a blocking get waits for objects the engine says it holds but could
 * not hand over: a ring slot claimed but not yet published by a vCPU its
 * hypervisor descheduled with IRQs off, or a depot magazine another CPU
 * took between our flush and our get. Both resolve as soon as the other
 * side runs again; the bound only keeps a broken engine from hanging us.
 */
#define MPOOL_REFILL_WAITS	1000

/*
 * Make more objects reachable for a get that found none: grow while below
 * max_objs, else (once) pull what other CPUs' caches hold back to where
 * every CPU can get it. Fails when neither can help any more.
 */
static int mpool_refill(struct mpool *pool, unsigned int want, gfp_t gfp,
			struct mpool_refill_state *st)
{
	lockdep_assert_held(&pool->lock);
	if (pool->capacity < pool->hot.max_objs && !(pool->flags & MPOOL_F_FIXED))
		return mpool_grow_locked(pool, max(want, mpool_grow_step(pool)),
					 gfp, true);
	if (pool->ops->flush && !st->flushed) {
		pool->ops->flush(pool);
		st->flushed = true;
		return 0;
	}
	if (pool->ops->count && pool->ops->count(pool) &&
	    st->waits++ < MPOOL_REFILL_WAITS) {
		cond_resched();
		return 0;
	}
	return -ENOMEM;
}

/*
 * A blocking get that found the engine empty although it says it holds
 * objects (a ring push in flight): wait for them without the pool lock,
 * which a grow may hold for a long time.
 */
static bool mpool_get_waiting(struct mpool *pool, u32 *idx)
{
	unsigned int waits = 0;

	while (pool->ops->count && pool->ops->count(pool) &&
	       waits++ < MPOOL_REFILL_WAITS) {
		cond_resched();
		if (pool->ops->get_bulk(pool, idx, 1))
			return true;
	}
	return false;
}

/* Everything a get tries after its hit path failed. */
static int mpool_get_idx_slow(struct mpool *pool, u32 *idx, gfp_t gfp)
{
	struct mpool_refill_state st = {};
	int err = 0;

	if (READ_ONCE(pool->hot.dead))
		return -ENOMEM;
	if (pool->ops->get_bulk(pool, idx, 1))
		goto got;
	if (!gfpflags_allow_blocking(gfp)) {
		err = -ENOMEM;
		goto miss;
	}
	if (mpool_get_waiting(pool, idx))
		goto got;
	mutex_lock(&pool->lock);
	/* Someone else may have grown the pool while we waited. */
	while (!pool->ops->get_bulk(pool, idx, 1)) {
		err = mpool_refill(pool, 1, gfp, &st);
		if (err)
			break;
	}
	mutex_unlock(&pool->lock);
	if (err)
		goto miss;
	this_cpu_inc(pool->stats->slow);
got:
	if (unlikely(!mpool_out_get(pool, 1))) {
		pool->ops->put_bulk(pool, idx, 1);
		return -ENOMEM;
	}
	mpool_debug_alloc_idx(pool, *idx);
	return 0;
miss:
	mpool_count_miss(pool, 1, gfp);
	return err;
}

/**
 * mpool_alloc_slow() - mpool_alloc() when its inline hit path fails
 * @pool: the pool
 * @gfp: as for mpool_alloc()
 *
 * Not for direct use: mpool_alloc() calls it.
 *
 * Context: as for mpool_alloc().
 * Return: the object, or NULL if none is available.
 */
__cold void *mpool_alloc_slow(struct mpool *pool, gfp_t gfp)
{
	void *obj;
	u32 idx;

	/* A pool that zeroes comes here first, with the hit still to try. */
	obj = mpool_hot_get_from(&pool->hot, pool->hot.engine);
	if (obj) {
		if (IS_ENABLED(CONFIG_DEBUG_VM))
			mpool_debug_alloc(pool, obj);
	} else {
		might_alloc(gfp);
		if (mpool_get_idx_slow(pool, &idx, gfp))
			return NULL;
		obj = mpool_idx_to_obj(pool, idx);
	}
	if (pool->flags & MPOOL_F_ZERO)
		memset(obj, 0, pool->obj_size);
	return obj;
}
EXPORT_SYMBOL_GPL(mpool_alloc_slow);

/**
 * mpool_alloc_idx() - get an object, by index
 * @pool: the pool
 * @idx: where to store the object's index
 * @gfp: may the pool block to grow? (GFP_KERNEL: yes; GFP_ATOMIC,
 *	GFP_NOWAIT: no). Also how arenas are allocated when it grows.
 *
 * Context: see mpool_alloc().
 * Return: 0, or -ENOMEM if the pool is empty and cannot grow, or has been
 * destroyed and lost its last reference.
 */
int mpool_alloc_idx(struct mpool *pool, u32 *idx, gfp_t gfp)
{
	void *obj;

	might_alloc(gfp);
	obj = mpool_hot_get_from(&pool->hot, pool->hot.engine);
	if (obj) {
		/* The way back from an object the pool just handed out. */
		if (WARN_ON_ONCE(!mpool_hot_obj_to_idx(&pool->hot, obj, idx)))
			return -ENOMEM;
		mpool_debug_alloc_idx(pool, *idx);
	} else if (mpool_get_idx_slow(pool, idx, gfp)) {
		return -ENOMEM;
	}
	if (pool->flags & MPOOL_F_ZERO)
		memset(mpool_idx_to_obj(pool, *idx), 0, pool->obj_size);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_alloc_idx);

/* The validate and reset hooks; false: the object is quarantined. */
static bool mpool_put_prepare(struct mpool *pool, u32 idx)
{
	void *obj = mpool_idx_to_obj(pool, idx);

	if (pool->validate && !pool->validate(obj, pool->priv)) {
		this_cpu_inc(pool->stats->quarantined);
		return false;
	}
	if (pool->reset)
		pool->reset(obj, pool->priv);
	return true;
}

/* A put of an owned index that the hit path could not take. */
static void mpool_put_idx_slow(struct mpool *pool, u32 idx)
{
	if (!mpool_put_prepare(pool, idx)) {
		/* Quarantined: back as far as the count goes. */
		mpool_out_put(pool, NULL, 0, 1);
		return;
	}
	/* A pool with hooks skipped the hit path to run them: try it now. */
	if (pool->hot.put_engine != pool->hot.engine &&
	    mpool_hot_put_to(&pool->hot, pool->hot.engine, idx,
			     mpool_idx_to_obj(pool, idx)))
		return;
	mpool_out_put(pool, &idx, 1, 1);
}

/**
 * mpool_free_slow() - mpool_free() of a checked object, when the inline hit
 *	path could not take it back
 * @pool: the pool
 * @obj: the object, owned by the caller
 *
 * Runs the hooks, trades with the depot, gives back to a destroyed pool.
 * Not for direct use: mpool_free() calls it.
 *
 * Context: as for mpool_free().
 */
__cold void mpool_free_slow(struct mpool *pool, void *obj)
{
	u32 idx;

	/* mpool_free() checked it: this cannot fail. */
	if (!WARN_ON_ONCE(!mpool_hot_obj_to_idx(&pool->hot, obj, &idx)))
		mpool_put_idx_slow(pool, idx);
}
EXPORT_SYMBOL_GPL(mpool_free_slow);

/**
 * mpool_free_bad() - mpool_free() of a pointer that is none of the pool's
 *	objects
 * @pool: the pool
 * @obj: the pointer; NULL is quietly ignored
 *
 * Counts it in bad_free, logs it and leaves it alone: better than
 * corrupting the pool. Not for direct use: mpool_free() calls it.
 */
__cold void mpool_free_bad(struct mpool *pool, const void *obj)
{
	if (!obj)
		return;
	this_cpu_inc(pool->stats->bad_free);
	pr_err_ratelimited("mpool %s: freeing %p, not one of its objects; refused\n",
			   pool->name, obj);
}
EXPORT_SYMBOL_GPL(mpool_free_bad);

/**
 * mpool_free_idx() - give an object back, by index
 * @pool: the pool it came from
 * @idx: its index
 *
 * Context: see mpool_free().
 */
void mpool_free_idx(struct mpool *pool, u32 idx)
{
	/* READ_ONCE: a bad index may name a slot a grow or shrink is changing. */
	if (WARN_ONCE(idx >= pool->hot.max_objs ||
		      !READ_ONCE(pool->hot.arena_base[idx >> pool->hot.arena_shift]),
		      "mpool %s: freeing bad index %u\n", pool->name, idx))
		return;
	if (!mpool_debug_free_idx(pool, idx))
		return;
	if (!mpool_hot_put(&pool->hot, idx, mpool_idx_to_obj(pool, idx)))
		mpool_put_idx_slow(pool, idx);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_free_idx);

/* Return the indices parked in @objs[0..@n) to the engine, unused. */
static void mpool_bulk_undo(struct mpool *pool, void **objs, unsigned int n)
{
	u32 buf[MPOOL_BULK_BATCH];
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		buf[k++] = (u32)(unsigned long)objs[i];
		objs[i] = NULL;
		if (k == ARRAY_SIZE(buf) || i == n - 1) {
			pool->ops->put_bulk(pool, buf, k);
			k = 0;
		}
	}
}

/**
 * mpool_alloc_bulk() - get @n objects, or none
 * @pool: the pool
 * @objs: where to store them
 * @n: how many
 * @gfp: as for mpool_alloc()
 *
 * All or nothing: if the pool cannot supply @n objects (growing it if @gfp
 * allows blocking), every object already taken goes back and @objs[] is
 * left all NULL. Objects taken before a failed grow stay in the pool.
 *
 * Context: as for mpool_alloc().
 * Return: 0, or -ENOMEM.
 */
int mpool_alloc_bulk(struct mpool *pool, void **objs, unsigned int n, gfp_t gfp)
{
	bool blocking = gfpflags_allow_blocking(gfp);
	struct mpool_refill_state st = {};
	bool locked = false;
	u32 buf[MPOOL_BULK_BATCH];
	unsigned int got = 0, fast = 0, i, k;

	might_alloc(gfp);
	if (!n)
		return 0;
	if (READ_ONCE(pool->hot.dead))
		return -ENOMEM;

	/* Park indices in @objs[] until we know we have all of them. */
	while (got < n) {
		k = pool->ops->get_bulk(pool, buf, min_t(unsigned int, n - got,
							 ARRAY_SIZE(buf)));
		for (i = 0; i < k; i++)
			objs[got + i] = (void *)(unsigned long)buf[i];
		got += k;
		if (k)
			continue;
		if (!blocking)
			break;
		if (!locked) {
			/* Retry once under the lock before growing. */
			mutex_lock(&pool->lock);
			locked = true;
			fast = got;
			continue;
		}
		if (mpool_refill(pool, n - got, gfp, &st))
			break;
	}
	if (locked)
		mutex_unlock(&pool->lock);

	if (got < n) {
		mpool_bulk_undo(pool, objs, got);
		mpool_count_miss(pool, n, gfp);
		return -ENOMEM;
	}
	if (locked)
		this_cpu_add(pool->stats->slow, n - fast);
	if (unlikely(!mpool_out_get(pool, n))) {
		mpool_bulk_undo(pool, objs, n);
		return -ENOMEM;
	}

	for (i = 0; i < n; i++) {
		u32 idx = (u32)(unsigned long)objs[i];

		mpool_debug_alloc_idx(pool, idx);
		objs[i] = mpool_idx_to_obj(pool, idx);
		if (pool->flags & MPOOL_F_ZERO)
			memset(objs[i], 0, pool->obj_size);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(mpool_alloc_bulk);

/**
 * mpool_free_bulk() - give @n objects back
 * @pool: the pool they came from
 * @objs: the objects; NULL entries are skipped
 * @n: how many entries in @objs
 *
 * Same as mpool_free() on each, with fewer trips to the engine.
 *
 * Context: as for mpool_free().
 */
void mpool_free_bulk(struct mpool *pool, void **objs, unsigned int n)
{
	u32 buf[MPOOL_BULK_BATCH];
	unsigned int i, k = 0;
	unsigned int done = 0;
	u32 idx;

	for (i = 0; i < n; i++) {
		if (!objs[i])
			continue;
		if (!mpool_hot_obj_to_idx(&pool->hot, objs[i], &idx)) {
			mpool_free_bad(pool, objs[i]);
			continue;
		}
		if (!mpool_debug_free_idx(pool, idx))
			continue;
		done++;
		if (!mpool_put_prepare(pool, idx))
			continue;
		buf[k++] = idx;
		if (k == ARRAY_SIZE(buf)) {
			mpool_out_put(pool, buf, k, done);
			k = 0;
			done = 0;
		}
	}
	/* Last touch of @pool, as in mpool_free_slow(). */
	if (done)
		mpool_out_put(pool, buf, k, done);
}
EXPORT_SYMBOL_GPL(mpool_free_bulk);

/**
 * mpool_grow() - add objects to a pool now
 * @pool: the pool
 * @nr_objs: how many; rounded up to whole arenas, capped at max_objs
 * @gfp: how to allocate the arenas
 *
 * The ctor runs on every new object before it can be handed out. If an
 * arena allocation fails, the arenas added before it stay.
 *
 * Context: process context; takes the pool's mutex.
 * Return: 0, -ENOSPC if the pool already holds max_objs objects, or
 * -ENOMEM.
 */
int mpool_grow(struct mpool *pool, unsigned int nr_objs, gfp_t gfp)
{
	int err;

	might_sleep();
	if (!nr_objs)
		return 0;
	mutex_lock(&pool->lock);
	err = mpool_grow_locked(pool, nr_objs, gfp, false);
	mutex_unlock(&pool->lock);
	return err;
}
EXPORT_SYMBOL_GPL(mpool_grow);

/**
 * mpool_prefill() - hold at least @nr_objs objects now, and from now on
 * @pool: the pool
 * @nr_objs: the new floor
 * @gfp: how to allocate the arenas
 *
 * Raises the pool's init_objs, the floor the shrinker never takes it below,
 * and grows it to that floor now with @gfp: for a caller that must fail
 * cleanly when memory is short (__GFP_RETRY_MAYFAIL | __GFP_NOWARN), which
 * mpool_create() with init_objs set would not.
 *
 * Context: process context; takes the pool's mutex.
 * Return: 0, or -ENOMEM with whatever arenas were added kept.
 */
int mpool_prefill(struct mpool *pool, unsigned int nr_objs, gfp_t gfp)
{
	int err = 0;

	might_sleep();
	mutex_lock(&pool->lock);
	pool->init_objs = max(pool->init_objs, min(nr_objs, pool->hot.max_objs));
	if (pool->capacity < pool->init_objs)
		err = mpool_grow_locked(pool, pool->init_objs - pool->capacity, gfp, false);
	if (!err && pool->capacity < pool->init_objs)
		err = -ENOMEM;
	mutex_unlock(&pool->lock);
	return err;
}

/**
 * mpool_resize() - set a pool's floor and move its capacity towards it
 * @pool: the pool
 * @nr_objs: the capacity wanted, at most max_objs
 * @gfp: how to allocate arenas when growing
 *
 * Growing allocates up to @nr_objs now, keeping what it got if memory
 * runs out. Shrinking flushes the CPU caches, then frees idle arenas
 * until the capacity is down to @nr_objs or no idle arena is left. Either
 * way the capacity reached is the pool's floor from now on: the shrinker
 * never takes it lower, and a later mpool_prefill() of less does not bring
 * an old floor back.
 *
 * Context: process context; takes the pool's mutex.
 * Return: the capacity now; -ENOMEM if growing added nothing.
 */
int mpool_resize(struct mpool *pool, unsigned int nr_objs, gfp_t gfp)
{
	unsigned int old;
	int ret = 0;

	might_sleep();
	nr_objs = min(nr_objs, pool->hot.max_objs);
	mutex_lock(&pool->lock);
	old = pool->capacity;
	pool->init_objs = nr_objs;
	if (old < nr_objs) {
		ret = mpool_grow_locked(pool, nr_objs - old, gfp, false);
	} else if (old > nr_objs) {
		if (pool->ops->flush)
			pool->ops->flush(pool);
		mpool_pool_shrink(pool, old - nr_objs, nr_objs, MPOOL_SHRINK_CALL, NULL);
	}
	/* What could not be freed, or allocated, is the floor now. */
	pool->init_objs = pool->capacity;
	/* Growing short is still growing. */
	if (!ret || pool->capacity != old)
		ret = pool->capacity;
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * mpool_flush() - bring objects cached by CPUs back to the shared state
 * @pool: the pool
 *
 * So that any CPU can get them, and a shrink can see them.
 *
 * Context: process context; interrupts every online CPU (percpu engine).
 * Return: how many more objects the shared state holds afterwards, as
 * far as the gets and puts running meanwhile let one tell.
 */
unsigned int mpool_flush(struct mpool *pool)
{
	unsigned int before;

	might_sleep();
	if (!pool->ops->flush || !pool->ops->count)
		return 0;
	before = pool->ops->count(pool);
	pool->ops->flush(pool);
	return max_t(int, pool->ops->count(pool) - before, 0);
}

/**
 * mpool_shrink() - free idle arenas
 * @pool: the pool
 * @nr_objs: free arenas until at least this many objects are gone
 *	(ULONG_MAX: every arena that is entirely idle)
 *
 * Only objects in the engine's shared state count as idle: objects cached
 * by a CPU (percpu engine) are not looked at; mpool_drain() flushes those
 * first. A get that cannot block may find the pool empty while this runs.
 * Unlike the shrinker, this may take the pool below init_objs.
 *
 * Context: process context; takes the pool's mutex.
 * Return: the number of objects freed, whole arenas, so possibly more than
 * @nr_objs.
 */
unsigned long mpool_shrink(struct mpool *pool, unsigned long nr_objs)
{
	unsigned long freed;

	might_sleep();
	mutex_lock(&pool->lock);
	freed = mpool_pool_shrink(pool, nr_objs, 0, MPOOL_SHRINK_CALL, NULL);
	mutex_unlock(&pool->lock);
	return freed;
}
EXPORT_SYMBOL_GPL(mpool_shrink);

/**
 * mpool_drain() - give every idle object's memory back
 * @pool: the pool
 *
 * Flushes the per-CPU caches (percpu engine) and frees every arena none of
 * whose objects is handed out or quarantined. The pool stays usable and
 * grows again on demand.
 *
 * Context: process context; takes the pool's mutex and, for the percpu
 * engine, interrupts every online CPU.
 */
void mpool_drain(struct mpool *pool)
{
	might_sleep();
	mutex_lock(&pool->lock);
	if (pool->ops->flush)
		pool->ops->flush(pool);
	mpool_pool_shrink(pool, ULONG_MAX, 0, MPOOL_SHRINK_DRAIN, NULL);
	mutex_unlock(&pool->lock);
}
EXPORT_SYMBOL_GPL(mpool_drain);

/**
 * mpool_name() - a pool's name
 * @pool: the pool
 *
 * Return: the name it was created with, valid as long as the caller holds
 * a reference or an object of the pool.
 */
const char *mpool_name(const struct mpool *pool)
{
	return pool->name;
}
EXPORT_SYMBOL_GPL(mpool_name);

/**
 * mpool_obj_size() - the size of a pool's objects
 * @pool: the pool
 *
 * Return: the obj_size it was created with.
 */
size_t mpool_obj_size(const struct mpool *pool)
{
	return pool->obj_size;
}
EXPORT_SYMBOL_GPL(mpool_obj_size);

/**
 * mpool_capacity() - how many objects a pool's memory holds right now
 * @pool: the pool
 *
 * Counts idle, handed-out and quarantined objects alike; changes as the
 * pool grows and shrinks.
 *
 * Return: the capacity, at most max_objs.
 */
unsigned int mpool_capacity(const struct mpool *pool)
{
	return READ_ONCE(pool->capacity);
}
EXPORT_SYMBOL_GPL(mpool_capacity);

static bool mpool_name_valid(const char *name)
{
	size_t len = strnlen(name, MPOOL_NAME_MAX), i;

	if (!len || len >= MPOOL_NAME_MAX)
		return false;
	/* It becomes a debugfs directory name. */
	for (i = 0; i < len; i++) {
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	}
	return true;
}

static int mpool_params_check(const struct mpool_params *p)
{
	if (!p->name || !mpool_name_valid(p->name))
		return -EINVAL;
	if ((unsigned int)p->engine >= MPOOL_NR_ENGINES)
		return -EINVAL;
	if (!p->obj_size || p->obj_size > PAGE_SIZE << MPOOL_MAX_PAGE_ORDER)
		return -EINVAL;
	if (!p->max_objs || p->max_objs > MPOOL_MAX_OBJS ||
	    p->init_objs > p->max_objs)
		return -EINVAL;
	if (p->flags & ~MPOOL_F_ALL)
		return -EINVAL;
	if (p->low_watermark > p->max_objs)
		return -EINVAL;
	if (p->align && (!is_power_of_2(p->align) || p->align > PAGE_SIZE))
		return -EINVAL;
	if ((p->flags & MPOOL_F_PAGE_ALIGNED) && !PAGE_ALIGNED(p->obj_size))
		return -EINVAL;
	if ((p->flags & MPOOL_F_HUGE) &&
	    (!(p->flags & MPOOL_F_PAGE_ALIGNED) || !IS_ALIGNED(p->obj_size, PMD_SIZE)))
		return -EINVAL;
	if (p->node != NUMA_NO_NODE &&
	    (p->node < 0 || p->node >= MAX_NUMNODES || !node_online(p->node)))
		return -EINVAL;
	return 0;
}

/**
 * mpool_params_match() - would @params build a pool like @pool?
 * @pool: an existing pool
 * @params: what mpool_lookup_or_create() was asked for
 *
 * Tuning (init_objs, grow_pct, node, low_watermark) may differ; what users of the objects
 * rely on may not.
 *
 * Return: true if they match.
 */
bool mpool_params_match(const struct mpool *pool,
			const struct mpool_params *params)
{
	return pool->hot.engine == params->engine &&
	       pool->obj_size == params->obj_size &&
	       pool->align == params->align &&
	       pool->flags == params->flags &&
	       pool->hot.max_objs == params->max_objs &&
	       pool->ctor == params->ctor &&
	       pool->reset == params->reset &&
	       pool->validate == params->validate &&
	       pool->priv == params->priv;
}

/**
 * mpool_pool_build() - allocate and fill a pool, not yet named anywhere
 * @p: the parameters
 *
 * Context: process context.
 * Return: the pool, holding one reference (the creator's) and
 * @p->init_objs objects rounded up to whole arenas; or ERR_PTR(-EINVAL)
 * or ERR_PTR(-ENOMEM), with nothing left allocated.
 */
struct mpool *mpool_pool_build(const struct mpool_params *p)
{
	struct mpool *pool;
	int err;

	err = mpool_params_check(p);
	if (err)
		return ERR_PTR(err);

	pool = mpool_should_fail() ? NULL :
	       kzalloc_node(sizeof(*pool), GFP_KERNEL_ACCOUNT, p->node);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	mpool_stats_pool_init(pool);
	strscpy(pool->name, p->name, sizeof(pool->name));
	pool->hot.engine = p->engine;
	pool->ops = mpool_engines[p->engine];
	pool->obj_size = p->obj_size;
	pool->align = p->align;
	pool->flags = p->flags;
	pool->hot.max_objs = p->max_objs;
	pool->init_objs = p->init_objs;
	pool->grow_pct = p->grow_pct ?: 100;
	pool->low_watermark = p->low_watermark;
	pool->node = p->node;
	/* An unbound pool's memory follows its creator (kmod/arena.c). */
	pool->alloc_node = p->node == NUMA_NO_NODE ? numa_mem_id() : p->node;
	pool->ctor = p->ctor;
	pool->reset = p->reset;
	pool->validate = p->validate;
	pool->priv = p->priv;
	pool->hot.get_engine = p->engine;
	if (p->flags & MPOOL_F_ZERO)
		pool->hot.get_engine = MPOOL_NR_ENGINES;
	pool->hot.put_engine = p->engine;
	if (p->reset || p->validate)
		pool->hot.put_engine = MPOOL_NR_ENGINES;
	if (p->flags & MPOOL_F_PAGE_ALIGNED)
		pool->hot.stride = p->obj_size;
	else
		pool->hot.stride = ALIGN(p->obj_size, p->align ?: SMP_CACHE_BYTES);
	/* A power of two (0 for 1, which the divide handles as well). */
	if (is_power_of_2(pool->hot.stride))
		pool->hot.stride_shift = ilog2(pool->hot.stride);
	mutex_init(&pool->lock);
	kref_init(&pool->kref);
	INIT_LIST_HEAD(&pool->list);
	atomic_long_set(&pool->out, MPOOL_OUT_BIAS);

	err = mpool_arena_setup(pool);
	if (err)
		goto fail;
	err = -ENOMEM;
	if (!mpool_should_fail())
		pool->stats = alloc_percpu_gfp(struct mpool_stats, MPOOL_META_GFP);
	if (!pool->stats)
		goto fail;
	if (!mpool_should_fail())
		pool->hot.cpu = alloc_percpu_gfp(struct mpool_cpu, MPOOL_META_GFP);
	if (!pool->hot.cpu)
		goto fail;
	if (IS_ENABLED(CONFIG_DEBUG_VM)) {
		pool->out_map = mpool_kvzalloc_node(BITS_TO_LONGS(p->max_objs) *
						    sizeof(long), p->node);
		if (!pool->out_map)
			goto fail;
	}
	err = pool->ops->init(pool);
	if (err)
		goto fail;
	if (p->init_objs) {
		mutex_lock(&pool->lock);
		err = __mpool_grow(pool, p->init_objs, GFP_KERNEL);
		mutex_unlock(&pool->lock);
		if (err)
			goto fail;
	}
	return pool;

fail:
	mpool_pool_free(pool);
	return ERR_PTR(err);
}

/**
 * mpool_pool_free() - free a pool and everything it holds
 * @pool: a pool nobody can reach: its last object came back after its
 *	last reference went, or it never left mpool_pool_build()
 *
 * Context: process context.
 */
void mpool_pool_free(struct mpool *pool)
{
	/* The put that gave the last object back may have asked for one. */
	mpool_stats_sync(pool);
	if (pool->engine)
		pool->ops->fini(pool);
	mpool_arena_teardown(pool);
	kvfree(pool->out_map);
	free_percpu(pool->hot.cpu);
	free_percpu(pool->stats);
	mutex_destroy(&pool->lock);
	kfree(pool);
}

/**
 * mpool_pool_init() - module-wide setup of pool building and statistics
 *
 * Return: 0.
 */
int mpool_pool_init(void)
{
	mpool_stats_init();
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	mpool_fault_init(&mpool_fault_attr);
#endif
	return 0;
}
