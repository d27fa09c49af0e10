// SPDX-License-Identifier: GPL-2.0
/*
 * Names and lifetimes.
 *
 * Two counts keep a pool alive. pool->kref counts users: the creator and
 * everyone who looked the pool up. The objects out are counted per CPU by
 * every get and put (struct mpool_cpu, <linux/mpool/fast.h>), and
 * pool->out counts pins (an open debugfs file). When the last user goes,
 * the pool is killed: gets stop, and one RCU grace period later the
 * per-CPU counts fold into pool->out, which every later put decrements;
 * when it reaches zero the pool is freed. So a pool can be destroyed with
 * objects out, like page_pool, and lives until the last one is freed.
 *
 * Every pool, alive or dying, is on mpool_pools until it is freed, so
 * module exit can find them all. Only registered pools own their name: a
 * destroyed pool's name is free at once, even while its objects are out.
 *
 * A pool's debugfs folder carries its name, so it is made when the name is
 * taken and removed, under the registry lock, when it is given up (or at
 * the latest before the pool is freed): a new pool of the same name always
 * finds the folder name free.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "pool.h"
#include "trace.h"

static DEFINE_MUTEX(mpool_registry_lock);
static LIST_HEAD(mpool_pools);

/*
 * Freeing a pool takes mutexes and cpus_read_lock(), but the last object
 * can come back in any context, NMI included (lockfree engine). So the
 * release pushes the pool on a lock-free list and raises an irq_work,
 * which is NMI-safe; the irq_work queues the work that frees.
 */
static LLIST_HEAD(mpool_free_list);

static void mpool_free_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&mpool_free_list);
	struct mpool *pool, *next;

	llist_for_each_entry_safe(pool, next, list, free_node) {
		mutex_lock(&mpool_registry_lock);
		list_del(&pool->list);
		/* Its users left without mpool_destroy(), and nobody reused the name. */
		mpool_debugfs_pool_del(pool);
		mutex_unlock(&mpool_registry_lock);
		mpool_pool_free(pool);
	}
}

static DECLARE_WORK(mpool_free_work, mpool_free_workfn);

static void mpool_free_irq_workfn(struct irq_work *work)
{
	schedule_work(&mpool_free_work);
}

static DEFINE_IRQ_WORK(mpool_free_irq_work, mpool_free_irq_workfn);

/**
 * mpool_objs_release() - the pool's last object and pin are back
 * @pool: a dead pool whose count just reached zero
 *
 * Context: any, including NMI.
 */
void mpool_objs_release(struct mpool *pool)
{
	/*
	 * llist_add() is a full-barrier cmpxchg: everything this CPU did to
	 * the pool is ordered before the worker that takes it off the list.
	 */
	llist_add(&pool->free_node, &mpool_free_list);
	irq_work_queue(&mpool_free_irq_work);
}

/**
 * mpool_pin() - keep a pool's memory from being freed
 * @pool: the pool
 *
 * For readers of a pool that hold neither a reference nor an object (an
 * open debugfs file).
 *
 * Context: any but NMI.
 * Return: false if freeing has begun: the pool must not be touched.
 */
bool mpool_pin(struct mpool *pool)
{
	return atomic_long_inc_not_zero(&pool->out);
}

/**
 * mpool_unpin() - undo mpool_pin(); may free the pool
 * @pool: the pool
 *
 * Context: any but NMI.
 */
void mpool_unpin(struct mpool *pool)
{
	if (atomic_long_dec_and_test(&pool->out))
		mpool_objs_release(pool);
}

/*
 * One grace period after the kill, no get or put can still be in a hit
 * section that saw the pool alive, and every later one takes the slow
 * path: the per-CPU counts are final. Fold them into pool->out, giving up
 * the bias that kept it from reaching zero.
 */
static void mpool_objs_fold(struct rcu_head *rcu)
{
	struct mpool *pool = container_of(rcu, struct mpool, rcu);
	unsigned long gets = 0, puts = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct mpool_cpu *c = per_cpu_ptr(pool->hot.cpu, cpu);

		gets += c->gets;
		puts += c->puts;
	}
	if (!atomic_long_add_return((long)(gets - puts) - MPOOL_OUT_BIAS,
				    &pool->out))
		mpool_objs_release(pool);
}

/*
 * The mpool_destroy event, once per pool: at mpool_destroy(), or when the
 * last user lets go of a pool nobody destroyed (mpool_lookup_or_create()
 * users), whichever comes first.
 */
static void mpool_trace_destroy(struct mpool *pool)
{
	if (!test_and_set_bit(MPOOL_S_GONE, &pool->state))
		trace_mpool_destroy(pool);
}

/**
 * mpool_pool_kill() - no new objects from @pool; free it when all are back
 * @pool: the pool
 *
 * Context: any but NMI; idempotent.
 */
void mpool_pool_kill(struct mpool *pool)
{
	/*
	 * Last user vs. module exit: only one of them may kill the ref.
	 * test_and_set_bit() is a full barrier, ordering it before the kill.
	 */
	if (!test_and_set_bit(MPOOL_S_DEAD, &pool->state)) {
		mpool_trace_destroy(pool);
		/* Gets fail and puts go slow once they see it (mpool_objs_fold()). */
		WRITE_ONCE(pool->hot.dead, 1);
		call_rcu(&pool->rcu, mpool_objs_fold);
	}
}

static void mpool_kref_release(struct kref *kref)
{
	mpool_pool_kill(container_of(kref, struct mpool, kref));
}

/* @pool gives its name up, and with it its debugfs folder. */
static void __mpool_unname(struct mpool *pool)
{
	lockdep_assert_held(&mpool_registry_lock);
	pool->registered = false;
	mpool_debugfs_pool_del(pool);
}

/*
 * The registered pool called @name with a reference for the caller, or
 * NULL. A pool whose users all left without mpool_destroy() gives its name
 * up here.
 */
static struct mpool *__mpool_get_by_name(const char *name)
{
	struct mpool *pool;

	lockdep_assert_held(&mpool_registry_lock);
	list_for_each_entry(pool, &mpool_pools, list) {
		if (!pool->registered || strncmp(pool->name, name, MPOOL_NAME_MAX))
			continue;
		if (kref_get_unless_zero(&pool->kref))
			return pool;
		__mpool_unname(pool);
		return NULL;
	}
	return NULL;
}

/* Name @pool, unless a pool already has the name: then return that one. */
static struct mpool *__mpool_register(struct mpool *pool)
{
	struct mpool *old;

	lockdep_assert_held(&mpool_registry_lock);
	old = __mpool_get_by_name(pool->name);
	if (old)
		return old;
	pool->registered = true;
	list_add_tail(&pool->list, &mpool_pools);
	mpool_debugfs_pool_add(pool);
	trace_mpool_create(pool);
	return NULL;
}

/**
 * mpool_create() - create a named pool
 * @params: what to build; the structure is not used after the call
 *
 * The name must be unique among live pools; a destroyed pool's name can be
 * reused at once. init_objs objects (rounded up to whole arenas) are
 * created, and constructed, before the call returns.
 *
 * NUMA: with params->node set, every arena is on that node or is not
 * allocated (the create, or a later grow, fails with -ENOMEM rather than
 * fall back), and a percpu pool sends the objects freed on CPUs of other
 * nodes back to its depot instead of keeping them in those CPUs' caches
 * (see kmod/engine_percpu.c). With NUMA_NO_NODE, arenas are asked for on
 * the node of the CPU calling mpool_create(), for the pool's whole life,
 * and go wherever the page allocator falls back to when that node is
 * short; objects are recycled on whatever CPU frees them.
 *
 * Context: process context.
 * Return: the pool, holding the creator's reference, which mpool_destroy()
 * drops; ERR_PTR(-EINVAL) for bad parameters, ERR_PTR(-EEXIST) if the
 * name is taken, ERR_PTR(-ENOMEM). Nothing is left allocated on failure.
 */
struct mpool *mpool_create(const struct mpool_params *params)
{
	struct mpool *pool, *old;

	might_sleep();
	if (!params || !params->name)
		return ERR_PTR(-EINVAL);

	/* Fail a duplicate before building (and constructing) anything. */
	mutex_lock(&mpool_registry_lock);
	old = __mpool_get_by_name(params->name);
	mutex_unlock(&mpool_registry_lock);
	if (old) {
		mpool_unref(old);
		return ERR_PTR(-EEXIST);
	}

	pool = mpool_pool_build(params);
	if (IS_ERR(pool))
		return pool;

	mutex_lock(&mpool_registry_lock);
	old = __mpool_register(pool);
	mutex_unlock(&mpool_registry_lock);
	if (old) {
		mpool_unref(old);
		mpool_pool_free(pool);
		return ERR_PTR(-EEXIST);
	}
	return pool;
}
EXPORT_SYMBOL_GPL(mpool_create);

/**
 * mpool_lookup() - find a pool by name
 * @name: the name it was created with
 *
 * Context: process context.
 * Return: the pool with a new reference, which the caller drops with
 * mpool_unref(); NULL if no live pool has that name.
 */
struct mpool *mpool_lookup(const char *name)
{
	struct mpool *pool;

	might_sleep();
	if (!name)
		return NULL;
	mutex_lock(&mpool_registry_lock);
	pool = __mpool_get_by_name(name);
	mutex_unlock(&mpool_registry_lock);
	return pool;
}
EXPORT_SYMBOL_GPL(mpool_lookup);

/**
 * mpool_lookup_or_create() - find a pool by name, creating it if needed
 * @params: what to build if there is no pool called @params->name
 *
 * Several users can share a pool this way, each dropping its reference
 * with mpool_unref(); the pool goes away (and its name becomes free) when
 * the last one does. An existing pool only matches if it was built with
 * the same engine, object size, alignment, flags, max_objs and hooks.
 *
 * Context: process context.
 * Return: the pool with a new reference; ERR_PTR(-EEXIST) if a pool of
 * that name exists but does not match; ERR_PTR(-EINVAL) or
 * ERR_PTR(-ENOMEM) as for mpool_create().
 */
struct mpool *mpool_lookup_or_create(const struct mpool_params *params)
{
	struct mpool *pool, *old;

	might_sleep();
	if (!params || !params->name)
		return ERR_PTR(-EINVAL);

	mutex_lock(&mpool_registry_lock);
	old = __mpool_get_by_name(params->name);
	mutex_unlock(&mpool_registry_lock);
	if (!old) {
		pool = mpool_pool_build(params);
		if (IS_ERR(pool))
			return pool;
		mutex_lock(&mpool_registry_lock);
		old = __mpool_register(pool);
		mutex_unlock(&mpool_registry_lock);
		if (!old)
			return pool;
		/* Lost a race with another creator: use theirs. */
		mpool_pool_free(pool);
	}
	if (!mpool_params_match(old, params)) {
		mpool_unref(old);
		return ERR_PTR(-EEXIST);
	}
	return old;
}
EXPORT_SYMBOL_GPL(mpool_lookup_or_create);

/**
 * mpool_ref() - take another reference on a pool
 * @pool: a pool the caller already holds a reference on
 *
 * Context: any but NMI.
 */
void mpool_ref(struct mpool *pool)
{
	kref_get(&pool->kref);
}
EXPORT_SYMBOL_GPL(mpool_ref);

/**
 * mpool_unref() - drop a reference on a pool
 * @pool: the pool
 *
 * After the last reference no new objects can be taken from the pool; it
 * is freed once every object handed out has been freed.
 *
 * Context: any but NMI.
 */
void mpool_unref(struct mpool *pool)
{
	kref_put(&pool->kref, mpool_kref_release);
}
EXPORT_SYMBOL_GPL(mpool_unref);

/**
 * mpool_destroy() - unname a pool and drop the creator's reference
 * @pool: the pool, or NULL or an ERR_PTR (then nothing happens)
 *
 * The name is free for reuse on return. Objects still out stay valid and
 * must still be given back with mpool_free(); other references stay valid
 * too. The memory goes when both have been dropped.
 *
 * Context: process context.
 */
void mpool_destroy(struct mpool *pool)
{
	might_sleep();
	if (IS_ERR_OR_NULL(pool))
		return;
	mutex_lock(&mpool_registry_lock);
	__mpool_unname(pool);
	mutex_unlock(&mpool_registry_lock);
	mpool_trace_destroy(pool);
	mpool_unref(pool);
}
EXPORT_SYMBOL_GPL(mpool_destroy);

/* The shrinker keeps a live pool's prefill; a dying pool keeps nothing. */
static unsigned int mpool_shrink_floor(const struct mpool *pool)
{
	return test_bit(MPOOL_S_DEAD, &pool->state) ? 0 : pool->init_objs;
}

/*
 * The last count, for a count that finds the registry busy: most often
 * because another reclaimer is scanning, which is exactly when there is
 * pressure. Saying 0 then made reclaim believe the pools had nothing to
 * give; the last count (less what scans freed since) keeps asking, and a
 * scan that cannot run either returns SHRINK_STOP, which defers the work
 * to the next call that gets the lock. Written under the registry lock;
 * read without it, as the estimate it is.
 */
static unsigned long mpool_registry_last_count;

/* The pages of @pool's arenas that @nr_objs objects take up, rounded down. */
static unsigned long mpool_objs_to_pages(const struct mpool *pool,
					 unsigned int nr_objs)
{
	return (u64)nr_objs * pool->arena_pages >> pool->hot.arena_shift;
}

/* Objects in @nr_pages pages' worth of @pool's arenas, rounded up. */
static unsigned long mpool_pages_to_objs(const struct mpool *pool,
					 unsigned long nr_pages)
{
	/* More than the pool can hold is as good as all of it. */
	nr_pages = min_t(unsigned long, nr_pages, UINT_MAX);
	return DIV_ROUND_UP_ULL((u64)nr_pages << pool->hot.arena_shift,
				pool->arena_pages);
}

/**
 * mpool_registry_count() - pages the shrinker could free
 *
 * Counts pages, not objects: an object is 8 bytes in one pool and 64 KiB
 * in another, and reclaim weighs what we hold against the page cache and
 * credits what we free in pages (mpool_reclaim_credit()). Each pool's idle
 * objects count for the share of its arenas' pages they take up.
 *
 * O(1) per pool, nothing summed over CPUs: engines that can count what a
 * shrink would take (the ring; the percpu depot) say so, which is exact
 * but racy; for the others (lockfree) it is the estimate of the last
 * sample or read, mpool_stats_idle_estimate(), which may be stale. Indices
 * a shrink holds out of the engine at this moment are idle too, and count
 * (pool->shrink_held). Either way it is capped at what the floor leaves,
 * so a live pool never counts objects below init_objs. The shrink itself
 * (mpool_registry_shrink()) looks at the real state, under the pool's
 * lock.
 *
 * Context: reclaim; never blocks (returns the last count if the registry
 * is busy).
 * Return: the sum over all pools, approximate.
 */
unsigned long mpool_registry_count(void)
{
	unsigned int floor, capacity, idle;
	unsigned long total = 0;
	struct mpool *pool;

	/* Reclaim can run under the registry lock (pool creation). */
	if (!mutex_trylock(&mpool_registry_lock))
		return READ_ONCE(mpool_registry_last_count);
	list_for_each_entry(pool, &mpool_pools, list) {
		floor = mpool_shrink_floor(pool);
		capacity = READ_ONCE(pool->capacity);
		if (capacity <= floor)
			continue;
		if (pool->ops->count)
			idle = pool->ops->count(pool) + READ_ONCE(pool->shrink_held);
		else
			idle = mpool_stats_idle_estimate(pool);
		total += mpool_objs_to_pages(pool, min(idle, capacity - floor));
	}
	WRITE_ONCE(mpool_registry_last_count, total);
	mutex_unlock(&mpool_registry_lock);
	return total;
}

/**
 * mpool_registry_shrink() - free idle arenas across all pools
 * @nr_pages: pages wanted
 *
 * Pools whose lock is held (by a grow that may be what is reclaiming right
 * now) are skipped. The list is rotated so that the pool shrunk first
 * changes from call to call. Whole arenas go, so up to one arena more than
 * @nr_pages may.
 *
 * Context: reclaim; never blocks.
 * Return: pages freed, or SHRINK_STOP if the registry was busy or every
 * pool with idle objects was.
 */
unsigned long mpool_registry_shrink(unsigned long nr_pages)
{
	unsigned long last, freed = 0;
	bool skipped = false;
	struct mpool *pool;

	if (!mutex_trylock(&mpool_registry_lock))
		return SHRINK_STOP;
	list_for_each_entry(pool, &mpool_pools, list) {
		if (freed >= nr_pages)
			break;
		if (!mutex_trylock(&pool->lock)) {
			skipped = true;
			continue;
		}
		mpool_pool_shrink(pool, mpool_pages_to_objs(pool, nr_pages - freed),
				  mpool_shrink_floor(pool), MPOOL_SHRINK_SHRINKER,
				  &freed);
		mutex_unlock(&pool->lock);
	}
	if (!list_empty(&mpool_pools))
		list_rotate_left(&mpool_pools);
	last = mpool_registry_last_count;
	WRITE_ONCE(mpool_registry_last_count, last - min(last, freed));
	mutex_unlock(&mpool_registry_lock);
	return !freed && skipped ? SHRINK_STOP : freed;
}

/**
 * mpool_registry_for_each() - call @fn on every named, live pool
 * @fn: the callback; runs under the registry lock, so it must not create,
 *	look up or destroy pools
 * @arg: passed to @fn
 *
 * Context: process context.
 */
void mpool_registry_for_each(void (*fn)(struct mpool *pool, void *arg), void *arg)
{
	struct mpool *pool;

	mutex_lock(&mpool_registry_lock);
	list_for_each_entry(pool, &mpool_pools, list) {
		if (pool->registered && !test_bit(MPOOL_S_DEAD, &pool->state))
			fn(pool, arg);
	}
	mutex_unlock(&mpool_registry_lock);
}

/**
 * mpool_nr_pools() - how many pools exist, dying ones included
 *
 * Return: the number of pools not yet freed.
 */
unsigned int mpool_nr_pools(void)
{
	struct mpool *pool;
	unsigned int n = 0;

	mutex_lock(&mpool_registry_lock);
	list_for_each_entry(pool, &mpool_pools, list)
		n++;
	mutex_unlock(&mpool_registry_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_nr_pools);

/**
 * mpool_wait_for_frees() - wait until pools released so far are freed
 *
 * Context: process context.
 */
void mpool_wait_for_frees(void)
{
	/* mpool_pool_kill() finishes, and may release, in an RCU callback. */
	rcu_barrier();
	irq_work_sync(&mpool_free_irq_work);
	flush_work(&mpool_free_work);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_wait_for_frees);

/**
 * mpool_registry_init() - module init for the registry
 *
 * Return: 0.
 */
int mpool_registry_init(void)
{
	return mpool_pool_init();
}

/**
 * mpool_registry_exit() - free every pool before the module goes
 *
 * Users are other modules, which are gone by now (they hold references on
 * this one), and /dev/mempool, which is closed. A pool still named was
 * leaked by its creator; a pool with objects still out was leaked by their
 * holders. Both are reported and freed anyway.
 */
void mpool_registry_exit(void)
{
	struct mpool *pool, *next;
	LIST_HEAD(leaked);

	mutex_lock(&mpool_registry_lock);
	list_for_each_entry(pool, &mpool_pools, list) {
		if (test_bit(MPOOL_S_DEAD, &pool->state))
			continue;
		pr_warn("pool %s was never destroyed\n", pool->name);
		__mpool_unname(pool);
		mpool_pool_kill(pool);
	}
	mutex_unlock(&mpool_registry_lock);

	mpool_wait_for_frees();

	mutex_lock(&mpool_registry_lock);
	list_splice_init(&mpool_pools, &leaked);
	mutex_unlock(&mpool_registry_lock);
	list_for_each_entry_safe(pool, next, &leaked, list) {
		pr_err("pool %s still has objects out at unload\n", pool->name);
		list_del(&pool->list);
		mpool_debugfs_pool_del(pool);
		mpool_pool_free(pool);
	}
}
