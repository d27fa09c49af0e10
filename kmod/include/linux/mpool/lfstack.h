/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock-free LIFO of u32 indices (Treiber stack).  Links live in a side array
 * next[] supplied by the caller and indexed by object index, never in object
 * memory.  The head packs {index (low 32 bits), generation (high 32 bits)}
 * into one atomic64_t, so a single 64-bit cmpxchg moves it; no double-word CAS.
 *
 * Guarantees:
 *  - push never fails; pop returns false only when it saw the stack empty.
 *  - Single-threaded use is strictly LIFO.
 *  - A successful pop happens-after the push that put the index there, so the
 *    pusher's writes to the object are visible to the popper.
 *  - Lock-free: a push or pop retries only because another one succeeded.
 *
 * ABA: pop reads head = {top, gen}, then next[top], then tries to swing head to
 * {next[top], gen + 1}.  Meanwhile top may be popped, other nodes popped or
 * pushed, and top pushed again with a different next[top].  Without the
 * generation the head would again read "top" and the stale cmpxchg would
 * install a link to a node that is no longer on the stack.  Every successful
 * update increments the generation, so the cmpxchg succeeds only if head did
 * not change at all since it was read, and while head is unchanged top is on
 * the stack, nobody owns it, and next[top] cannot have been rewritten.  The
 * generation wraps after 2^32 updates; a pop would have to stall across an
 * exact multiple of that and meet the same index to be fooled.
 *
 * Context: any, including NMI, where atomic64_t is native (every 64-bit
 * architecture): neither operation waits for another, so an interrupt that
 * uses the same stack in the middle of an operation only makes the
 * interrupted cmpxchg fail and retry.  With CONFIG_GENERIC_ATOMIC64 (some
 * 32-bit architectures) atomic64_t is protected by a hashed spinlock and
 * NMI use could deadlock.
 */
#ifndef _MPOOL_ALG_LFSTACK_H
#define _MPOOL_ALG_LFSTACK_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/types.h>

#define MPOOL_LFSTACK_NIL	U32_MAX

struct mpool_lfstack {
	atomic64_t head;
	u32 *next;	/* next[idx]: index below idx, or MPOOL_LFSTACK_NIL */
};

static inline s64 mpool_lfstack_pack(u32 idx, u32 gen)
{
	return (s64)(((u64)gen << 32) | idx);
}

static inline u32 mpool_lfstack_gen(s64 head)
{
	return (u32)((u64)head >> 32);
}

static inline void mpool_lfstack_init(struct mpool_lfstack *s, u32 *next)
{
	s->next = next;
	atomic64_set(&s->head, mpool_lfstack_pack(MPOOL_LFSTACK_NIL, 0));
}

static inline void mpool_lfstack_push(struct mpool_lfstack *s, u32 idx)
{
	s64 old = atomic64_read(&s->head), new;

	do {
		/*
		 * We own idx, but a pop that read head == idx before idx was
		 * last popped may still be loading next[idx]; WRITE_ONCE pairs
		 * with its READ_ONCE.  Its cmpxchg will fail, so whatever it
		 * reads is discarded.
		 */
		WRITE_ONCE(s->next[idx], (u32)old);
		new = mpool_lfstack_pack(idx, mpool_lfstack_gen(old) + 1);
		/*
		 * Release: the next[idx] store above and the caller's writes
		 * to the object happen before any pop that observes this head
		 * (or a later value in its chain of cmpxchgs) with acquire.
		 * On failure @old is reloaded; nothing was published.
		 */
	} while (!atomic64_try_cmpxchg_release(&s->head, &old, new));
}

static inline bool mpool_lfstack_pop(struct mpool_lfstack *s, u32 *idx)
{
	s64 old, new;
	u32 top;

	/*
	 * Acquire: pairs with the release cmpxchg of the push that installed
	 * top (pops since are read-modify-writes, which carry that release on:
	 * a release sequence in C11, an rmw-sequence in the LKMM),
	 * making that push's next[top] store visible to the load below, and
	 * the object's contents visible to our caller.
	 */
	old = atomic64_read_acquire(&s->head);
	for (;;) {
		top = (u32)old;
		if (top == MPOOL_LFSTACK_NIL)
			return false;
		/*
		 * Racy by design: once we read head, another CPU may pop top
		 * and push it again, rewriting next[top] under us.  Then head
		 * has changed (its generation at least), the cmpxchg below
		 * fails and the value is thrown away.  Marked rather than
		 * data_race() so that KCSAN still flags an unmarked writer.
		 */
		new = mpool_lfstack_pack(READ_ONCE(s->next[top]), mpool_lfstack_gen(old) + 1);
		/*
		 * Relaxed on success: it found the very head value we loaded
		 * with acquire (the generation makes equal values the same
		 * update), and that load already ordered all we depend on.
		 */
		if (atomic64_try_cmpxchg_relaxed(&s->head, &old, new))
			break;
		/*
		 * A failed cmpxchg orders nothing, so reload with acquire
		 * before trusting next[] of the new top.
		 */
		old = atomic64_read_acquire(&s->head);
	}
	*idx = top;
	return true;
}

#endif /* _MPOOL_ALG_LFSTACK_H */
