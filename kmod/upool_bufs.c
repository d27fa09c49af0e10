// SPDX-License-Identifier: GPL-2.0
/*
 * How a user pool's buffers go out to a session and come back: reserve,
 * take, zero; check, quarantine, return; and what each lease is charged.
 * A lease may pass from its session to a dma-buf (export) and back
 * (import), charges and all; the buffer stays out of the mpool meanwhile.
 *
 * A lease first reserves buffers from nr_free, then takes them out of the
 * mpool. The reservation makes all-or-nothing and the blocking wait exact
 * without holding a lock across the engines, which stay lock-free; taking
 * then cannot come up short, except in the per-CPU engine's corner where
 * objects sit in another CPU's magazine, which mpool_alloc_idx() flushes.
 *
 * A released buffer whose pages something outside (a pipe, io_uring,
 * O_DIRECT) still references is quarantined rather than returned: handing
 * it to the next lessee would let that something read or write another
 * session's data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "compat.h"
#include "pool.h"
#include "trace.h"
#include "upool.h"
#include "upool_internal.h"
#include "user.h"

unsigned int mpool_max_session_leases = 65536;
module_param_named(max_session_leases, mpool_max_session_leases, uint, 0644);
MODULE_PARM_DESC(max_session_leases, "Most buffers one /dev/mempool session may hold");

/* While quarantined buffers exist, a waiter looks at them this often. */
#define MPOOL_QUARANTINE_POLL_NS	(100 * NSEC_PER_MSEC)

/*
 * How a lease takes a buffer out of the mpool. A reserved buffer is in the
 * engine, but a get can still miss it for a moment: the percpu engine may
 * have to flush other CPUs' magazines, and another lessee can carry it off
 * in a whole magazine between that flush and our get; a ring slot can sit
 * behind a put still in progress. So a miss is retried, giving the CPU
 * away in between, before it counts as a failure.
 */
#define MPOOL_TAKE_TRIES	64

/**
 * mpool_upool_ready() - is there a buffer to lease?
 * @up: the pool
 *
 * Return: true if a buffer is free and the pool can still lease.
 */
bool mpool_upool_ready(struct mpool_upool *up)
{
	return atomic_read(&up->nr_free) > 0 && READ_ONCE(up->state) != MPOOL_UP_DEAD;
}

static bool mpool_upool_try_reserve(struct mpool_upool *up, u32 n)
{
	int free = atomic_read(&up->nr_free);

	do {
		if (free < n)
			return false;
	} while (!atomic_try_cmpxchg(&up->nr_free, &free, free - n));
	return true;
}

/**
 * mpool_upool_reserve_upto() - set up to @n free buffers aside, no wait
 * @up: the pool
 * @n: how many at most
 *
 * For a shrink, which takes what it can.
 *
 * Return: how many it set aside.
 */
u32 mpool_upool_reserve_upto(struct mpool_upool *up, u32 n)
{
	int free = atomic_read(&up->nr_free), take;

	do {
		take = clamp_t(int, free, 0, n);
		if (!take)
			return 0;
	} while (!atomic_try_cmpxchg(&up->nr_free, &free, free - take));
	return take;
}

/*
 * What a waiter sleeps on: enough buffers, a dead pool, or a change in the
 * quarantine, whose buffers nothing wakes us for when they become free.
 */
static bool mpool_upool_wake_cond(struct mpool_upool *up, u32 n, unsigned int quarantined)
{
	return atomic_read(&up->nr_free) >= n || READ_ONCE(up->state) == MPOOL_UP_DEAD ||
	       READ_ONCE(up->nr_quarantined) != quarantined;
}

/*
 * mpool_upool_reserve() - set @n free buffers aside for one lease
 * @up: the pool
 * @n: how many, at most @up->nr_bufs
 * @wait: sleep until @n are free
 * @timeout_ns: with @wait, the longest sleep; 0 for none
 *
 * Return: 0; -EIDRM if the pool is destroyed; -EAGAIN if @n are not free
 * and !@wait; -ETIMEDOUT, -EINTR or -ERESTARTSYS (no timeout) when waiting.
 */
static int mpool_upool_reserve(struct mpool_upool *up, u32 n, bool wait, u64 timeout_ns)
{
	ktime_t deadline = KTIME_MAX, now, slice;
	unsigned int quarantined;
	bool was_short = false;
	int ret;

	if (wait && timeout_ns)
		deadline = ktime_add_safe(ktime_get(),
					  ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX)));
	for (;;) {
		if (READ_ONCE(up->state) == MPOOL_UP_DEAD)
			return -EIDRM;
		if (mpool_upool_try_reserve(up, n))
			goto got;
		quarantined = READ_ONCE(up->nr_quarantined);
		if (quarantined) {
			mpool_upool_reclaim(up);
			if (mpool_upool_try_reserve(up, n))
				goto got;
			quarantined = READ_ONCE(up->nr_quarantined);
		}
		if (!was_short) {
			was_short = true;
			atomic_long_inc(&up->nr_short);
		}
		if (!wait) {
			atomic_long_inc(&up->nr_failed);
			mpool_watch_lease_done(up, true);
			return -EAGAIN;
		}

		slice = KTIME_MAX;
		if (deadline != KTIME_MAX) {
			now = ktime_get();
			if (ktime_after(now, deadline)) {
				atomic_long_inc(&up->nr_timed_out);
				mpool_watch_lease_done(up, true);
				return -ETIMEDOUT;
			}
			slice = ktime_sub(deadline, now);
		}
		/* Quarantined buffers come free silently: look every so often. */
		if (quarantined)
			slice = min_t(ktime_t, slice, MPOOL_QUARANTINE_POLL_NS);
#define mpool_woken() mpool_upool_wake_cond(up, n, quarantined)
		if (slice == KTIME_MAX)
			ret = wait_event_interruptible(up->wq, mpool_woken());
		else
			ret = wait_event_interruptible_hrtimeout(up->wq, mpool_woken(), slice);
#undef mpool_woken
		if (ret == -ERESTARTSYS)
			return deadline != KTIME_MAX ? -EINTR : -ERESTARTSYS;
	}
got:
	mpool_watch_lease_done(up, false);
	return 0;
}

/**
 * mpool_upool_unreserve() - @n buffers are free to lease again
 * @up: the pool
 * @n: how many: returned, added by a grow, or a reservation given back
 */
void mpool_upool_unreserve(struct mpool_upool *up, u32 n)
{
	atomic_add(n, &up->nr_free);
	if (wq_has_sleeper(&up->wq))
		wake_up_interruptible_poll(&up->wq, EPOLLIN | EPOLLRDNORM);
	mpool_watch_free_changed(up);
}

static void mpool_upool_zero(struct mpool_upool *up, u32 idx)
{
	unsigned int pg;

	for (pg = 0; pg < up->buf_pages; pg++)
		clear_highpage(mpool_idx_to_page(up->pool, idx, pg));
}

/* Give buffers that never reached a session straight back to the mpool. */
static void mpool_upool_untake(struct mpool_upool *up, const u32 *ids, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		clear_bit(ids[i], up->busy);
		mpool_free_idx(up->pool, ids[i]);
	}
}

/*
 * mpool_upool_take() - take @n reserved buffers out of the pool, zeroed
 * @up: the pool
 * @ids: where their ids go
 * @n: as many as were reserved
 *
 * Zeroing here, as each lease starts, covers every way a buffer can have
 * come back (release, a session's end, a quarantine) with one rule.
 *
 * Return: 0, or -ENOMEM, -EIDRM (destroyed meanwhile), -EINTR (fatal
 * signal) or -EIO (the mpool handed out something it should not have),
 * with the reservation and every buffer given back.
 */
static int mpool_upool_take(struct mpool_upool *up, u32 *ids, u32 n)
{
	int err = 0, tries;
	u32 i, got;

	for (got = 0; got < n; got++) {
		for (tries = 0; tries < MPOOL_TAKE_TRIES; tries++) {
			err = mpool_alloc_idx(up->pool, &ids[got], MPOOL_USER_GFP);
			if (!err || READ_ONCE(up->state) == MPOOL_UP_DEAD ||
			    fatal_signal_pending(current))
				break;
			cond_resched();
		}
		if (err) {
			/* Destroyed since the reservation: the mpool says no. */
			if (READ_ONCE(up->state) == MPOOL_UP_DEAD)
				err = -EIDRM;
			goto undo;
		}
		/* Trust, but do not index a bitmap with it unchecked. */
		if (ids[got] >= up->max_bufs || test_and_set_bit(ids[got], up->busy)) {
			pr_err_once("pool %s handed out index %u twice or out of range\n",
				    up->name, ids[got]);
			err = -EIO;
			goto undo;
		}
	}
	for (i = 0; i < n; i++) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto undo;
		}
		mpool_upool_zero(up, ids[i]);
		cond_resched();
	}
	return 0;

undo:
	mpool_upool_untake(up, ids, got);
	mpool_upool_unreserve(up, n);
	return err;
}

/*
 * After revocation, only the mpool's own reference should remain on each
 * page. More means something took one through the mapping (GUP, vmsplice,
 * a pipe, O_DIRECT in flight) and can still read or write the page. The
 * pages of a huge pool's buffer are one compound page, whose references
 * are all counted on its head: one folio to look at.
 */
static bool mpool_upool_buf_idle(struct mpool_upool *up, u32 idx)
{
	struct folio *folio;
	unsigned int pg;

	for (pg = 0; pg < up->buf_pages; pg += folio_nr_pages(folio)) {
		folio = page_folio(mpool_idx_to_page(up->pool, idx, pg));
		if (folio_ref_count(folio) != 1)
			return false;
	}
	return true;
}

/*
 * mpool_upool_return() - give leased buffers back to the pool
 * @up: the pool
 * @ids: buffer ids whose lease has ended and whose mappings are revoked
 * @n: how many
 *
 * A buffer whose pages something outside still references is quarantined
 * instead: handing it to the next lessee would let that something read or
 * write another session's data.
 */
static void mpool_upool_return(struct mpool_upool *up, const u32 *ids, u32 n)
{
	u32 i, freed = 0;

	for (i = 0; i < n; i++) {
		if (!mpool_upool_buf_idle(up, ids[i])) {
			mutex_lock(&up->qlock);
			__set_bit(ids[i], up->quarantine);
			WRITE_ONCE(up->nr_quarantined, up->nr_quarantined + 1);
			mutex_unlock(&up->qlock);
			/* Waiters switch to polling for it. */
			wake_up_all(&up->wq);
			continue;
		}
		clear_bit(ids[i], up->busy);
		mpool_free_idx(up->pool, ids[i]);
		freed++;
	}
	if (freed)
		mpool_upool_unreserve(up, freed);
}

/**
 * mpool_upool_reclaim() - return quarantined buffers nobody references now
 * @up: the pool
 */
void mpool_upool_reclaim(struct mpool_upool *up)
{
	unsigned int idx, freed = 0;

	if (!READ_ONCE(up->nr_quarantined))
		return;
	mutex_lock(&up->qlock);
	for_each_set_bit(idx, up->quarantine, up->max_bufs) {
		if (!mpool_upool_buf_idle(up, idx))
			continue;
		__clear_bit(idx, up->quarantine);
		clear_bit(idx, up->busy);
		mpool_free_idx(up->pool, idx);
		freed++;
	}
	WRITE_ONCE(up->nr_quarantined, up->nr_quarantined - freed);
	mutex_unlock(&up->qlock);
	if (freed)
		mpool_upool_unreserve(up, freed);
}

/* Count @n more leases against the session's cap and its user's. */
static int mpool_upool_lease_quota(struct mpool_account *acct, u32 n)
{
	unsigned int cap = READ_ONCE(mpool_max_session_leases);
	int err;

	if ((unsigned int)atomic_add_return(n, &acct->nr_leases) > cap) {
		atomic_sub(n, &acct->nr_leases);
		return -EDQUOT;
	}
	err = mpool_user_charge(acct->user, MPOOL_RES_LEASES, n, acct->unlimited);
	if (err)
		atomic_sub(n, &acct->nr_leases);
	return err;
}

static void mpool_upool_lease_unquota(struct mpool_account *acct, u32 n)
{
	mpool_user_uncharge(acct->user, MPOOL_RES_LEASES, n);
	atomic_sub(n, &acct->nr_leases);
}

/**
 * mpool_upool_lease() - take @n buffers out for a session, zeroed
 * @up: the pool
 * @acct: the session's account, charged with the lease
 * @ids: where the buffer ids go
 * @n: how many, 1 to min(MPOOL_BATCH_MAX, buffers in the pool)
 * @wait: sleep until @n are free
 * @timeout_ns: with @wait, the longest sleep; 0 for none
 *
 * All or nothing. The caller then hands the ids to userspace and calls
 * mpool_upool_lease_commit(), or mpool_upool_lease_abort() if it could
 * not: only a committed lease counts in the pool's statistics.
 *
 * Return: 0; -EDQUOT (the session or its user would hold too many);
 * -EIDRM, -EAGAIN, -ETIMEDOUT, -EINTR or -ERESTARTSYS as for reserving;
 * -ENOMEM or -EIO.
 */
int mpool_upool_lease(struct mpool_upool *up, struct mpool_account *acct,
		      u32 *ids, u32 n, bool wait, u64 timeout_ns)
{
	int err;

	err = mpool_upool_lease_quota(acct, n);
	if (err)
		return err;
	err = mpool_upool_reserve(up, n, wait, timeout_ns);
	if (err)
		goto err_quota;
	err = mpool_upool_take(up, ids, n);
	if (err)
		goto err_quota;
	return 0;

err_quota:
	mpool_upool_lease_unquota(acct, n);
	return err;
}

/**
 * mpool_upool_lease_commit() - the session has the ids: the lease is on
 * @up: the pool
 * @n: buffers mpool_upool_lease() took
 *
 * The lease lasts until mpool_upool_release() of the same ids, whatever
 * happens to the session's view of them.
 */
void mpool_upool_lease_commit(struct mpool_upool *up, u32 n)
{
	mpool_stats_leased(up->pool, n);
	trace_mpool_lease(up->pool, n);
	mpool_watch_free_changed(up);
}

/**
 * mpool_upool_lease_abort() - the session never got the ids: undo
 * @up: the pool
 * @acct: the account mpool_upool_lease() charged
 * @ids: the buffers it took, never reachable by the session
 * @n: how many
 */
void mpool_upool_lease_abort(struct mpool_upool *up, struct mpool_account *acct,
			     const u32 *ids, u32 n)
{
	mpool_upool_return(up, ids, n);
	mpool_upool_lease_unquota(acct, n);
}

/* A lease ends, by release or with its dma-buf: counted, then returned. */
static void mpool_upool_end(struct mpool_upool *up, const u32 *ids, u32 n)
{
	mpool_stats_leased(up->pool, -(int)n);
	trace_mpool_release(up->pool, n);
	mpool_upool_return(up, ids, n);
}

/**
 * mpool_upool_release() - end a lease of @n buffers
 * @up: the pool
 * @acct: the account mpool_upool_lease() charged
 * @ids: the buffers, no mapping of which the session can reach any more
 * @n: how many
 *
 * Context: process context.
 */
void mpool_upool_release(struct mpool_upool *up, struct mpool_account *acct,
			 const u32 *ids, u32 n)
{
	mpool_upool_end(up, ids, n);
	mpool_upool_lease_unquota(acct, n);
}

/**
 * mpool_upool_export() - a session's lease of one buffer passes to a dma-buf
 * @up: the pool
 * @acct: the account mpool_upool_lease() charged
 *
 * The buffer stays out of the mpool and keeps its bytes. The session no
 * longer holds it, so it leaves the session's count (and cap): the session
 * may end long before the dma-buf does. The user stays charged until the
 * buffer is back. The caller holds a reference on the pool for the
 * dma-buf (mpool_upool_get()), which keeps its memory as an attachment
 * would.
 *
 * Return: the user charged with the lease, with a reference for the
 * dma-buf, to pass to mpool_upool_unexport() or mpool_upool_import().
 */
struct mpool_user *mpool_upool_export(struct mpool_upool *up, struct mpool_account *acct)
{
	atomic_dec(&acct->nr_leases);
	atomic_inc(&up->nr_exported);
	atomic_long_inc(&up->nr_exports);
	return mpool_user_hold(acct->user);
}

/**
 * mpool_upool_unexport() - the last reference to a dma-buf went: release
 * @up: the pool
 * @user: what mpool_upool_export() returned; its charge and reference go
 * @idx: the buffer, which nothing can reach through the dma-buf any more
 *
 * As a release: zeroed at its next lease, quarantined while something
 * outside still references its pages.
 *
 * Context: process context.
 */
void mpool_upool_unexport(struct mpool_upool *up, struct mpool_user *user, u32 idx)
{
	atomic_dec(&up->nr_exported);
	mpool_upool_end(up, &idx, 1);
	mpool_user_uncharge(user, MPOOL_RES_LEASES, 1);
	mpool_user_put(user);
}

/**
 * mpool_upool_import() - a dma-buf's buffer becomes a session's lease
 * @up: the pool, which the importing session is attached to
 * @user: what mpool_upool_export() returned, released on success
 * @acct: the importing session's account, charged as for a lease
 * @idx: the buffer, which no mapping of the dma-buf reaches any more
 *
 * A page of it that something still references (a pipe it was spliced
 * into, I/O in flight, an io_uring registration) would reach the new
 * lease, as the quarantine keeps it from reaching a new lease after a
 * release: refused. With no mapping left, no new reference can appear.
 *
 * Return: 0, -EBUSY (its pages are still referenced) or -EDQUOT (the
 * session or its user would hold too many), with nothing changed.
 */
int mpool_upool_import(struct mpool_upool *up, struct mpool_user *user,
		       struct mpool_account *acct, u32 idx)
{
	int err;

	if (!mpool_upool_buf_idle(up, idx))
		return -EBUSY;
	err = mpool_upool_lease_quota(acct, 1);
	if (err)
		return err;
	mpool_user_uncharge(user, MPOOL_RES_LEASES, 1);
	mpool_user_put(user);
	atomic_dec(&up->nr_exported);
	atomic_long_inc(&up->nr_imports);
	return 0;
}

/**
 * mpool_upool_destroyed() - has the pool been destroyed?
 * @up: the pool
 *
 * Return: true once POOL_DESTROY (or the end of a session-scoped pool)
 * took its name.
 */
bool mpool_upool_destroyed(const struct mpool_upool *up)
{
	return READ_ONCE(up->state) == MPOOL_UP_DEAD;
}

/**
 * mpool_upool_poll_wait() - poll_wait() on the pool's wait queue
 * @up: the pool
 * @file: the polled file
 * @wait: the poll table
 */
void mpool_upool_poll_wait(struct mpool_upool *up, struct file *file,
			   struct poll_table_struct *wait)
{
	poll_wait(file, &up->wq, wait);
}

/**
 * mpool_upool_nr_bufs() - buffers in the pool
 * @up: the pool
 *
 * Return: the count now, which a resize changes.
 */
u32 mpool_upool_nr_bufs(const struct mpool_upool *up)
{
	return READ_ONCE(up->nr_bufs);
}

/**
 * mpool_upool_max_bufs() - how far buffer ids go
 * @up: the pool
 *
 * Return: the most buffers the pool may hold, fixed at create; every
 * buffer id is below it.
 */
u32 mpool_upool_max_bufs(const struct mpool_upool *up)
{
	return up->max_bufs;
}

/**
 * mpool_upool_buf_pages() - pages per buffer
 * @up: the pool
 *
 * Return: the count, fixed at create.
 */
u32 mpool_upool_buf_pages(const struct mpool_upool *up)
{
	return up->buf_pages;
}

/**
 * mpool_upool_buf_size() - bytes per buffer
 * @up: the pool
 *
 * Return: the size, fixed at create.
 */
u64 mpool_upool_buf_size(const struct mpool_upool *up)
{
	return up->buf_size;
}

/**
 * mpool_upool_window() - the length of the pool's mmap window
 * @up: the pool
 *
 * Return: room for the most buffers the pool may hold, fixed at create.
 */
u64 mpool_upool_window(const struct mpool_upool *up)
{
	return (u64)up->max_bufs * up->buf_size;
}

/**
 * mpool_upool_engine() - the pool's engine
 * @up: the pool
 *
 * Return: MPOOL_ENG_*.
 */
u32 mpool_upool_engine(const struct mpool_upool *up)
{
	return up->engine;
}

/**
 * mpool_upool_name() - the pool's name
 * @up: the pool
 *
 * Return: the name, NUL-terminated, as long as the pool lives.
 */
const char *mpool_upool_name(const struct mpool_upool *up)
{
	return up->name;
}

/**
 * mpool_upool_page() - page @pg of buffer @idx
 * @up: the pool
 * @idx: a buffer id the caller holds a lease on
 * @pg: a page below mpool_upool_buf_pages()
 *
 * Return: the page, which lives as long as the pool's memory.
 */
struct page *mpool_upool_page(struct mpool_upool *up, u32 idx, u32 pg)
{
	return mpool_idx_to_page(up->pool, idx, pg);
}

/**
 * mpool_upool_count_map() - count how a fault mapped a huge pool's buffer
 * @up: the pool
 * @how: a PMD, or a PTE and why
 */
void mpool_upool_count_map(struct mpool_upool *up, enum mpool_map how)
{
	atomic_long_inc(&up->nr_maps[how]);
}

/**
 * mpool_upool_forget_quarantine() - give quarantined buffers back unchecked
 * @up: a buried pool, at module unload
 */
void mpool_upool_forget_quarantine(struct mpool_upool *up)
{
	unsigned int idx;

	/*
	 * Freeing the mpool only drops its own reference on each page, so
	 * whoever still holds one keeps that page (and nothing else) until
	 * they let go.
	 */
	for_each_set_bit(idx, up->quarantine, up->max_bufs)
		mpool_free_idx(up->pool, idx);
	up->nr_quarantined = 0;
}
