// SPDX-License-Identifier: GPL-2.0
/*
 * Getting and putting objects, and building a pool.
 *
 * The fast path is: one percpu_ref get (a per-CPU increment while the pool
 * is alive), one engine get, one per-CPU statistics increment (skipped
 * with stats=0, see stats.c); no lock and no shared cache line written by
 * the pool itself. Everything that can sleep, growing, flushing CPU
 * caches, shrinking, sits behind pool->lock and is only tried when the
 * caller's gfp mask allows blocking.
 */
#include <linux/ctype.h>
#include <linux/indirect_call_wrapper.h>
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

static __always_inline bool mpool_engine_get(struct mpool *pool, u32 *idx)
{
	return INDIRECT_CALL_3(pool->ops->get, mpool_engine_percpu_get,
			       mpool_engine_ring_get, mpool_engine_lockfree_get,
			       pool, idx);
}

static __always_inline void mpool_engine_put(struct mpool *pool, u32 idx)
{
	INDIRECT_CALL_3(pool->ops->put, mpool_engine_percpu_put,
			mpool_engine_ring_put, mpool_engine_lockfree_put,
			pool, idx);
}

/*
 * Count @n objects handed out. Engines with no slow path of their own on a
 * get that succeeds (ops->tick) sample the statistics here, each time this
 * CPU's count crosses a multiple of MPOOL_STATS_TICK.
 */
static __always_inline void mpool_count_alloc(struct mpool *pool, unsigned int n)
{
	u64 now;

	if (!mpool_stats_on())
		return;
	if (!pool->stats_tick) {
		this_cpu_add(pool->stats->alloc, n);
		return;
	}
	now = this_cpu_add_return(pool->stats->alloc, n);
	if (unlikely((now ^ (now - n)) >= MPOOL_STATS_TICK))
		mpool_stats_sample(pool);
}

/*
 * Counted before the objects go back to the engine, as gets are counted
 * after they leave it: so gets - puts never exceeds the objects truly out,
 * and neither does the high-water mark.
 */
static __always_inline void mpool_count_free(struct mpool *pool, unsigned int n)
{
	if (mpool_stats_on())
		this_cpu_add(pool->stats->free, n);
}

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
 *
 * Return: objects freed.
 */
unsigned long mpool_pool_shrink(struct mpool *pool, unsigned long nr_objs,
				unsigned int floor, int reason)
{
	unsigned int old = pool->capacity;
	unsigned long freed;

	freed = __mpool_shrink(pool, nr_objs, floor);
	if (!freed)
		return 0;
	if (reason == MPOOL_SHRINK_SHRINKER)
		this_cpu_add(pool->stats->reclaimed, freed);
	trace_mpool_shrink(pool, old, reason);
	return freed;
}

static unsigned int mpool_grow_step(const struct mpool *pool)
{
	u64 step = div_u64((u64)pool->capacity * pool->grow_pct, 100);

	/* At least one arena; __mpool_grow() caps it at max_objs. */
	step = clamp_t(u64, step, 1U << pool->arena_shift, pool->max_objs);
	return step;
}

/*
 * Make more objects reachable for a get that found none: grow while below
 * max_objs, else (once) pull what other CPUs' caches hold back to where
 * every CPU can get it. Fails when neither can help any more.
 */
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

static int mpool_refill(struct mpool *pool, unsigned int want, gfp_t gfp,
			struct mpool_refill_state *st)
{
	lockdep_assert_held(&pool->lock);
	if (pool->capacity < pool->max_objs)
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

static int mpool_alloc_slow(struct mpool *pool, u32 *idx, gfp_t gfp)
{
	struct mpool_refill_state st = {};
	int err = 0;

	if (!gfpflags_allow_blocking(gfp)) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&pool->lock);
	/* Someone else may have grown the pool while we waited. */
	while (!mpool_engine_get(pool, idx)) {
		err = mpool_refill(pool, 1, gfp, &st);
		if (err)
			break;
	}
	mutex_unlock(&pool->lock);
out:
	if (err) {
		mpool_count_miss(pool, 1, gfp);
		return -ENOMEM;
	}
	this_cpu_inc(pool->stats->slow);
	return 0;
}

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
	might_alloc(gfp);
	if (unlikely(!percpu_ref_tryget_live(&pool->objs)))
		return -ENOMEM;
	if (unlikely(!mpool_engine_get(pool, idx)) &&
	    mpool_alloc_slow(pool, idx, gfp)) {
		percpu_ref_put(&pool->objs);
		return -ENOMEM;
	}
	mpool_count_alloc(pool, 1);
	if (pool->flags & MPOOL_F_ZERO)
		memset(mpool_idx_to_obj(pool, *idx), 0, pool->obj_size);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_alloc_idx);

/**
 * mpool_alloc() - get an object
 * @pool: the pool
 * @gfp: GFP_KERNEL (or any mask that allows blocking) lets an empty pool
 *	grow, up to max_objs, and, for the percpu engine, collect objects
 *	idling in other CPUs' caches; otherwise an empty pool fails at once.
 *	The mask also applies to the arenas a grow allocates.
 *
 * The object is zeroed if the pool has MPOOL_F_ZERO, and otherwise holds
 * whatever the ctor or the last user (after the reset hook) left in it.
 *
 * Context: any context the pool's engine allows (see <linux/mpool.h>);
 * process context if @gfp allows blocking.
 * Return: the object, or NULL if none is available.
 */
void *mpool_alloc(struct mpool *pool, gfp_t gfp)
{
	u32 idx;

	if (mpool_alloc_idx(pool, &idx, gfp))
		return NULL;
	return mpool_idx_to_obj(pool, idx);
}
EXPORT_SYMBOL_GPL(mpool_alloc);

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

static bool mpool_idx_valid(const struct mpool *pool, u32 idx)
{
	/* READ_ONCE: a bad index may name a slot a grow or shrink is changing. */
	return idx < pool->max_objs &&
	       READ_ONCE(pool->arena_base[idx >> pool->arena_shift]);
}

/**
 * mpool_free_idx() - give an object back, by index
 * @pool: the pool it came from
 * @idx: its index
 *
 * Context: see mpool_free().
 */
void mpool_free_idx(struct mpool *pool, u32 idx)
{
	if (WARN_ONCE(!mpool_idx_valid(pool, idx),
		      "mpool %s: freeing bad index %u\n", pool->name, idx))
		return;
	if (mpool_put_prepare(pool, idx)) {
		mpool_count_free(pool, 1);
		mpool_engine_put(pool, idx);
	}
	/* Last touch of @pool: it may be freed once the count hits zero. */
	percpu_ref_put(&pool->objs);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_free_idx);

/**
 * mpool_free() - give an object back
 * @pool: the pool it came from
 * @obj: the object, or NULL (then nothing happens)
 *
 * Runs the validate hook, then the reset hook, in the caller's context. An
 * object the validate hook refuses is quarantined: it is never handed out
 * again and keeps its arena from being freed until the pool goes away.
 * Freeing the last object of a destroyed pool frees the pool (later, from
 * a workqueue). A pointer that is not one of @pool's objects is refused
 * with a warning and leaked rather than corrupting the pool.
 *
 * Context: any context the pool's engine allows (see <linux/mpool.h>).
 */
void mpool_free(struct mpool *pool, void *obj)
{
	u32 idx;

	if (unlikely(!obj))
		return;
	if (WARN_ONCE(mpool_obj_to_idx(pool, obj, &idx),
		      "mpool %s: freeing %p, not one of its objects\n",
		      pool->name, obj))
		return;
	mpool_free_idx(pool, idx);
}
EXPORT_SYMBOL_GPL(mpool_free);

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
	if (unlikely(!percpu_ref_tryget_live(&pool->objs)))
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
		percpu_ref_put(&pool->objs);
		return -ENOMEM;
	}
	if (locked)
		this_cpu_add(pool->stats->slow, n - fast);

	for (i = 0; i < n; i++) {
		objs[i] = mpool_idx_to_obj(pool, (u32)(unsigned long)objs[i]);
		if (pool->flags & MPOOL_F_ZERO)
			memset(objs[i], 0, pool->obj_size);
	}
	if (n > 1)
		percpu_ref_get_many(&pool->objs, n - 1);
	mpool_count_alloc(pool, n);
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
	unsigned long done = 0;
	u32 idx;

	for (i = 0; i < n; i++) {
		if (!objs[i])
			continue;
		if (WARN_ONCE(mpool_obj_to_idx(pool, objs[i], &idx),
			      "mpool %s: freeing %p, not one of its objects\n",
			      pool->name, objs[i]))
			continue;
		done++;
		if (!mpool_put_prepare(pool, idx))
			continue;
		buf[k++] = idx;
		if (k == ARRAY_SIZE(buf)) {
			mpool_count_free(pool, k);
			pool->ops->put_bulk(pool, buf, k);
			k = 0;
		}
	}
	if (k) {
		mpool_count_free(pool, k);
		pool->ops->put_bulk(pool, buf, k);
	}
	/* Last touch of @pool, as in mpool_free_idx(). */
	if (done)
		percpu_ref_put_many(&pool->objs, done);
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
	freed = mpool_pool_shrink(pool, nr_objs, 0, MPOOL_SHRINK_CALL);
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
	mpool_pool_shrink(pool, ULONG_MAX, 0, MPOOL_SHRINK_DRAIN);
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
	return pool->engine_id == params->engine &&
	       pool->obj_size == params->obj_size &&
	       pool->align == params->align &&
	       pool->flags == params->flags &&
	       pool->max_objs == params->max_objs &&
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
	strscpy(pool->name, p->name, sizeof(pool->name));
	pool->engine_id = p->engine;
	pool->ops = mpool_engines[p->engine];
	pool->obj_size = p->obj_size;
	pool->align = p->align;
	pool->flags = p->flags;
	pool->max_objs = p->max_objs;
	pool->init_objs = p->init_objs;
	pool->grow_pct = p->grow_pct ?: 100;
	pool->low_watermark = p->low_watermark;
	pool->stats_tick = pool->ops->tick;
	pool->node = p->node;
	pool->ctor = p->ctor;
	pool->reset = p->reset;
	pool->validate = p->validate;
	pool->priv = p->priv;
	if (p->flags & MPOOL_F_PAGE_ALIGNED)
		pool->stride = p->obj_size;
	else
		pool->stride = ALIGN(p->obj_size, p->align ?: SMP_CACHE_BYTES);
	mutex_init(&pool->lock);
	kref_init(&pool->kref);
	INIT_LIST_HEAD(&pool->list);

	err = mpool_arena_setup(pool);
	if (err)
		goto fail;
	err = -ENOMEM;
	if (!mpool_should_fail())
		pool->stats = alloc_percpu_gfp(struct mpool_stats, MPOOL_META_GFP);
	if (!pool->stats)
		goto fail;
	if (mpool_should_fail() ||
	    percpu_ref_init(&pool->objs, mpool_objs_release, 0, GFP_KERNEL))
		goto fail;
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
	if (pool->engine)
		pool->ops->fini(pool);
	mpool_arena_teardown(pool);
	percpu_ref_exit(&pool->objs);
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
