/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hit path of mpool_alloc() and mpool_free(), inline in the caller.
 *
 * A get or put that its CPU can serve alone (a magazine with room, a ring
 * slot, the stack's head) runs here, in the caller, without a call: the
 * depot trade, growing, waiting, a destroyed pool, the hooks and the
 * statistics samples are all out of line in mempool.ko (kmod/pool.c and
 * the engines), so the hit path needs no callee-saved registers and no
 * stack canary.
 *
 * Lifetime without a reference per object. Each CPU counts the objects it
 * handed out (gets) and took back (puts) in struct mpool_cpu, on the cache
 * line the percpu engine's magazines sit on; the count of objects out is
 * the difference of the sums. Every hit runs inside a section that RCU
 * treats as a read-side critical section (local IRQs off for the percpu
 * and ring engines, preemption off for the lockfree engine, which may also
 * run in NMI) and checks mpool_hot::dead there. Destroying a pool sets
 * dead, and one RCU grace period later (kmod/registry.c) folds the per-CPU
 * counts into one atomic count that the slow path of every later put
 * decrements: the pattern of percpu_ref, without its calls. A hit that saw
 * the pool alive has finished before that fold; one that starts after it
 * sees dead and takes the slow path.
 */
#ifndef _LINUX_MPOOL_FAST_H
#define _LINUX_MPOOL_FAST_H

#include <linux/compiler.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/mpool/lfstack.h>
#include <linux/mpool/magazine.h>
#include <linux/mpool/ring.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/reciprocal_div.h>
#include <linux/string.h>
#include <linux/types.h>

struct mpool;

/**
 * struct mpool_cpu - a pool's state on one CPU
 * @mags: percpu engine: this CPU's two magazines
 * @gets: objects this CPU handed out
 * @puts: objects this CPU took back (quarantined ones included)
 *
 * Only this CPU writes it, in the sections described at the top of this
 * file; the sums over all CPUs give the statistics and the lifetime count.
 * An object is counted out after it leaves the engine and back before any
 * other CPU can take it again (before a shared engine's push; within the
 * IRQs-off section, for the CPU's own magazines), so the sums never count
 * one object out twice.
 */
struct mpool_cpu {
	struct mpool_mag_cache mags;
	unsigned long gets;
	unsigned long puts;
};

/**
 * struct mpool_hot - what every get and put of a pool reads: one cache line
 * @engine: enum mpool_engine
 * @dead: the pool was destroyed and lost its last user: no more gets,
 *	every put takes the slow path
 * @put_engine: @engine, or MPOOL_NR_ENGINES when a put must take the slow
 *	path (the pool has hooks)
 * @get_engine: @engine, or MPOOL_NR_ENGINES when a get must take the slow
 *	path (the pool zeroes objects)
 * @stride_shift: log2(@stride) if @stride is a power of two, else 0
 * @arena_shift: log2(objects per arena)
 * @arena_mask: objects per arena - 1
 * @stride: bytes from one object to the next
 * @max_objs: indices are below this
 * @nr_slots: arena slots
 * @arena_bytes: bytes a full arena's objects span
 * @last_bytes: bytes the last arena's objects span (it may be short)
 * @stride_recip: for dividing by a @stride that is not a power of two
 * @arena_base: [nr_slots] each arena's address, NULL for an empty slot
 * @cpu: per-CPU state
 * @eng: the ring or the stack, for the ring and lockfree engines
 *
 * The first member of struct mpool (kmod/pool.h); written only when the
 * pool is built, except @dead.
 */
struct mpool_hot {
	u8 engine;
	u8 dead;
	u8 put_engine;
	u8 get_engine;
	u8 stride_shift;
	u8 arena_shift;
	u32 arena_mask;
	u32 stride;
	u32 max_objs;
	u32 nr_slots;
	u32 arena_bytes;
	u32 last_bytes;
	struct reciprocal_value stride_recip;
	void **arena_base;
	struct mpool_cpu __percpu *cpu;
	void *eng;
} ____cacheline_aligned_in_smp;

/* Out of line, in mempool.ko: everything a hit does not do. */
void *mpool_alloc_slow(struct mpool *pool, gfp_t gfp);
void mpool_free_slow(struct mpool *pool, void *obj);
void mpool_free_bad(struct mpool *pool, const void *obj);
void mpool_stats_tick(struct mpool *pool);
/* CONFIG_DEBUG_VM only: the double-free check. */
void mpool_debug_alloc(struct mpool *pool, const void *obj);
bool mpool_debug_free(struct mpool *pool, const void *obj);

/* Gets per CPU between two sample requests, ring and lockfree engines. */
#define MPOOL_STATS_TICK	64

static __always_inline struct mpool_hot *mpool_hot(struct mpool *pool)
{
	return (struct mpool_hot *)pool;
}

static __always_inline void *mpool_hot_obj(const struct mpool_hot *h, u32 idx)
{
	void *base = h->arena_base[idx >> h->arena_shift];

	return base + (size_t)(idx & h->arena_mask) * h->stride;
}

/*
 * virt_to_page() of an address known to be in the linear map. x86-64's
 * __pa() also accepts kernel-image addresses, a test and branch that the
 * caller's range check made useless.
 */
static __always_inline struct page *mpool_linear_to_page(unsigned long addr)
{
#ifdef CONFIG_X86_64
	return pfn_to_page((addr - PAGE_OFFSET) >> PAGE_SHIFT);
#else
	return virt_to_page((void *)addr);
#endif
}

/*
 * Where @obj lies, slot and offset, if it is the start of one of the pool's
 * objects (mpool_hot_obj_valid() and mpool_hot_obj_to_idx() below). Cheap
 * enough for every free: only an address of the kernel's linear map is
 * looked up in the memory map, and the slot found there (page->private of
 * every arena page, see kmod/arena.c) counts only if that arena of this
 * pool really spans @obj. A linear-map address of a hole in physical memory
 * has no struct page to read, as it has no memory: like kfree(), this
 * trusts the caller that far; CONFIG_DEBUG_VM kernels check it too.
 */
static __always_inline bool mpool_hot_obj_span(const struct mpool_hot *h,
					       const void *obj, bool short_last,
					       unsigned long *slotp,
					       unsigned long *offp)
{
	unsigned long addr = (unsigned long)obj, slot, off;
	const void *base;
	u32 lim;

	if (unlikely(addr - PAGE_OFFSET >=
		     (unsigned long)high_memory - PAGE_OFFSET))
		return false;
	if (IS_ENABLED(CONFIG_DEBUG_VM) && !virt_addr_valid(obj))
		return false;
	slot = page_private(mpool_linear_to_page(addr));
	if (unlikely(slot >= h->nr_slots))
		return false;
	/* READ_ONCE: a stray pointer may name a slot a grow is filling. */
	base = READ_ONCE(h->arena_base[slot]);
	/* Below @base (or a NULL @base) wraps to a huge offset. */
	off = addr - (unsigned long)base;
	/*
	 * The last arena may be short: @short_last checks here, else the
	 * caller checks the index.
	 */
	lim = h->arena_bytes;
	if (short_last && slot + 1 == h->nr_slots)
		lim = h->last_bytes;
	if (unlikely(off >= lim))
		return false;
	if (likely(h->stride_shift)) {
		if (unlikely(off & (h->stride - 1)))
			return false;
	} else if (unlikely(reciprocal_divide(off, h->stride_recip) * h->stride != off)) {
		return false;
	}
	*slotp = slot;
	*offp = off;
	return true;
}

/* Is @obj the start of one of the pool's objects? */
static __always_inline bool mpool_hot_obj_valid(const struct mpool_hot *h,
						const void *obj)
{
	unsigned long slot, off;

	return mpool_hot_obj_span(h, obj, true, &slot, &off);
}

/* The index of @obj, if it is the start of one of the pool's objects. */
static __always_inline bool mpool_hot_obj_to_idx(const struct mpool_hot *h,
						 const void *obj, u32 *idx)
{
	unsigned long slot, off;
	u32 i;

	if (!mpool_hot_obj_span(h, obj, false, &slot, &off))
		return false;
	if (likely(h->stride_shift))
		i = off >> h->stride_shift;
	else
		i = reciprocal_divide(off, h->stride_recip);
	i |= slot << h->arena_shift;
	*idx = i;
	/* The last arena may be short. */
	return i < h->max_objs;
}

/*
 * One object from the CPU's share of @engine (the pool's, or
 * MPOOL_NR_ENGINES for "not here"), counted as out; NULL for anything that
 * needs the slow path (empty there, or a dead pool).
 */
static __always_inline void *mpool_hot_get_from(struct mpool_hot *h, u8 engine)
{
	unsigned long flags, n, obj;
	bool ok = false;
	u32 idx;

	if (likely(engine == MPOOL_ENGINE_PERCPU)) {
		/* The magazines are this CPU's: IRQs off keeps out its IRQs. */
		local_irq_save(flags);
		if (likely(!READ_ONCE(h->dead)) &&
		    likely(mpool_mag_get_hit(&this_cpu_ptr(h->cpu)->mags, &obj))) {
			/* A per-CPU op: readers on other CPUs look racily. */
			__this_cpu_inc(h->cpu->gets);
			local_irq_restore(flags);
			/* Its statistics sample on depot trades instead. */
			return (void *)obj;
		}
		local_irq_restore(flags);
		return NULL;
	}
	n = 1;
	if (engine == MPOOL_ENGINE_RING) {
		/* See <linux/mpool/ring.h>: no IRQ may wait on this pop. */
		local_irq_save(flags);
		if (likely(!READ_ONCE(h->dead)) && mpool_ring_pop(h->eng, &idx)) {
			n = __this_cpu_inc_return(h->cpu->gets);
			ok = true;
		}
		local_irq_restore(flags);
	} else if (engine == MPOOL_ENGINE_LOCKFREE) {
		/* NMI-safe: the counter is one per-CPU read-modify-write. */
		preempt_disable();
		if (likely(!READ_ONCE(h->dead)) && mpool_lfstack_pop(h->eng, &idx)) {
			n = this_cpu_inc_return(h->cpu->gets);
			ok = true;
		}
		preempt_enable();
	}
	if (!ok)
		return NULL;
	/*
	 * No slow path of their own on a hit: every few gets, ask for a
	 * statistics sample, which runs later (kmod/stats.c), NMI or not.
	 */
	if (unlikely(!(n % MPOOL_STATS_TICK)))
		mpool_stats_tick((struct mpool *)h);
	return mpool_hot_obj(h, idx);
}

/* A get the hit path may serve: not for a pool that zeroes (slow path). */
static __always_inline void *mpool_hot_get(struct mpool_hot *h)
{
	return mpool_hot_get_from(h, h->get_engine);
}

/*
 * Give object @obj, index @idx, back to the CPU's share of @engine (the
 * pool's, or MPOOL_NR_ENGINES for "not here"); false: slow path.
 */
static __always_inline bool mpool_hot_put_to(struct mpool_hot *h, u8 engine,
					     u32 idx, void *obj)
{
	unsigned long flags;
	bool ok = false;

	if (likely(engine == MPOOL_ENGINE_PERCPU)) {
		local_irq_save(flags);
		if (likely(!READ_ONCE(h->dead)) &&
		    likely(mpool_mag_put_hit(&this_cpu_ptr(h->cpu)->mags,
					     (unsigned long)obj))) {
			__this_cpu_inc(h->cpu->puts);
			local_irq_restore(flags);
			return true;
		}
		local_irq_restore(flags);
		return false;
	}
	if (engine == MPOOL_ENGINE_RING) {
		/*
		 * Counted back before the push: another CPU may pop and count
		 * the object out the moment it is in the ring.
		 */
		local_irq_save(flags);
		if (likely(!READ_ONCE(h->dead))) {
			__this_cpu_inc(h->cpu->puts);
			ok = mpool_ring_push(h->eng, idx);
			if (unlikely(!ok))
				__this_cpu_dec(h->cpu->puts);
		}
		local_irq_restore(flags);
	} else if (engine == MPOOL_ENGINE_LOCKFREE) {
		preempt_disable();
		if (likely(!READ_ONCE(h->dead))) {
			this_cpu_inc(h->cpu->puts);
			mpool_lfstack_push(h->eng, idx);
			ok = true;
		}
		preempt_enable();
	}
	return ok;
}

/* A put the hit path may take: not for a pool with hooks (slow path). */
static __always_inline bool mpool_hot_put(struct mpool_hot *h, u32 idx, void *obj)
{
	return mpool_hot_put_to(h, h->put_engine, idx, obj);
}

/**
 * mpool_alloc() - get an object
 * @pool: the pool
 * @gfp: GFP_KERNEL (or any mask that allows blocking) lets an empty pool
 *	grow, up to max_objs, and, for the percpu engine, collect objects
 *	idling in other CPUs' caches; otherwise an empty pool fails at once.
 *	The mask also applies to the arenas a grow allocates.
 *
 * The object is zeroed if the pool has MPOOL_F_ZERO (in mpool_alloc_slow(),
 * where such a pool's every get goes), and otherwise holds whatever the
 * ctor or the last user (after the reset hook) left in it. Inline: a hit
 * costs no call; everything else is mpool_alloc_slow().
 *
 * Context: any context the pool's engine allows (see <linux/mpool.h>);
 * process context if @gfp allows blocking.
 * Return: the object, or NULL if none is available.
 */
static __always_inline void *mpool_alloc(struct mpool *pool, gfp_t gfp)
{
	void *obj;

	/* Debug kernels check the context even on a hit, as slab does. */
	if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		might_alloc(gfp);
	obj = mpool_hot_get(mpool_hot(pool));
	if (unlikely(!obj))
		return mpool_alloc_slow(pool, gfp);
	if (IS_ENABLED(CONFIG_DEBUG_VM))
		mpool_debug_alloc(pool, obj);
	return obj;
}

/**
 * mpool_free() - give an object back
 * @pool: the pool it came from
 * @obj: the object, or NULL (then nothing happens)
 *
 * Runs the validate hook, then the reset hook, in the caller's context. An
 * object the validate hook refuses is quarantined: it is never handed out
 * again and keeps its arena from being freed until the pool goes away.
 * Freeing the last object of a destroyed pool frees the pool (later, from
 * a workqueue). A pointer that is not the start of one of @pool's objects
 * is refused (logged, and counted as a bad free in the statistics) rather
 * than corrupting the pool; kernels built with CONFIG_DEBUG_VM also refuse
 * an object freed twice.
 *
 * Context: any context the pool's engine allows (see <linux/mpool.h>).
 */
static __always_inline void mpool_free(struct mpool *pool, void *obj)
{
	struct mpool_hot *h = mpool_hot(pool);
	u32 idx;

	/* The magazines hold addresses: the percpu engine needs no index. */
	if (likely(h->put_engine == MPOOL_ENGINE_PERCPU)) {
		if (unlikely(!mpool_hot_obj_valid(h, obj))) {
			mpool_free_bad(pool, obj);
			return;
		}
		if (IS_ENABLED(CONFIG_DEBUG_VM) && !mpool_debug_free(pool, obj))
			return;
		if (unlikely(!mpool_hot_put_to(h, MPOOL_ENGINE_PERCPU, 0, obj)))
			mpool_free_slow(pool, obj);
		return;
	}
	if (unlikely(!mpool_hot_obj_to_idx(h, obj, &idx))) {
		mpool_free_bad(pool, obj);
		return;
	}
	if (IS_ENABLED(CONFIG_DEBUG_VM) && !mpool_debug_free(pool, obj))
		return;
	if (unlikely(!mpool_hot_put(h, idx, obj)))
		mpool_free_slow(pool, obj);
}

#endif /* _LINUX_MPOOL_FAST_H */
