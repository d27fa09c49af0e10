// SPDX-License-Identifier: GPL-2.0
/*
 * User pools: the pools /dev/mempool creates, their names, the global caps,
 * and the way buffers go out (reserve, take, zero) and come back (check,
 * quarantine, return).
 *
 * Names live in a namespace of their own, so userspace can neither reach a
 * pool some kernel user created nor squat on a name one will want: the
 * mpool behind user pool "foo" is registered as "u.foo".
 *
 * A lease first reserves buffers from nr_free, then takes them out of the
 * mpool. The reservation makes all-or-nothing and the blocking wait exact
 * without holding a lock across the engines, which stay lock-free; taking
 * then cannot come up short, except in the per-CPU engine's corner where
 * objects sit in another CPU's magazine, which mpool_alloc_idx() flushes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "pool.h"
#include "session.h"

unsigned long mpool_max_bytes = 256UL << 20;
module_param_named(max_bytes, mpool_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "Cap on the buffer memory of all /dev/mempool pools (bytes)");

unsigned int mpool_max_session_leases = 65536;
module_param_named(max_session_leases, mpool_max_session_leases, uint, 0644);
MODULE_PARM_DESC(max_session_leases, "Most buffers one /dev/mempool session may hold");

/* Pools that exist (until freed), and the registry of named ones. */
static DEFINE_MUTEX(mpool_upool_lock);
static LIST_HEAD(mpool_upools);
static atomic_t mpool_upool_nr = ATOMIC_INIT(0);
static atomic64_t mpool_upool_bytes = ATOMIC64_INIT(0);

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
#define MPOOL_USER_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

static const enum mpool_engine mpool_engine_of[] = {
	[MPOOL_ENG_PERCPU]	= MPOOL_ENGINE_PERCPU,
	[MPOOL_ENG_RING]	= MPOOL_ENGINE_RING,
	[MPOOL_ENG_LOCKFREE]	= MPOOL_ENGINE_LOCKFREE,
};

bool mpool_upool_name_valid(const char *name)
{
	size_t len = strnlen(name, MPOOL_POOL_NAME_MAX), i;

	if (!len || len == MPOOL_POOL_NAME_MAX)
		return false;
	/* ASCII only: the kernel's isalnum() also takes Latin-1 letters. */
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!isascii(c) || (!isalnum(c) && c != '.' && c != '_' && c != '-'))
			return false;
	}
	/* NUL-padded, so that the bytes after the name can mean something one day. */
	for (; i < MPOOL_POOL_NAME_MAX; i++) {
		if (name[i])
			return false;
	}
	return true;
}

/**
 * mpool_upool_check() - validate a create request
 * @req: the request, as copied from userspace
 *
 * Return: 0 or -EINVAL.
 */
int mpool_upool_check(const struct mpool_pool_create *req)
{
	u64 len;

	if (req->flags & ~MPOOL_CREATE_F_NODE || req->reserved)
		return -EINVAL;
	if (!mpool_upool_name_valid(req->name))
		return -EINVAL;
	if (req->engine >= ARRAY_SIZE(mpool_engine_of))
		return -EINVAL;
	if (!req->buf_size || !PAGE_ALIGNED(req->buf_size) ||
	    req->buf_size > PAGE_SIZE << MPOOL_MAX_PAGE_ORDER)
		return -EINVAL;
	if (!req->buf_count || req->buf_count > MPOOL_MAX_BUF_COUNT)
		return -EINVAL;
	if (check_mul_overflow(req->buf_size, (u64)req->buf_count, &len) ||
	    len > MPOOL_MMAP_WINDOW)
		return -EINVAL;
	if (req->flags & MPOOL_CREATE_F_NODE) {
		if (req->node < 0 || req->node >= MAX_NUMNODES ||
		    !node_online(req->node))
			return -EINVAL;
	} else if (req->node) {
		return -EINVAL;
	}
	return 0;
}

/* Take @bytes and one pool from the global caps, or fail with -ENOSPC. */
static int mpool_upool_charge(u64 bytes)
{
	s64 cap = min_t(u64, READ_ONCE(mpool_max_bytes), S64_MAX);
	s64 used = atomic64_read(&mpool_upool_bytes);
	s64 want = bytes;	/* at most MPOOL_MMAP_WINDOW */

	do {
		if (want > cap || used > cap - want)
			return -ENOSPC;
	} while (!atomic64_try_cmpxchg(&mpool_upool_bytes, &used, used + want));

	if (atomic_inc_return(&mpool_upool_nr) > MPOOL_MAX_POOLS) {
		atomic_dec(&mpool_upool_nr);
		atomic64_sub(bytes, &mpool_upool_bytes);
		return -ENOSPC;
	}
	return 0;
}

static void mpool_upool_uncharge(u64 bytes)
{
	atomic64_sub(bytes, &mpool_upool_bytes);
	atomic_dec(&mpool_upool_nr);
}

static struct mpool_upool *__mpool_upool_lookup(const char *name)
{
	struct mpool_upool *up;

	lockdep_assert_held(&mpool_upool_lock);
	list_for_each_entry(up, &mpool_upools, node) {
		if (!strncmp(up->name, name, MPOOL_POOL_NAME_MAX))
			return up;
	}
	return NULL;
}

static void mpool_upool_free(struct mpool_upool *up)
{
	bitmap_free(up->quarantine);
	bitmap_free(up->busy);
	mutex_destroy(&up->qlock);
	kfree(up);
}

/*
 * Allocate every buffer now, charged to the creator's memory cgroup, and
 * keep them: the pool's init_objs is the floor the shrinker never goes
 * below, so a lease never has to grow the pool (which would charge
 * whoever leases). The pool is built empty and filled here, rather than
 * by mpool_create() with init_objs set, because a user's request must fail
 * with -ENOMEM when memory is short, not wake the OOM killer or warn:
 * hence __GFP_RETRY_MAYFAIL | __GFP_NOWARN.
 */
static int mpool_upool_fill(struct mpool_upool *up)
{
	struct mpool *pool = up->pool;
	int err;

	mutex_lock(&pool->lock);
	pool->init_objs = up->nr_bufs;
	mutex_unlock(&pool->lock);
	err = mpool_grow(pool, up->nr_bufs, MPOOL_USER_GFP);
	if (!err && mpool_capacity(pool) < up->nr_bufs)
		err = -ENOMEM;
	return err;
}

/**
 * mpool_upool_create() - build a user pool, its name reserved but unseen
 * @req: a request mpool_upool_check() accepted
 * @owner: who may destroy it (besides CAP_SYS_ADMIN): the creator's euid
 *	as of opening the device
 *
 * The caller copies the result to userspace, then calls
 * mpool_upool_publish(), or mpool_upool_abort() if the copy failed.
 *
 * Context: process context; the memory is charged to the caller's memcg.
 * Return: the pool holding the registry's reference, or ERR_PTR(-EEXIST,
 * -ENOSPC, -ENOMEM).
 */
struct mpool_upool *mpool_upool_create(const struct mpool_pool_create *req,
				       kuid_t owner)
{
	struct mpool_params params = {
		.engine = mpool_engine_of[req->engine],
		.obj_size = req->buf_size,
		.max_objs = req->buf_count,
		.node = req->flags & MPOOL_CREATE_F_NODE ? req->node : NUMA_NO_NODE,
		.flags = MPOOL_F_PAGE_ALIGNED,
	};
	char mname[MPOOL_NAME_MAX];
	struct mpool_upool *up;
	struct mpool *pool;
	int err;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return ERR_PTR(-ENOMEM);
	kref_init(&up->ref);
	INIT_LIST_HEAD(&up->node);
	mutex_init(&up->qlock);
	init_waitqueue_head(&up->wq);
	up->state = MPOOL_UP_NEW;
	up->owner = owner;
	up->engine = req->engine;
	up->nr_bufs = req->buf_count;
	up->buf_size = req->buf_size;
	up->buf_pages = req->buf_size >> PAGE_SHIFT;
	up->bytes = req->buf_size * req->buf_count;
	memcpy(up->name, req->name, sizeof(up->name));
	up->busy = bitmap_zalloc(up->nr_bufs, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	up->quarantine = bitmap_zalloc(up->nr_bufs, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->busy || !up->quarantine) {
		mpool_upool_free(up);
		return ERR_PTR(-ENOMEM);
	}

	err = mpool_upool_charge(up->bytes);
	if (err) {
		mpool_upool_free(up);
		return ERR_PTR(err);
	}

	mutex_lock(&mpool_upool_lock);
	if (__mpool_upool_lookup(up->name))
		err = -EEXIST;
	else
		list_add_tail(&up->node, &mpool_upools);
	mutex_unlock(&mpool_upool_lock);
	if (err)
		goto err_uncharge;

	/* The pool front's name rules are looser than ours: this always fits. */
	snprintf(mname, sizeof(mname), "u.%s", up->name);
	params.name = mname;
	pool = mpool_create(&params);
	if (IS_ERR(pool)) {
		err = PTR_ERR(pool);
		mutex_lock(&mpool_upool_lock);
		list_del(&up->node);
		mutex_unlock(&mpool_upool_lock);
		goto err_uncharge;
	}
	up->pool = pool;
	/* Ours until the last attachment goes: the statistics hooks use it. */
	mpool_ref(pool);
	err = mpool_upool_fill(up);
	if (err) {
		mpool_unref(pool);
		mpool_destroy(pool);
		mutex_lock(&mpool_upool_lock);
		list_del(&up->node);
		mutex_unlock(&mpool_upool_lock);
		goto err_uncharge;
	}
	atomic_set(&up->nr_free, up->nr_bufs);
	mpool_stats_reserved(pool, up->bytes);
	return up;

err_uncharge:
	mpool_upool_uncharge(up->bytes);
	mpool_upool_free(up);
	return ERR_PTR(err);
}

/**
 * mpool_upool_publish() - make a new pool attachable by name
 * @up: a pool from mpool_upool_create()
 */
void mpool_upool_publish(struct mpool_upool *up)
{
	mutex_lock(&mpool_upool_lock);
	/* Lease paths of the creating session may already read it. */
	WRITE_ONCE(up->state, MPOOL_UP_LIVE);
	mutex_unlock(&mpool_upool_lock);
}

/*
 * Unname @up and stop its leases; the caller then drops the registry's
 * reference. The mpool is destroyed now, which frees its name ("u.foo")
 * for a new pool at once; it stays alive while any buffer is out, which
 * is the only time this file touches it after this.
 */
static bool mpool_upool_unlink(struct mpool_upool *up)
{
	bool was_named;

	mutex_lock(&mpool_upool_lock);
	was_named = up->state != MPOOL_UP_DEAD;
	if (was_named) {
		WRITE_ONCE(up->state, MPOOL_UP_DEAD);
		list_del_init(&up->node);
	}
	mutex_unlock(&mpool_upool_lock);
	if (was_named) {
		mpool_destroy(up->pool);
		wake_up_all(&up->wq);
	}
	return was_named;
}

/**
 * mpool_upool_abort() - undo mpool_upool_create() before publication
 * @up: the pool, which nobody else has seen
 */
void mpool_upool_abort(struct mpool_upool *up)
{
	if (mpool_upool_unlink(up))
		mpool_upool_put(up);
}

/**
 * mpool_upool_find() - a live pool by name
 * @name: a name mpool_upool_name_valid() accepted
 *
 * Return: the pool with a new reference, or NULL.
 */
struct mpool_upool *mpool_upool_find(const char *name)
{
	struct mpool_upool *up;

	mutex_lock(&mpool_upool_lock);
	up = __mpool_upool_lookup(name);
	if (up && up->state == MPOOL_UP_LIVE)
		kref_get(&up->ref);
	else
		up = NULL;
	mutex_unlock(&mpool_upool_lock);
	return up;
}

/**
 * mpool_upool_destroy() - unname a pool and stop new leases
 * @up: the pool
 *
 * Return: 0, or -EIDRM if it was already destroyed.
 */
int mpool_upool_destroy(struct mpool_upool *up)
{
	if (!mpool_upool_unlink(up))
		return -EIDRM;
	mpool_upool_put(up);
	return 0;
}

/* The last attachment and the registry are gone: so is every lease. */
static void mpool_upool_release(struct kref *ref)
{
	struct mpool_upool *up = container_of(ref, struct mpool_upool, ref);
	unsigned int idx;

	/*
	 * The mpool was destroyed when @up was unnamed; quarantined buffers
	 * are its last objects out. They go back unchecked: freeing the mpool
	 * only drops its own reference on each page, so whoever still holds
	 * one keeps that page (and nothing else) until they let go.
	 */
	mpool_stats_reserved(up->pool, -(s64)up->bytes);
	for_each_set_bit(idx, up->quarantine, up->nr_bufs)
		mpool_free_idx(up->pool, idx);
	mpool_unref(up->pool);
	mpool_upool_uncharge(up->bytes);
	mpool_upool_free(up);
}

/**
 * mpool_upool_put() - drop a reference on a user pool
 * @up: the pool
 *
 * Context: process context (the last put destroys the mpool).
 */
void mpool_upool_put(struct mpool_upool *up)
{
	kref_put(&up->ref, mpool_upool_release);
}

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

/*
 * What a waiter sleeps on: enough buffers, a dead pool, or a change in the
 * quarantine, whose buffers nothing wakes us for when they become free.
 */
static bool mpool_upool_wake_cond(struct mpool_upool *up, u32 n, unsigned int quarantined)
{
	return atomic_read(&up->nr_free) >= n || READ_ONCE(up->state) == MPOOL_UP_DEAD ||
	       READ_ONCE(up->nr_quarantined) != quarantined;
}

/**
 * mpool_upool_reserve() - set @n free buffers aside for one lease
 * @up: the pool
 * @n: how many, at most @up->nr_bufs
 * @wait: sleep until @n are free
 * @timeout_ns: with @wait, the longest sleep; 0 for none
 *
 * Return: 0; -EIDRM if the pool is destroyed; -EAGAIN if @n are not free
 * and !@wait; -ETIMEDOUT, -EINTR or -ERESTARTSYS (no timeout) when waiting.
 */
int mpool_upool_reserve(struct mpool_upool *up, u32 n, bool wait, u64 timeout_ns)
{
	ktime_t deadline = KTIME_MAX, now, slice;
	unsigned int quarantined;
	int ret;

	if (wait && timeout_ns)
		deadline = ktime_add_safe(ktime_get(),
					  ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX)));
	for (;;) {
		if (READ_ONCE(up->state) == MPOOL_UP_DEAD)
			return -EIDRM;
		if (mpool_upool_try_reserve(up, n))
			return 0;
		quarantined = READ_ONCE(up->nr_quarantined);
		if (quarantined) {
			mpool_upool_reclaim(up);
			if (mpool_upool_try_reserve(up, n))
				return 0;
			quarantined = READ_ONCE(up->nr_quarantined);
		}
		if (!wait)
			return -EAGAIN;

		slice = KTIME_MAX;
		if (deadline != KTIME_MAX) {
			now = ktime_get();
			if (ktime_after(now, deadline))
				return -ETIMEDOUT;
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
}

static void mpool_upool_unreserve(struct mpool_upool *up, u32 n)
{
	atomic_add(n, &up->nr_free);
	if (wq_has_sleeper(&up->wq))
		wake_up_interruptible_poll(&up->wq, EPOLLIN | EPOLLRDNORM);
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

/**
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
int mpool_upool_take(struct mpool_upool *up, u32 *ids, u32 n)
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
		if (ids[got] >= up->nr_bufs || test_and_set_bit(ids[got], up->busy)) {
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
 * a pipe, O_DIRECT in flight) and can still read or write the page.
 */
static bool mpool_upool_buf_idle(struct mpool_upool *up, u32 idx)
{
	unsigned int pg;

	for (pg = 0; pg < up->buf_pages; pg++) {
		if (page_ref_count(mpool_idx_to_page(up->pool, idx, pg)) != 1)
			return false;
	}
	return true;
}

/**
 * mpool_upool_return() - give leased buffers back to the pool
 * @up: the pool
 * @ids: buffer ids whose lease has ended and whose mappings are revoked
 * @n: how many
 *
 * A buffer whose pages something outside still references is quarantined
 * instead: handing it to the next lessee would let that something read or
 * write another session's data.
 */
void mpool_upool_return(struct mpool_upool *up, const u32 *ids, u32 n)
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
	for_each_set_bit(idx, up->quarantine, up->nr_bufs) {
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

/**
 * mpool_upool_bytes_used() - buffer memory of all user pools
 *
 * Return: bytes.
 */
u64 mpool_upool_bytes_used(void)
{
	return atomic64_read(&mpool_upool_bytes);
}

/**
 * mpool_upool_count() - user pools that exist
 *
 * Return: how many, destroyed ones still in use included.
 */
unsigned int mpool_upool_count(void)
{
	return atomic_read(&mpool_upool_nr);
}

/**
 * mpool_upool_exit() - destroy the pools left at module unload
 *
 * No session is left (each holds a module reference), so each pool holds
 * only the registry's reference and no lease.
 */
void mpool_upool_exit(void)
{
	struct mpool_upool *up, *next;
	LIST_HEAD(left);

	mutex_lock(&mpool_upool_lock);
	list_splice_init(&mpool_upools, &left);
	mutex_unlock(&mpool_upool_lock);
	list_for_each_entry_safe(up, next, &left, node) {
		list_del_init(&up->node);
		WRITE_ONCE(up->state, MPOOL_UP_DEAD);
		mpool_destroy(up->pool);
		mpool_upool_put(up);
	}
}
