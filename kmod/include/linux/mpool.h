/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mempool.ko in-kernel API: pools of fixed-size objects.
 *
 * Other modules include this header (add mempool.ko's kmod/include to their
 * include path) and use the EXPORT_SYMBOL_GPL functions it declares. The
 * kernel's own mm/mempool.c owns the mempool_* names; everything here is
 * mpool_*.
 *
 * Contexts. mpool_alloc(), mpool_free() and their _bulk and _idx forms
 * run in these contexts, per engine:
 *
 *  ================  =======  =======  ========  ===
 *  engine            process  softirq  hard-IRQ  NMI
 *  ================  =======  =======  ========  ===
 *  PERCPU            yes      yes      yes       no
 *  RING              yes      yes      yes       no
 *  LOCKFREE          yes      yes      yes       yes
 *  ================  =======  =======  ========  ===
 *
 *  - MPOOL_ENGINE_PERCPU: each CPU keeps two magazines of up to 32 objects;
 *    a get/put touches only its own CPU's magazines with local IRQs off (no
 *    lock, no atomic), and every ~32 operations trades a whole magazine
 *    with a shared depot under a raw spinlock. Best throughput and
 *    locality; no FIFO/LIFO order across CPUs. Up to 64 idle objects per
 *    CPU are invisible to other CPUs: an atomic get can fail while they
 *    idle there (a blocking get flushes every CPU first), and a shrink only
 *    sees them after mpool_drain() or after their CPU goes offline.
 *  - MPOOL_ENGINE_RING: one shared bounded MPMC FIFO, local IRQs off around
 *    each operation; objects are reused oldest-first. A get waits a bounded
 *    few spins for a put in flight on another CPU, then reports empty.
 *    Not NMI-safe: an NMI could wait on the operation it interrupted.
 *  - MPOOL_ENGINE_LOCKFREE: one shared Treiber stack (64-bit cmpxchg with a
 *    generation counter against ABA), no IRQ disabling, never waits for
 *    another context, hence NMI-safe (on 64-bit, where atomic64_t is
 *    native); objects are reused hottest-first.
 *
 * In every engine a put never fails and never allocates, and whatever a
 * context wrote to an object before putting it is visible to the context
 * that gets it next (the engines order the handover with release/acquire).
 *
 * Growing is process context only: a get that finds the pool empty grows
 * it (under the pool's mutex) only if its gfp mask allows blocking;
 * otherwise it returns NULL / -ENOMEM at once. The hooks run in the
 * caller's context: ctor when an object's memory is created (process
 * context), validate and reset on every put (any context the engine
 * allows, so they must be as context-safe as the caller).
 *
 * Everything else (create, lookup, destroy, grow, shrink, drain) is
 * process context; mpool_ref() and mpool_unref() work in any context
 * but NMI.
 *
 * Lifetime: mpool_destroy() unnames the pool and drops the creator's
 * reference; a pool is freed once its last reference is dropped and its
 * last object freed, whichever comes last. Objects may be freed after
 * mpool_destroy() (like page_pool); no new ones are handed out after the
 * last reference is gone.
 *
 * Rate thresholds (kmod/alert.c): mpool_set_rate_thresholds() gives a pool
 * a minimum hit rate and a maximum miss rate, in per mille of the gets
 * asked for (objects handed out plus gets that failed). The rates are
 * those of a window: the gets since the previous evaluation, evaluated by
 * the pool's statistics sample (kmod/stats.c) once the window holds at
 * least MPOOL_RATE_MIN_GETS gets, so that a quiet pool decides nothing.
 * A crossing fires the mempool:mpool_threshold trace event and counts in
 * struct mpool_rate_status, once: the threshold re-arms only after a
 * window half-way back from it to the ideal (see
 * mpool_set_rate_thresholds()). No get or put does any of this work.
 */
#ifndef _LINUX_MPOOL_H
#define _LINUX_MPOOL_H

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/sched/mm.h>
#include <linux/types.h>

struct mpool;

enum mpool_engine {
	MPOOL_ENGINE_PERCPU,
	MPOOL_ENGINE_RING,
	MPOOL_ENGINE_LOCKFREE,
	MPOOL_NR_ENGINES,
};

/* Objects are whole pages, page aligned: they can be mapped to userspace. */
#define MPOOL_F_PAGE_ALIGNED	0x1u
/* Zero an object each time it is handed out. */
#define MPOOL_F_ZERO		0x2u
/*
 * The capacity moves only when the owner says so (mpool_grow(),
 * mpool_shrink(), mpool_resize()), one object at a time: a get never grows
 * the pool, and every object is an arena of its own, so a shrink can free
 * any idle object. For owners that charge someone for every object.
 */
#define MPOOL_F_FIXED		0x4u
/*
 * Each object is one compound page (obj_size a multiple of PMD_SIZE, with
 * MPOOL_F_PAGE_ALIGNED), which a mapping of it to userspace may map with
 * PMD entries. An object that large is a naturally aligned allocation of
 * its own anyway: the flag only keeps it in one piece, so it never falls
 * back to smaller pages; the pool fails to grow (-ENOMEM) when the page
 * allocator has no such block.
 */
#define MPOOL_F_HUGE		0x8u
#define MPOOL_F_ALL		(MPOOL_F_PAGE_ALIGNED | MPOOL_F_ZERO | MPOOL_F_FIXED | \
				 MPOOL_F_HUGE)

#define MPOOL_NAME_MAX		32
/* Objects are named by u32 indices internally; keep the side arrays sane. */
#define MPOOL_MAX_OBJS		BIT(24)

/**
 * struct mpool_params - how to build a pool
 * @name: unique name in the registry, at most MPOOL_NAME_MAX - 1 bytes
 * @engine: which engine serves get/put
 * @obj_size: object size in bytes (a multiple of PAGE_SIZE with
 *	MPOOL_F_PAGE_ALIGNED)
 * @align: object alignment, a power of two; 0 for the default
 *	(cache-line alignment)
 * @init_objs: objects created up front (prefill)
 * @max_objs: the pool never holds more objects than this
 * @grow_pct: when empty, grow by this percentage of the current capacity
 *	(at least one arena, at most up to @max_objs); 0 for 100 (doubling)
 * @node: NUMA node of the backing memory, strictly (no fallback to
 *	another node), or NUMA_NO_NODE for the creating CPU's node when it
 *	has memory to spare; see mpool_create()
 * @low_watermark: when the idle objects drop below this many, the
 *	mempool:mpool_low_watermark trace event fires, once per crossing
 *	(checked on the pool's slow paths only, so possibly some gets late);
 *	it re-arms once idle objects are back at or above it. 0: never. At
 *	most @max_objs
 * @flags: MPOOL_F_*
 * @ctor: called once per object when its memory is created (may be NULL)
 * @reset: called on every put, before the object can be handed out again
 *	(may be NULL); runs in the caller's context
 * @validate: called on every put before @reset (may be NULL); returning
 *	false quarantines the object (it is never handed out again) and
 *	counts it in the statistics
 * @priv: passed to the hooks
 */
struct mpool_params {
	const char *name;
	enum mpool_engine engine;
	size_t obj_size;
	size_t align;
	unsigned int init_objs;
	unsigned int max_objs;
	unsigned int grow_pct;
	int node;
	unsigned int low_watermark;
	unsigned int flags;
	void (*ctor)(void *obj, void *priv);
	void (*reset)(void *obj, void *priv);
	bool (*validate)(void *obj, void *priv);
	void *priv;
};

/* A window of fewer gets than this is not judged: it carries on. */
#define MPOOL_RATE_MIN_GETS	64

/**
 * struct mpool_rate_status - a pool's rate thresholds and what they saw
 * @min_hit_permille: the minimum hit rate, 0 if off
 * @max_miss_permille: the maximum miss rate, 0 if off
 * @hit_low: the hit rate crossed below @min_hit_permille and has not
 *	re-armed yet
 * @miss_high: the miss rate crossed above @max_miss_permille and has not
 *	re-armed yet
 * @last_hit_permille: hit rate of the last window judged
 * @last_miss_permille: miss rate of the last window judged
 * @windows: windows judged since the pool was created
 * @hit_events: crossings of @min_hit_permille since the pool was created
 * @miss_events: crossings of @max_miss_permille since the pool was created
 *
 * The last rates and @windows are 0 until a window was judged; only
 * windows judged while a threshold was set count.
 */
struct mpool_rate_status {
	unsigned int min_hit_permille;
	unsigned int max_miss_permille;
	bool hit_low;
	bool miss_high;
	unsigned int last_hit_permille;
	unsigned int last_miss_permille;
	u64 windows;
	u64 hit_events;
	u64 miss_events;
};

/*
 * mpool_create() and mpool_lookup_or_create() return an ERR_PTR() on
 * failure, mpool_lookup() returns NULL. Each function's kernel-doc, in
 * kmod/pool.c, kmod/registry.c and kmod/alert.c, has the details.
 */
struct mpool *mpool_create(const struct mpool_params *params);
struct mpool *mpool_lookup(const char *name);
struct mpool *mpool_lookup_or_create(const struct mpool_params *params);
void mpool_ref(struct mpool *pool);
void mpool_unref(struct mpool *pool);
void mpool_destroy(struct mpool *pool);

int mpool_alloc_bulk(struct mpool *pool, void **objs, unsigned int n, gfp_t gfp);
void mpool_free_bulk(struct mpool *pool, void **objs, unsigned int n);

int mpool_grow(struct mpool *pool, unsigned int nr_objs, gfp_t gfp);
unsigned long mpool_shrink(struct mpool *pool, unsigned long nr_objs);
void mpool_drain(struct mpool *pool);

const char *mpool_name(const struct mpool *pool);
size_t mpool_obj_size(const struct mpool *pool);
unsigned int mpool_capacity(const struct mpool *pool);

int mpool_set_rate_thresholds(struct mpool *pool, unsigned int min_hit_permille,
			      unsigned int max_miss_permille);
void mpool_get_rate_status(struct mpool *pool, struct mpool_rate_status *st);

/* mpool_alloc() and mpool_free(): inline. */
#include <linux/mpool/fast.h>

#endif /* _LINUX_MPOOL_H */
