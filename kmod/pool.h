/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inside of a pool: struct mpool, the engine interface and the index API
 * that /dev/mempool builds on. Not for other modules; they use
 * <linux/mpool.h>.
 *
 * An object is named by a u32 index. Index i lives in arena i >> arena_shift
 * at offset (i & arena_mask) * stride. Engines only ever move indices, never
 * pointers, and no metadata is ever kept inside object memory: userspace may
 * own (and scribble on) every byte of it.
 */
#ifndef _MPOOL_POOL_H
#define _MPOOL_POOL_H

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/irq_work.h>
#include <linux/jump_label.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "include/linux/mpool.h"

struct dentry;
struct mpool;
struct page;

/**
 * struct mpool_engine_ops - how an engine keeps the idle indices
 * @name: for messages and KUnit
 * @init: allocate the engine's state for @pool->hot.max_objs indices, none of
 *	them present; process context
 * @fini: free that state; the indices it holds are simply forgotten
 * @get_bulk: take up to @n indices, return how many were taken; the slow
 *	half of a get: the percpu engine trades with its depot, the ring waits
 *	a little for a push in flight (the hit half is inline, in
 *	<linux/mpool/fast.h>)
 * @put_bulk: give back @n indices; never fails (the engine was sized for
 *	max_objs at @init)
 * @reclaim: take up to @max idle indices out of the engine's shared state
 *	for a shrink; called with pool->lock held, process context
 * @flush: optional; push every CPU-local cache back to the shared state so
 *	that @reclaim and other CPUs can see those indices; process context
 * @count: optional; how many indices @reclaim could take right now
 *	(racy); without it, every idle object is assumed reclaimable
 * @cpu_cached: optional, for engines with CPU-local caches; how many idle
 *	indices @cpu's cache holds (racy, for statistics); any context
 *
 * @get_bulk/@put_bulk run in any context the engine documents in
 * <linux/mpool.h>. They move indices only: the pool front counts objects
 * out and in (struct mpool_cpu).
 */
struct mpool_engine_ops {
	const char *name;
	int (*init)(struct mpool *pool);
	void (*fini)(struct mpool *pool);
	unsigned int (*get_bulk)(struct mpool *pool, u32 *idx, unsigned int n);
	void (*put_bulk)(struct mpool *pool, const u32 *idx, unsigned int n);
	unsigned int (*reclaim)(struct mpool *pool, u32 *idx, unsigned int max);
	void (*flush)(struct mpool *pool);
	unsigned int (*count)(struct mpool *pool);
	unsigned int (*cpu_cached)(struct mpool *pool, int cpu);
};

extern const struct mpool_engine_ops mpool_engine_percpu_ops;
extern const struct mpool_engine_ops mpool_engine_ring_ops;
extern const struct mpool_engine_ops mpool_engine_lockfree_ops;

int mpool_engines_init(void);
void mpool_engines_exit(void);

/*
 * Per-CPU counters of the slow paths. Each is only ever bumped by its own
 * CPU with this_cpu_*() (safe against interrupts on that CPU, and on x86
 * against NMIs too), so no path writes a shared cache line for them.
 * Readers sum them over every possible CPU (mpool_stats_read()). Objects
 * handed out and given back are counted by the hit path itself, in struct
 * mpool_cpu; hits are what the slow paths did not serve.
 *
 * The last two are signed deltas: one CPU may add what another takes
 * away, and only the sum means something.
 */
struct mpool_stats {
	u64 refill;		/* percpu: get that took a full magazine from the depot */
	u64 flush;		/* percpu: put that moved a full magazine to the depot */
	u64 miss;		/* get (or bulk get) that found the pool empty */
	u64 slow;		/* objects a get obtained only after locking the pool */
	u64 grow;		/* arenas added */
	u64 shrink;		/* arenas freed */
	u64 shrunk_objs;	/* objects those arenas held */
	u64 reclaimed;		/* of those, objects freed for the memory shrinker */
	u64 quarantined;	/* objects the validate hook refused */
	u64 bad_free;		/* frees refused: not an object out of the pool */
	u64 lease;		/* /dev/mempool: buffers leased to userspace */
	u64 release;		/* /dev/mempool: buffers given back by userspace */
	u64 low_events;		/* idle objects fell below the low watermark */
	u64 remote_free;	/* percpu: objects put on a CPU of another node, sent home */
	s64 sessions;		/* /dev/mempool: sessions attached (delta) */
	s64 reserved;		/* /dev/mempool: bytes reserved (delta) */
};

/**
 * struct mpool_stats_sum - one reading of a pool's statistics
 * @alloc: objects handed out (struct mpool_cpu gets), summed over all CPUs
 * @free: objects given back to the engine (@put - @quarantined)
 * @hit: objects handed out by the hit path or, for ring and lockfree, the
 *	engine without locking the pool: @alloc - @slow - @refill
 * @refill: see struct mpool_stats, summed over all CPUs
 * @flush: ditto
 * @miss: ditto
 * @slow: ditto
 * @grow: ditto
 * @shrink: ditto
 * @shrunk_objs: ditto
 * @reclaimed: ditto
 * @quarantined: ditto
 * @bad_frees: bad_free, summed
 * @leases: lease, summed
 * @releases: release, summed
 * @low_events: ditto
 * @remote_frees: remote_free, summed: objects a node-bound percpu pool
 *	took back on CPUs of other nodes and sent to its depot (new objects
 *	of a grow run on such a CPU included)
 * @put: objects given back, quarantined ones included (struct mpool_cpu
 *	puts, summed)
 * @in_use: objects handed out and not given back (@alloc - @put)
 * @hwm: high-water mark of @in_use (see the top of kmod/stats.c)
 * @leased: buffers leased to userspace now (@leases - @releases)
 * @sessions: /dev/mempool sessions attached now
 * @reserved: bytes /dev/mempool reserves for the pool
 * @capacity: objects the pool's arenas hold now (idle, out or quarantined)
 * @max_objs: the ceiling on @capacity
 * @nr_arenas: arenas allocated now
 * @arena_objs: objects per (full) arena
 * @arena_pages: pages per (full) arena
 * @low_watermark: the pool's low watermark, 0 if none
 * @idle: objects neither handed out nor quarantined
 * @below_low: idle was below @low_watermark when last sampled
 * @node: the node the pool is bound to (mpool_params.node), or
 *	NUMA_NO_NODE
 * @enabled: the high-water mark and the low watermark are sampled (module
 *	parameter stats); when false, @hwm is 0 and no low watermark event
 *	fires, and no rate threshold is judged
 * @rate: the rate thresholds and their crossings (mpool_get_rate_status())
 *
 * The counters are read without stopping the CPUs that bump them, so on a
 * busy pool the sum is not a snapshot; on a quiet one it is exact. The
 * gets are read before the puts, so a busy pool's @in_use errs low, never
 * high (beyond the operations in flight).
 */
struct mpool_stats_sum {
	u64 alloc;
	u64 free;
	u64 hit;
	u64 refill;
	u64 flush;
	u64 miss;
	u64 slow;
	u64 grow;
	u64 shrink;
	u64 shrunk_objs;
	u64 reclaimed;
	u64 quarantined;
	u64 bad_frees;
	u64 leases;
	u64 releases;
	u64 low_events;
	u64 remote_frees;
	u64 put;
	u64 in_use;
	u64 hwm;
	u64 leased;
	s64 sessions;
	s64 reserved;
	unsigned int capacity;
	unsigned int max_objs;
	unsigned int nr_arenas;
	unsigned int arena_objs;
	unsigned int arena_pages;
	unsigned int low_watermark;
	u64 idle;
	int node;
	bool below_low;
	bool enabled;
	struct mpool_rate_status rate;
};

/*
 * A pool's rate thresholds (kmod/alert.c). Set by
 * mpool_set_rate_thresholds(), judged by the statistics sample alone;
 * everything but the two thresholds, which the sample peeks at first to
 * skip a pool that has none, is read and written under @lock only.
 */
struct mpool_alert {
	raw_spinlock_t lock;
	unsigned int min_hit;		/* per mille; 0: off */
	unsigned int max_miss;		/* per mille; 0: off */
	u64 gets;			/* the counters at the window's start */
	u64 hits;
	u64 misses;
	struct mpool_rate_status st;	/* what mpool_get_rate_status() says */
};

/* struct mpool::state bits */
#define MPOOL_S_DEAD		0	/* killed: no new objects */
#define MPOOL_S_LOW		1	/* idle below low_watermark, event sent */
#define MPOOL_S_GONE		2	/* destroyed or last user gone: traced */
#define MPOOL_S_LOW_OWNED	3	/* the owner judges low_watermark itself */

/*
 * A pool of fixed-size objects. First what every get/put reads (the hit
 * path inline in callers reads it through mpool_hot(): it must stay the
 * first member), then what the slow paths read, also written only at
 * creation. Then the slow-path state under @lock, then the lifetime and
 * registry state.
 */
struct mpool {
	struct mpool_hot hot;
	const struct mpool_engine_ops *ops;
	void *engine;
	struct mpool_stats __percpu *stats;
	unsigned int flags;
	size_t obj_size;
	void (*reset)(void *obj, void *priv);
	bool (*validate)(void *obj, void *priv);
	void (*ctor)(void *obj, void *priv);
	void *priv;
	/* CONFIG_DEBUG_VM: [max_objs] bits, set while an object is out. */
	unsigned long *out_map;

	/* Grow and shrink, serialized by @lock. */
	struct mutex lock;
	unsigned int capacity;		/* written under @lock, read locklessly */
	unsigned int nr_arenas;
	unsigned int arena_pages;
	unsigned int arena_order;
	unsigned int init_objs;
	unsigned int grow_pct;
	unsigned int low_watermark;	/* idle objects, 0: none; mpool_stats_own_low() */
	int node;			/* bound to it (only there), or NUMA_NO_NODE */
	int alloc_node;			/* where arenas go: @node, else the creator's */
	unsigned long *node_pages;	/* [nr_node_ids]: arena pages on each node */
	unsigned long *slot_map;	/* [nr_slots] bits: arena present */
	unsigned long *shrink_map;	/* [max_objs] bits: held by a shrink */
	unsigned int *shrink_count;	/* [nr_slots]: how many of them per arena */
	unsigned int *shrink_slots;	/* [nr_slots]: arenas a shrink holds some of */
	unsigned int shrink_held;	/* bits in @shrink_map; the count reads it */

	/* Lifetime. */
	struct kref kref;		/* users: the creator, lookups */
	unsigned long state;		/* MPOOL_S_* */
	/*
	 * Objects out and pins, once the pool is dead; until then
	 * MPOOL_OUT_BIAS plus pins, the objects being counted per CPU.
	 */
	atomic_long_t out;
	struct rcu_head rcu;		/* from kill to folding the counts */
	struct llist_node free_node;	/* on the deferred-free list */

	/*
	 * Samples (kmod/stats.c), on a line of their own: every request
	 * writes @sample_work, which nothing on the other lines should pay
	 * for.
	 */
	struct irq_work sample_work ____cacheline_aligned_in_smp;
	struct irq_work est_work;	/* refreshes @busy_est alone */
	atomic_long_t hwm;		/* high-water mark of objects in use */
	unsigned long busy_est;		/* out or quarantined, last summed */
	struct mpool_alert alert;	/* rate thresholds, judged by samples */

	/* Registry, under mpool_registry_lock. */
	struct list_head list;		/* on the list of all pools */
	bool registered;		/* the name is taken */
	struct dentry *debugfs;		/* our folder, while named */
	size_t align;
	char name[MPOOL_NAME_MAX];
};

/* mpool_hot(), inline in other modules, casts a pool to its first member. */
static_assert(offsetof(struct mpool, hot) == 0);

/* Index API: what /dev/mempool maps and hands to userspace. */
int mpool_alloc_idx(struct mpool *pool, u32 *idx, gfp_t gfp);
void mpool_free_idx(struct mpool *pool, u32 idx);
int mpool_obj_to_idx(struct mpool *pool, const void *obj, u32 *idx);
struct page *mpool_idx_to_page(struct mpool *pool, u32 idx, unsigned int pgoff);

static inline unsigned int mpool_arena_mask(const struct mpool *pool)
{
	return pool->hot.arena_mask;
}

/**
 * mpool_idx_to_obj() - the address of object @idx
 * @pool: the pool
 * @idx: an index the caller owns (got from mpool_alloc_idx())
 *
 * No check: owning the index is what keeps its arena alive, and the engine
 * that handed the index out ordered the arena's publication before it (see
 * mpool_arena_add()).
 *
 * Return: the object's kernel address.
 */
static inline void *mpool_idx_to_obj(const struct mpool *pool, u32 idx)
{
	return mpool_hot_obj(&pool->hot, idx);
}

/* Objects in arena slot @slot; only the last slot may be short. */
static inline unsigned int mpool_slot_objs(const struct mpool *pool,
					   unsigned int slot)
{
	unsigned int first = slot << pool->hot.arena_shift;

	return min(1U << pool->hot.arena_shift, pool->hot.max_objs - first);
}

/* stats.c: statistics. */
DECLARE_STATIC_KEY_TRUE(mpool_stats_enabled);

/* Are the fast-path counters kept? (module parameter stats, fixed at load) */
static __always_inline bool mpool_stats_on(void)
{
	return static_branch_likely(&mpool_stats_enabled);
}

void mpool_stats_init(void);
void mpool_stats_pool_init(struct mpool *pool);
void mpool_stats_sync(struct mpool *pool);
void mpool_stats_read(struct mpool *pool, struct mpool_stats_sum *sum);
unsigned int mpool_stats_idle_estimate(struct mpool *pool);
u64 mpool_stats_in_use(const struct mpool *pool);
u64 mpool_stats_nr_leased(const struct mpool *pool);
void mpool_stats_cpu(const struct mpool *pool, int cpu,
		     struct mpool_stats_sum *out);
unsigned long mpool_stats_node_pages(const struct mpool *pool, int nid);

/* For /dev/mempool: see their kernel-doc in stats.c. */
void mpool_stats_leased(struct mpool *pool, int delta);
void mpool_stats_session(struct mpool *pool, int delta);
void mpool_stats_reserved(struct mpool *pool, s64 delta);
void mpool_stats_own_low(struct mpool *pool, unsigned int low_watermark);
void mpool_stats_low_crossed(struct mpool *pool, bool below, u64 idle);

/*
 * A slow path ran (a depot trade, a miss, a grow): the moment to raise the
 * high-water mark and look at the low watermark. Only asks for the sample,
 * which sums over every CPU later (see kmod/stats.c): O(1), any context.
 * A request that finds one pending adds nothing, and loses nothing either:
 * irq_work_queue() is a full barrier even then, which irq_work_single()
 * pairs with before it runs the sample, so the sample sees every count
 * this CPU made before asking.
 */
static inline void mpool_stats_slow(struct mpool *pool)
{
	if (mpool_stats_on())
		irq_work_queue(&pool->sample_work);
}

/* alert.c: rate thresholds, judged by sample_work. */
void mpool_alert_pool_init(struct mpool *pool);
void mpool_alert_sample(struct mpool *pool);

/* Why a pool shrank (mpool_pool_shrink(), trace event mpool_shrink). */
#define MPOOL_SHRINK_CALL	0	/* mpool_shrink() */
#define MPOOL_SHRINK_DRAIN	1	/* mpool_drain() */
#define MPOOL_SHRINK_SHRINKER	2	/* memory pressure */

/* What crossed a threshold (trace event mpool_threshold). */
#define MPOOL_THRESH_LOW	0	/* /dev/mempool: free buffers below low */
#define MPOOL_THRESH_HIGH	1	/* /dev/mempool: free buffers above high */
#define MPOOL_THRESH_FAIL	2	/* /dev/mempool: lease failures per mille */
#define MPOOL_THRESH_HIT_RATE	3	/* hits per mille below the minimum */
#define MPOOL_THRESH_MISS_RATE	4	/* misses per mille above the maximum */

/* pool.c: building and tearing down a pool (the registry names it). */
int mpool_pool_init(void);
unsigned long mpool_pool_shrink(struct mpool *pool, unsigned long nr_objs,
				unsigned int floor, int reason,
				unsigned long *nr_pages);
struct mpool *mpool_pool_build(const struct mpool_params *params);
void mpool_pool_free(struct mpool *pool);
bool mpool_params_match(const struct mpool *pool,
			const struct mpool_params *params);

/* arena.c: backing memory and capacity. */
int mpool_arena_setup(struct mpool *pool);
void mpool_arena_teardown(struct mpool *pool);
int __mpool_grow(struct mpool *pool, unsigned int nr_objs, gfp_t gfp);
int mpool_prefill(struct mpool *pool, unsigned int nr_objs, gfp_t gfp);
int mpool_resize(struct mpool *pool, unsigned int nr_objs, gfp_t gfp);
unsigned int mpool_flush(struct mpool *pool);
unsigned long __mpool_shrink(struct mpool *pool, unsigned long nr_objs,
			     unsigned int floor, unsigned long *nr_pages);

/* registry.c */
/* pool->out before the pool dies: far from 0 whatever the CPUs count. */
#define MPOOL_OUT_BIAS		(LONG_MAX / 2)
void mpool_objs_release(struct mpool *pool);
bool mpool_pin(struct mpool *pool);
void mpool_unpin(struct mpool *pool);
void mpool_pool_kill(struct mpool *pool);
int mpool_registry_init(void);
void mpool_registry_exit(void);
unsigned long mpool_registry_count(void);
unsigned long mpool_registry_shrink(unsigned long nr_pages);
void mpool_registry_for_each(void (*fn)(struct mpool *pool, void *arg), void *arg);
unsigned int mpool_nr_pools(void);
void mpool_wait_for_frees(void);

/* debugfs.c: a pool's folder, made and removed under the registry lock. */
void mpool_debugfs_pool_add(struct mpool *pool);
void mpool_debugfs_pool_del(struct mpool *pool);

/* shrinker.c */
int mpool_shrinker_init(void);
void mpool_shrinker_exit(void);

/*
 * Fault injection: every allocation a pool makes first asks this, so a
 * test (or /proc/<pid>/fail-nth) can fail the Nth one deterministically.
 * Compiled in only with CONFIG_FAULT_INJECTION, which production kernels
 * leave off.
 */
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
extern struct fault_attr mpool_fault_attr;

static inline bool mpool_should_fail(void)
{
	return should_fail(&mpool_fault_attr, 1);
}
#else
static inline bool mpool_should_fail(void)
{
	return false;
}
#endif

/*
 * How a pool allocates its own metadata. Sizes follow max_objs, which
 * userspace chooses through /dev/mempool: a failure is an -ENOMEM for the
 * caller, not a warning with a stack trace in the log, and not a reason to
 * invoke the OOM killer.
 */
#define MPOOL_META_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* Every allocation a pool makes for itself goes through here. */
static inline void *mpool_kvzalloc_node(size_t size, int node)
{
	if (mpool_should_fail())
		return NULL;
	return kvzalloc_node(size, MPOOL_META_GFP, node);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Exported only to the KUnit module (EXPORT_SYMBOL_IF_KUNIT). */
struct shrinker;
struct shrink_control;
unsigned long mpool_shrinker_count(struct shrinker *shrinker,
				   struct shrink_control *sc);
unsigned long mpool_shrinker_scan(struct shrinker *shrinker,
				  struct shrink_control *sc);
#endif

#endif /* _MPOOL_POOL_H */
