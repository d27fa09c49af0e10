/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded multi-producer multi-consumer FIFO of u32 indices (Dmitry Vyukov's
 * bounded MPMC queue): every slot carries a sequence number that tells which
 * lap of the ring it is ready for, so producers and consumers claim a position
 * with one relaxed cmpxchg on their own counter and hand the value over through
 * the slot's acquire/release sequence, never touching each other's counter.
 *
 * Guarantees:
 *  - mpool_ring_push() returns false only when the ring held nr_slots entries;
 *    mpool_ring_pop() returns false when it found nothing it could take.
 *  - One producer and one consumer see strict FIFO order; with several, each
 *    producer's entries reach any one consumer in the order they were pushed.
 *  - A successful pop happens-after the push that stored the value, so whatever
 *    the pusher wrote to the object before pushing is visible to the popper.
 *  - No locks.  Pop never waits; push waits only for a consumer in mid-pop.
 *    Not lock-free in the strict sense: a producer stopped between claiming
 *    a position and publishing it makes pops report empty, even with entries
 *    behind it, until it resumes.  Disabled IRQs keep that window to a few
 *    instructions (a preempted vCPU can still stretch it), so pool callers
 *    must read false from pop as "nothing to take right now", not as proof
 *    that no object is free.
 *
 * Context rules (kernel):
 *  - Callers disable local IRQs around push and pop.  Between claiming a
 *    position and releasing its slot an operation leaves the slot in a state
 *    that other operations may wait for (push) or give up on (pop); an IRQ on
 *    the same CPU must never run a ring operation that waits on the operation
 *    it interrupted, because that one cannot finish until the IRQ returns.
 *  - A pop that meets a slot whose producer has claimed it but not yet
 *    published the value returns false (the ring is reported empty) instead of
 *    spinning: the producer may be slow, and an allocation is allowed to fail.
 *  - A push that meets a slot whose consumer has claimed it but not yet
 *    released it spins with cpu_relax().  That consumer is a few instructions
 *    from done with IRQs off on another CPU, so the wait is short; failing
 *    instead would make a free fail while the ring has room.  The pool sizes
 *    the ring to at least the number of objects, which makes "genuinely full"
 *    impossible for it: nr_slots entries plus the one being pushed would be more
 *    distinct indices than exist.  So the only state a pool push ever waits on
 *    is that transient one, and it never returns false.
 *  - Not NMI-safe: an NMI that pushes while its CPU was interrupted between a
 *    pop's claim and release can spin on that slot forever, and an NMI pop can
 *    report empty because of the interrupted push.
 *
 * Positions and sequence numbers are 32-bit and compared by signed difference,
 * so they may wrap; nr_slots must be a power of two and at least 2 (with one
 * slot, "published for lap n" and "free for lap n + 1" are the same number).
 */
#ifndef _MPOOL_ALG_RING_H
#define _MPOOL_ALG_RING_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/processor.h>
#include <linux/types.h>

/*
 * seq == pos:     free, waiting for the producer of position pos
 * seq == pos + 1: holds the value pushed at pos, waiting for its consumer
 * A consumer of pos releases the slot to pos + nr_slots, the next lap.
 */
struct mpool_ring_slot {
	atomic_t seq;
	u32 val;
};

struct mpool_ring {
	struct mpool_ring_slot *slots;
	unsigned int mask;
	/* Producers and consumers each bounce only their own cache line. */
	atomic_t enq ____cacheline_aligned_in_smp;
	atomic_t deq ____cacheline_aligned_in_smp;
};

static inline void mpool_ring_init(struct mpool_ring *r, struct mpool_ring_slot *slots,
				   unsigned int nr_slots)
{
	unsigned int i;

	r->slots = slots;
	r->mask = nr_slots - 1;
	for (i = 0; i < nr_slots; i++) {
		atomic_set(&slots[i].seq, i);
		slots[i].val = 0;
	}
	atomic_set(&r->enq, 0);
	atomic_set(&r->deq, 0);
}

/*
 * The slot for @pos still belongs to lap pos - nr_slots.  Either that lap's
 * consumer has claimed it (dequeue position past it) and is about to release
 * it, or nobody has consumed it and the ring is full.
 */
static inline bool mpool_ring_full(const struct mpool_ring *r, unsigned int pos)
{
	unsigned int prev_lap = pos - (r->mask + 1);

	/*
	 * No ordering needed: deq only grows, and a consumer claims a position
	 * before it releases the slot.  If this load still finds deq at or
	 * before prev_lap, then at that moment no consumer had claimed it while
	 * producers had claimed every position from prev_lap up to pos, so the
	 * ring was full then.  If one has claimed it, the caller looks again.
	 */
	return (int)((unsigned int)atomic_read(&r->deq) - prev_lap) <= 0;
}

static inline bool mpool_ring_push(struct mpool_ring *r, u32 val)
{
	struct mpool_ring_slot *slot;
	unsigned int pos;
	int old, diff;

	old = atomic_read(&r->enq);
	for (;;) {
		pos = (unsigned int)old;
		slot = &r->slots[pos & r->mask];
		/*
		 * Pairs with the consumer's release of this slot: once we see
		 * it free for our lap, the consumer's read of the old val is
		 * done and our store below cannot overwrite it early.
		 */
		diff = (int)((unsigned int)atomic_read_acquire(&slot->seq) - pos);
		if (diff == 0) {
			/*
			 * Relaxed: the claim only arbitrates among producers;
			 * all data ordering goes through slot->seq.  On failure
			 * @old is reloaded with the current position.
			 */
			if (atomic_try_cmpxchg_relaxed(&r->enq, &old, (int)(pos + 1)))
				break;
		} else if (diff < 0) {
			if (mpool_ring_full(r, pos))
				return false;
			/* A consumer is releasing the slot; see the top comment. */
			cpu_relax();
			old = atomic_read(&r->enq);
		} else {
			/* Another producer took @pos since we read enq. */
			old = atomic_read(&r->enq);
		}
	}

	slot->val = val;
	/*
	 * Publish: orders the val store (and the caller's writes to the object
	 * it names) before a consumer's acquire load that sees pos + 1.
	 */
	atomic_set_release(&slot->seq, (int)(pos + 1));
	return true;
}

static inline bool mpool_ring_pop(struct mpool_ring *r, u32 *val)
{
	struct mpool_ring_slot *slot;
	unsigned int pos;
	int old, diff;

	old = atomic_read(&r->deq);
	for (;;) {
		pos = (unsigned int)old;
		slot = &r->slots[pos & r->mask];
		/*
		 * Pairs with the producer's release of pos + 1: seeing it makes
		 * the producer's val store visible to the read below.
		 */
		diff = (int)((unsigned int)atomic_read_acquire(&slot->seq) - (pos + 1));
		/* Empty, or its producer has not published yet. */
		if (diff < 0)
			return false;
		if (diff > 0) {
			/* Another consumer took @pos since we read deq. */
			old = atomic_read(&r->deq);
			continue;
		}
		/* Relaxed, as in push: only arbitrates among consumers. */
		if (atomic_try_cmpxchg_relaxed(&r->deq, &old, (int)(pos + 1)))
			break;
	}

	*val = slot->val;
	/*
	 * Hand the slot to the producer one lap ahead: orders our read of val
	 * before its acquire load that sees the new seq, and hence before its
	 * store to val.
	 */
	atomic_set_release(&slot->seq, (int)(pos + r->mask + 1));
	return true;
}

/* Entries claimed by producers and not yet claimed by consumers; racy. */
static inline unsigned int mpool_ring_count(const struct mpool_ring *r)
{
	/*
	 * Consumers never pass producers, so reading deq first keeps the
	 * difference from going negative except across unrelated updates; clamp
	 * anyway since the two loads are not one snapshot.
	 */
	unsigned int deq = (unsigned int)atomic_read(&r->deq);
	int n = (int)((unsigned int)atomic_read(&r->enq) - deq);

	if (n < 0)
		return 0;
	if ((unsigned int)n > r->mask + 1)
		return r->mask + 1;
	return n;
}

#endif /* _MPOOL_ALG_RING_H */
