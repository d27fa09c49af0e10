/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bonwick magazines over a shared depot (cf. SLUB sheaves and barn).
 *
 * A magazine is a small array of objects, opaque unsigned long values (the
 * pool stores object addresses, so that a hit hands one out as it is; the
 * userspace harness stores numbers).  Each CPU owns a cache of two
 * magazines, "loaded" and "prev"; allocation and free work on those without
 * locks or atomic read-modify-writes.  Only when both are empty (alloc) or both
 * are full (free) does the CPU visit the depot, a spinlock-protected pair of
 * lists of full and empty magazines, and trade a whole magazine, so the lock
 * is taken at most once per MPOOL_MAG_SIZE operations in the steady state.
 * Magazine links and counts live in struct mpool_mag, never in object memory.
 *
 * Cache invariant: prev is always either empty or full (it only ever receives
 * a loaded magazine that just ran empty or full, or a fresh empty one).
 *
 * Depot invariant: every magazine on the full list is full except possibly the
 * first one.  Flush and reclaim consolidate to keep it, which is what bounds
 * the number of magazines needed (see mpool_mag_free()).
 *
 * Context rules (kernel):
 *  - A cache is used by one context at a time: its CPU with local IRQs
 *    disabled, or anyone once that CPU is offline.  Nothing here checks it.
 *  - The depot may be used from any context except NMI; its lock is taken with
 *    raw_spin_lock_irqsave() so that a caller with IRQs enabled (a shrinker
 *    calling mpool_depot_reclaim()) cannot be interrupted by a depot user on
 *    the same CPU while holding it.
 *  - Objects and magazines handed over through the depot are published by
 *    the lock; a cache's own magazines need no ordering at all.
 */
#ifndef _MPOOL_ALG_MAGAZINE_H
#define _MPOOL_ALG_MAGAZINE_H

#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define MPOOL_MAG_SIZE 32

/*
 * Cache-line aligned: magazines are allocated as one array, and two CPUs
 * filling neighbouring magazines must not write the same line.
 */
struct mpool_mag {
	struct mpool_mag *next;	/* depot list link; unused while in a cache */
	unsigned int count;
	unsigned long objs[MPOOL_MAG_SIZE];
} ____cacheline_aligned_in_smp;

/*
 * put_max: how many objects a put may leave in a magazine of the cache:
 * MPOOL_MAG_SIZE, or 0 for a cache that must not keep what is put (the
 * percpu engine's caches of CPUs on another node than the pool's, whose
 * frees go home through mpool_mag_send() instead). A limit rather than a
 * flag, so that the put hit pays for it with no instruction of its own.
 */
struct mpool_mag_cache {
	struct mpool_mag *loaded;
	struct mpool_mag *prev;
	unsigned int put_max;
};

struct mpool_depot {
	raw_spinlock_t lock;
	struct mpool_mag *full;		/* only the first may be partial */
	unsigned int nr_full;
	struct mpool_mag *empty;
	unsigned int nr_empty;
};

enum mpool_mag_result {
	MPOOL_MAG_HIT,		/* served by the CPU's own magazines */
	MPOOL_MAG_DEPOT,	/* traded a magazine with the depot */
	MPOOL_MAG_EMPTY,	/* alloc: no object anywhere; free: see below */
};

static inline void mpool_depot_init(struct mpool_depot *d)
{
	raw_spin_lock_init(&d->lock);
	d->full = NULL;
	d->nr_full = 0;
	d->empty = NULL;
	d->nr_empty = 0;
}

/* The helpers below run with d->lock held. */

static inline void mpool_depot_push_empty(struct mpool_depot *d, struct mpool_mag *m)
{
	m->next = d->empty;
	d->empty = m;
	d->nr_empty++;
}

static inline struct mpool_mag *mpool_depot_pop_empty(struct mpool_depot *d)
{
	struct mpool_mag *m = d->empty;

	if (m) {
		d->empty = m->next;
		d->nr_empty--;
	}
	return m;
}

/* A partial magazine goes first; there must not be one there already. */
static inline void mpool_depot_push_full(struct mpool_depot *d, struct mpool_mag *m)
{
	struct mpool_mag **link = &d->full;

	/* A full one goes behind the partial one, if any, to keep it first. */
	if (m->count == MPOOL_MAG_SIZE && *link && (*link)->count < MPOOL_MAG_SIZE)
		link = &(*link)->next;
	m->next = *link;
	*link = m;
	d->nr_full++;
}

static inline struct mpool_mag *mpool_depot_pop_full(struct mpool_depot *d)
{
	struct mpool_mag *m = d->full;

	if (m) {
		d->full = m->next;
		d->nr_full--;
	}
	return m;
}

static inline void mpool_depot_add_empty(struct mpool_depot *d, struct mpool_mag *m)
{
	unsigned long flags;

	m->count = 0;
	raw_spin_lock_irqsave(&d->lock, flags);
	mpool_depot_push_empty(d, m);
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

static inline int mpool_mag_cache_init(struct mpool_mag_cache *c, struct mpool_depot *d)
{
	unsigned long flags;
	int ret = -ENOMEM;

	raw_spin_lock_irqsave(&d->lock, flags);
	if (d->nr_empty >= 2) {
		c->loaded = mpool_depot_pop_empty(d);
		c->prev = mpool_depot_pop_empty(d);
		c->put_max = MPOOL_MAG_SIZE;
		ret = 0;
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return ret;
}

/*
 * The hit half of mpool_mag_alloc(): the CPU's own two magazines, nothing
 * shared. This is what the pool's inline get runs; false sends it to the
 * depot trade, out of line.
 */
static __always_inline bool mpool_mag_get_hit(struct mpool_mag_cache *c, unsigned long *obj)
{
	struct mpool_mag *m = c->loaded;

	if (likely(m->count)) {
		*obj = m->objs[--m->count];
		return true;
	}
	m = c->prev;
	if (m->count) {
		/* prev is full (cache invariant): a whole magazine to go. */
		c->prev = c->loaded;
		c->loaded = m;
		*obj = m->objs[--m->count];
		return true;
	}
	return false;
}

/*
 * Returns MPOOL_MAG_EMPTY, leaving *obj alone, when neither the cache nor the
 * depot holds an object.  Objects may still sit in other CPUs' caches.
 */
static inline enum mpool_mag_result mpool_mag_alloc(struct mpool_mag_cache *c,
						    struct mpool_depot *d, unsigned long *obj)
{
	struct mpool_mag *m;
	unsigned long flags;

	if (mpool_mag_get_hit(c, obj))
		return MPOOL_MAG_HIT;

	/* Both empty: give prev back, keep loaded as prev, take a full one. */
	raw_spin_lock_irqsave(&d->lock, flags);
	m = mpool_depot_pop_full(d);
	if (m)
		mpool_depot_push_empty(d, c->prev);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	if (!m)
		return MPOOL_MAG_EMPTY;

	c->prev = c->loaded;
	c->loaded = m;
	*obj = m->objs[--m->count];
	return MPOOL_MAG_DEPOT;
}

/* The hit half of mpool_mag_free(), as mpool_mag_get_hit() is of alloc. */
static __always_inline bool mpool_mag_put_hit(struct mpool_mag_cache *c, unsigned long obj)
{
	struct mpool_mag *m = c->loaded;

	if (likely(m->count < c->put_max)) {
		m->objs[m->count++] = obj;
		return true;
	}
	m = c->prev;
	if (m->count < c->put_max) {
		/* prev is empty (cache invariant): room for a whole magazine. */
		c->prev = c->loaded;
		c->loaded = m;
		m->objs[m->count++] = obj;
		return true;
	}
	return false;
}

/*
 * Never fails if the depot was given at least
 *	ceil(max_objs / MPOOL_MAG_SIZE) + 2 * nr_caches + 1
 * magazines, max_objs being the number of distinct indices ever in play.
 * Why: when free needs the depot, this cache holds two full magazines and the
 * caller holds obj, and every magazine on the full list is full except at most
 * one that holds at least one object, so counting objects, the full list has
 * at most ceil(max_objs / MPOOL_MAG_SIZE) - 1 magazines even after receiving
 * prev.  The caches hold the other 2 * nr_caches - 1, which leaves at least
 * three on the empty list.  Keeping a single partial magazine is what makes
 * this hold; a depot of many partial magazines could need one per object.
 *
 * If that sizing rule was broken and the depot has no empty magazine, returns
 * MPOOL_MAG_EMPTY without storing obj or changing anything; the caller still
 * owns obj. Not for a cache with put_max 0: mpool_mag_send() is its put.
 */
static inline enum mpool_mag_result mpool_mag_free(struct mpool_mag_cache *c,
						   struct mpool_depot *d, unsigned long obj)
{
	struct mpool_mag *m;
	unsigned long flags;

	if (mpool_mag_put_hit(c, obj))
		return MPOOL_MAG_HIT;

	/* Both full: give prev to the depot, keep loaded as prev, take an empty one. */
	raw_spin_lock_irqsave(&d->lock, flags);
	m = mpool_depot_pop_empty(d);
	if (m)
		mpool_depot_push_full(d, c->prev);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	if (!m)
		return MPOOL_MAG_EMPTY;

	c->prev = c->loaded;
	c->loaded = m;
	m->objs[m->count++] = obj;
	return MPOOL_MAG_DEPOT;
}

/*
 * Give the objects of the cache magazine *slot to the depot, leaving an empty
 * magazine in *slot.  Objects are first poured into the depot's partial
 * magazine, so the depot never holds more than one partial magazine.  Needs at
 * most one empty magazine from the depot, which the sizing rule of
 * mpool_mag_free() guarantees; without one the rest stays in *slot.
 */
static inline void mpool_depot_put_locked(struct mpool_depot *d, struct mpool_mag **slot)
{
	struct mpool_mag *m = *slot, *head = d->full, *e;

	if (!m->count)
		return;
	/* A full magazine is traded as it is, without copying. */
	if (m->count < MPOOL_MAG_SIZE && head && head->count < MPOOL_MAG_SIZE) {
		while (m->count && head->count < MPOOL_MAG_SIZE)
			head->objs[head->count++] = m->objs[--m->count];
		if (!m->count)
			return;
		/* head is full now, so m may become the partial one. */
	}
	e = mpool_depot_pop_empty(d);
	if (!e)
		return;
	mpool_depot_push_full(d, m);
	*slot = e;
}

/*
 * A put that must reach the depot rather than stay in a CPU's cache: @obj
 * joins the magazine *batch, which goes to the depot's full list as soon as
 * it is full, one lock per MPOOL_MAG_SIZE puts. The batch is one more
 * magazine of its cache in the sizing rule of mpool_mag_free(), which then
 * holds for the same reason. Returns MPOOL_MAG_DEPOT when the batch went to
 * the depot, MPOOL_MAG_HIT when it did not, and MPOOL_MAG_EMPTY, without
 * storing @obj, if the rule was broken and the batch is still full from
 * the last put.
 */
static inline enum mpool_mag_result mpool_mag_send(struct mpool_mag **batch,
						   struct mpool_depot *d,
						   unsigned long obj)
{
	struct mpool_mag *m = *batch, *e;
	unsigned long flags;

	if (m->count == MPOOL_MAG_SIZE)
		return MPOOL_MAG_EMPTY;
	m->objs[m->count++] = obj;
	if (m->count < MPOOL_MAG_SIZE)
		return MPOOL_MAG_HIT;
	raw_spin_lock_irqsave(&d->lock, flags);
	e = mpool_depot_pop_empty(d);
	if (e)
		mpool_depot_push_full(d, m);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	if (!e)
		return MPOOL_MAG_HIT;
	*batch = e;
	return MPOOL_MAG_DEPOT;
}

/*
 * Drain a cache, e.g. for a CPU going offline; afterwards it holds two empty
 * magazines and the depot holds at most one partial magazine.
 */
static inline void mpool_mag_cache_flush(struct mpool_mag_cache *c, struct mpool_depot *d)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	mpool_depot_put_locked(d, &c->loaded);
	mpool_depot_put_locked(d, &c->prev);
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

/* Drain a batch of mpool_mag_send() as mpool_mag_cache_flush() a cache. */
static inline void mpool_mag_batch_flush(struct mpool_mag **batch, struct mpool_depot *d)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	mpool_depot_put_locked(d, batch);
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

/*
 * Take up to @max objects out of the depot's full magazines, for a shrinker
 * or for teardown.  Emptying from the front keeps the depot invariant: only
 * the first magazine can be left partial.
 */
static inline unsigned int mpool_depot_reclaim(struct mpool_depot *d, unsigned long *obj,
					       unsigned int max)
{
	struct mpool_mag *m;
	unsigned long flags;
	unsigned int n = 0;

	raw_spin_lock_irqsave(&d->lock, flags);
	while (n < max && (m = d->full)) {
		while (n < max && m->count)
			obj[n++] = m->objs[--m->count];
		if (!m->count) {
			mpool_depot_pop_full(d);
			mpool_depot_push_empty(d, m);
		}
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return n;
}

static inline unsigned int mpool_depot_count(struct mpool_depot *d)
{
	unsigned long flags;
	unsigned int n = 0;

	raw_spin_lock_irqsave(&d->lock, flags);
	/* Only the first magazine can be partial. */
	if (d->full)
		n = (d->nr_full - 1) * MPOOL_MAG_SIZE + d->full->count;
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return n;
}

#endif /* _MPOOL_ALG_MAGAZINE_H */
