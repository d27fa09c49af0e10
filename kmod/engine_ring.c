// SPDX-License-Identifier: GPL-2.0
/*
 * The ring engine: one bounded MPMC FIFO (<linux/mpool/ring.h>) shared by all CPUs.
 *
 * FIFO reuse spreads wear over every object and hands out the one idle the
 * longest. The ring has a slot for every index (rounded up to a power of
 * two), so a put always finds room. Every operation disables local IRQs:
 * an interrupt on this CPU must never wait for the operation it interrupted
 * (see <linux/mpool/ring.h>). That also rules out NMI.
 */
#include <linux/irqflags.h>
#include <linux/log2.h>
#include <linux/processor.h>

#include <linux/mpool/ring.h>
#include "pool.h"

struct mpool_ringeng {
	struct mpool_ring ring;
};

/*
 * A pop reports "empty" when the slot at the head was claimed by a push on
 * another CPU that has not published it yet, even if more entries follow.
 * That push runs with IRQs off and is a few instructions from done, so the
 * slow half of a get (the hit half, one pop, is inline in the caller) waits
 * for it a little rather than fail (or grow the pool) with objects idle in
 * the ring; count > 0 says some push is in flight. A caller that may block
 * waits longer, without the pool lock (kmod/pool.c).
 */
#define MPOOL_RING_SPINS	128

static unsigned int mpool_ringeng_get_bulk(struct mpool *pool, u32 *idx,
					   unsigned int n)
{
	struct mpool_ringeng *e = pool->engine;
	unsigned long flags;
	unsigned int i;

	local_irq_save(flags);
	for (i = 0; i < n; i++) {
		unsigned int spins = MPOOL_RING_SPINS;

		while (!mpool_ring_pop(&e->ring, &idx[i])) {
			if (!mpool_ring_count(&e->ring) || !spins--)
				goto out;
			cpu_relax();
		}
	}
out:
	local_irq_restore(flags);
	return i;
}

static void mpool_ringeng_put_bulk(struct mpool *pool, const u32 *idx,
				   unsigned int n)
{
	struct mpool_ringeng *e = pool->engine;
	unsigned long flags;
	bool ok = true;
	unsigned int i;

	local_irq_save(flags);
	for (i = 0; i < n; i++)
		ok &= mpool_ring_push(&e->ring, idx[i]);
	local_irq_restore(flags);
	WARN_ON_ONCE(!ok);
}

static unsigned int mpool_ringeng_count(struct mpool *pool)
{
	struct mpool_ringeng *e = pool->engine;

	return mpool_ring_count(&e->ring);
}

static int mpool_ringeng_init(struct mpool *pool)
{
	/* The ring needs a power of two, and at least two slots. */
	unsigned int nr_slots = roundup_pow_of_two(max(pool->hot.max_objs, 2U));
	struct mpool_ring_slot *slots;
	struct mpool_ringeng *e;

	e = mpool_kvzalloc_node(sizeof(*e), pool->node);
	slots = mpool_kvzalloc_node(array_size(nr_slots, sizeof(*slots)),
				    pool->node);
	if (!e || !slots) {
		kvfree(slots);
		kvfree(e);
		return -ENOMEM;
	}
	mpool_ring_init(&e->ring, slots, nr_slots);
	pool->engine = e;
	pool->hot.eng = &e->ring;
	return 0;
}

static void mpool_ringeng_fini(struct mpool *pool)
{
	struct mpool_ringeng *e = pool->engine;

	kvfree(e->ring.slots);
	kvfree(e);
	pool->engine = NULL;
	pool->hot.eng = NULL;
}

const struct mpool_engine_ops mpool_engine_ring_ops = {
	.name		= "ring",
	.init		= mpool_ringeng_init,
	.fini		= mpool_ringeng_fini,
	.get_bulk	= mpool_ringeng_get_bulk,
	.put_bulk	= mpool_ringeng_put_bulk,
	/* Everything idle is in the ring: a shrink just takes it. */
	.reclaim	= mpool_ringeng_get_bulk,
	.count		= mpool_ringeng_count,
};
