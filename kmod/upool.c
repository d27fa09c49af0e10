// SPDX-License-Identifier: GPL-2.0
/*
 * User pools: the pools /dev/mempool creates, their names, lifetimes and
 * charges, and the way buffers go out (reserve, take, zero) and come back
 * (check, quarantine, return). See upool.h for the lifetime rules.
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
 *
 * Charges. A pool's bytes count against the global max_bytes and, with the
 * pool itself, against its creator's per-user caps (user.h) from create
 * until its memory is gone. A buffer quarantined because something outside
 * (a pipe, io_uring, O_DIRECT) still references its pages is memory the
 * pool cannot give back, so a pool whose last reference goes while some
 * are quarantined is buried, charges and all, and a reaper frees it once
 * the last page is let go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/highmem.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "pool.h"
#include "session.h"
#include "trace.h"
#include "upool.h"
#include "user.h"

static unsigned long mpool_max_bytes = 256UL << 20;
module_param_named(max_bytes, mpool_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "Cap on the buffer memory of all /dev/mempool pools (bytes)");

static unsigned int mpool_max_session_leases = 65536;
module_param_named(max_session_leases, mpool_max_session_leases, uint, 0644);
MODULE_PARM_DESC(max_session_leases, "Most buffers one /dev/mempool session may hold");

enum mpool_upool_state {
	MPOOL_UP_NEW,		/* name reserved, not yet attachable */
	MPOOL_UP_LIVE,
	MPOOL_UP_DEAD,		/* destroyed: no name, no new leases */
	MPOOL_UP_BURIED,	/* unreferenced; waits for quarantined pages */
};

struct mpool_upool {
	struct mpool *pool;
	struct kref ref;
	/* On the registry while NEW or LIVE, on the graves once BURIED. */
	struct list_head node;
	struct list_head all;		/* every pool until freed (debugfs) */
	enum mpool_upool_state state;	/* written under mpool_upool_lock */
	struct mpool_user *owner;	/* charged with the pool and its bytes */
	u32 flags;			/* MPOOL_CREATE_F_* */
	u32 engine;			/* MPOOL_ENG_* */
	u32 nr_bufs;
	u32 buf_pages;
	u64 buf_size;
	u64 bytes;

	/* Buffers free to lease; a lease reserves before it takes. */
	atomic_t nr_free;
	atomic_t nr_sessions;
	/* Sessions of the owner attached: a session-scoped pool ends at 0. */
	atomic_t nr_owner_sessions;
	wait_queue_head_t wq;		/* buffers came back, or the pool died */

	/* Set from the moment a buffer leaves the mpool until it is back. */
	unsigned long *busy;

	/* Released buffers whose pages something outside still references. */
	struct mutex qlock;
	unsigned long *quarantine;
	unsigned int nr_quarantined;

	char name[MPOOL_POOL_NAME_MAX];
};

/*
 * The registry of named pools, every pool that holds memory, and the
 * buried ones; counts that back the global caps.
 */
static DEFINE_MUTEX(mpool_upool_lock);
static LIST_HEAD(mpool_upools);
static LIST_HEAD(mpool_upool_all);
static LIST_HEAD(mpool_upool_graves);
static atomic_t mpool_upool_nr = ATOMIC_INIT(0);
static atomic64_t mpool_upool_total_bytes = ATOMIC64_INIT(0);

/* While quarantined buffers exist, a waiter looks at them this often... */
#define MPOOL_QUARANTINE_POLL_NS	(100 * NSEC_PER_MSEC)
/* ...and the reaper at those of buried pools this often. */
#define MPOOL_REAP_DELAY		HZ

static void mpool_upool_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mpool_upool_reaper, mpool_upool_reap_work);

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

	if (req->flags & ~MPOOL_CREATE_F_ALL || req->reserved)
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

/*
 * Charge a new pool of @bytes to its creator's caps, then to the global
 * ones: -EDQUOT (the user's) or -ENOSPC (everybody's), nothing charged.
 */
static int mpool_upool_charge(struct mpool_account *acct, u64 bytes)
{
	s64 cap = min_t(u64, READ_ONCE(mpool_max_bytes), S64_MAX);
	s64 used = atomic64_read(&mpool_upool_total_bytes);
	s64 want = bytes;	/* at most MPOOL_MMAP_WINDOW */
	int err;

	err = mpool_user_charge(acct->user, MPOOL_RES_POOLS, 1, acct->unlimited);
	if (err)
		return err;
	err = mpool_user_charge(acct->user, MPOOL_RES_BYTES, bytes, acct->unlimited);
	if (err)
		goto err_pools;
	err = -ENOSPC;
	do {
		if (want > cap || used > cap - want)
			goto err_bytes;
	} while (!atomic64_try_cmpxchg(&mpool_upool_total_bytes, &used, used + want));
	if (atomic_inc_return(&mpool_upool_nr) > MPOOL_MAX_POOLS)
		goto err_global;
	return 0;

err_global:
	atomic_dec(&mpool_upool_nr);
	atomic64_sub(bytes, &mpool_upool_total_bytes);
err_bytes:
	mpool_user_uncharge(acct->user, MPOOL_RES_BYTES, bytes);
err_pools:
	mpool_user_uncharge(acct->user, MPOOL_RES_POOLS, 1);
	return err;
}

static void mpool_upool_uncharge(struct mpool_user *owner, u64 bytes)
{
	atomic64_sub(bytes, &mpool_upool_total_bytes);
	atomic_dec(&mpool_upool_nr);
	mpool_user_uncharge(owner, MPOOL_RES_BYTES, bytes);
	mpool_user_uncharge(owner, MPOOL_RES_POOLS, 1);
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

static struct mpool_upool *mpool_upool_alloc(const struct mpool_pool_create *req)
{
	struct mpool_upool *up;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return NULL;
	up->busy = bitmap_zalloc(req->buf_count, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->busy)
		goto err_up;
	up->quarantine = bitmap_zalloc(req->buf_count, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->quarantine)
		goto err_busy;
	kref_init(&up->ref);
	INIT_LIST_HEAD(&up->node);
	INIT_LIST_HEAD(&up->all);
	mutex_init(&up->qlock);
	init_waitqueue_head(&up->wq);
	up->state = MPOOL_UP_NEW;
	up->flags = req->flags;
	up->engine = req->engine;
	up->nr_bufs = req->buf_count;
	up->buf_size = req->buf_size;
	up->buf_pages = req->buf_size >> PAGE_SHIFT;
	up->bytes = req->buf_size * req->buf_count;
	memcpy(up->name, req->name, sizeof(up->name));
	return up;

err_busy:
	bitmap_free(up->busy);
err_up:
	kfree(up);
	return NULL;
}

static void mpool_upool_free(struct mpool_upool *up)
{
	bitmap_free(up->quarantine);
	bitmap_free(up->busy);
	mutex_destroy(&up->qlock);
	kfree(up);
}

/* Reserve @up's name, or -EEXIST; it joins the list of pools that hold memory. */
static int mpool_upool_enlist(struct mpool_upool *up)
{
	int err = 0;

	mutex_lock(&mpool_upool_lock);
	if (__mpool_upool_lookup(up->name)) {
		err = -EEXIST;
	} else {
		list_add_tail(&up->node, &mpool_upools);
		list_add_tail(&up->all, &mpool_upool_all);
	}
	mutex_unlock(&mpool_upool_lock);
	return err;
}

static void mpool_upool_delist(struct mpool_upool *up)
{
	mutex_lock(&mpool_upool_lock);
	list_del_init(&up->node);
	list_del_init(&up->all);
	mutex_unlock(&mpool_upool_lock);
}

/*
 * Build the mpool behind @up and allocate every buffer now, charged to the
 * creator's memory cgroup. They stay: the pool's floor (mpool_prefill()) is
 * all of them, so the shrinker never takes one and a lease never has to
 * grow the pool (which would charge whoever leases). A short memory fails
 * the request with -ENOMEM rather than waking the OOM killer or warning.
 */
static int mpool_upool_build(struct mpool_upool *up, const struct mpool_pool_create *req)
{
	struct mpool_params params = {
		.engine = mpool_engine_of[req->engine],
		.obj_size = req->buf_size,
		.max_objs = req->buf_count,
		.node = req->flags & MPOOL_CREATE_F_NODE ? req->node : NUMA_NO_NODE,
		.flags = MPOOL_F_PAGE_ALIGNED,
	};
	char mname[MPOOL_NAME_MAX];
	struct mpool *pool;
	int err;

	/* The pool front's name rules are looser than ours: this always fits. */
	snprintf(mname, sizeof(mname), "u.%s", up->name);
	params.name = mname;
	pool = mpool_create(&params);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	/* Ours until the pool is freed: the statistics hooks use it. */
	mpool_ref(pool);
	err = mpool_prefill(pool, up->nr_bufs, MPOOL_USER_GFP);
	if (err) {
		mpool_unref(pool);
		mpool_destroy(pool);
		return err;
	}
	up->pool = pool;
	atomic_set(&up->nr_free, up->nr_bufs);
	mpool_stats_reserved(pool, up->bytes);
	return 0;
}

static void mpool_upool_reap(void);

/**
 * mpool_upool_create() - build a user pool, its name reserved but unseen
 * @req: a request mpool_upool_check() accepted
 * @creator: the creating session's account: its user owns the pool and is
 *	charged with it
 *
 * The caller attaches, copies the result to userspace, then calls
 * mpool_upool_publish(), or mpool_upool_abort() if anything failed.
 *
 * Context: process context; the memory is charged to the caller's memcg.
 * Return: the pool holding the registry's reference and the caller's, or
 * ERR_PTR(-EEXIST, -EDQUOT, -ENOSPC, -ENOMEM).
 */
struct mpool_upool *mpool_upool_create(const struct mpool_pool_create *req,
				       struct mpool_account *creator)
{
	struct mpool_upool *up;
	int err;

	/* Buried pools whose pages came free still count against the caps. */
	mpool_upool_reap();

	up = mpool_upool_alloc(req);
	if (!up)
		return ERR_PTR(-ENOMEM);
	err = mpool_upool_charge(creator, up->bytes);
	if (err)
		goto err_free;
	up->owner = mpool_user_hold(creator->user);
	err = mpool_upool_enlist(up);
	if (err)
		goto err_uncharge;
	err = mpool_upool_build(up, req);
	if (err)
		goto err_delist;
	kref_get(&up->ref);
	return up;

err_delist:
	mpool_upool_delist(up);
err_uncharge:
	mpool_upool_uncharge(up->owner, up->bytes);
	mpool_user_put(up->owner);
err_free:
	mpool_upool_free(up);
	return ERR_PTR(err);
}

/**
 * mpool_upool_publish() - make a new pool attachable by name
 * @up: a pool from mpool_upool_create(); the caller's reference goes
 */
void mpool_upool_publish(struct mpool_upool *up)
{
	mutex_lock(&mpool_upool_lock);
	/* A session-scoped pool whose creator already left stays dead. */
	if (up->state == MPOOL_UP_NEW)
		WRITE_ONCE(up->state, MPOOL_UP_LIVE);
	mutex_unlock(&mpool_upool_lock);
	mpool_upool_put(up);
}

/*
 * Unname @up and stop its leases, dropping the registry's reference. The
 * mpool is destroyed now, which frees its name ("u.foo") for a new pool at
 * once; it stays alive while any buffer is out.
 */
static bool mpool_upool_unlink(struct mpool_upool *up)
{
	bool was_named;

	mutex_lock(&mpool_upool_lock);
	was_named = up->state == MPOOL_UP_NEW || up->state == MPOOL_UP_LIVE;
	if (was_named) {
		WRITE_ONCE(up->state, MPOOL_UP_DEAD);
		list_del_init(&up->node);
	}
	mutex_unlock(&mpool_upool_lock);
	if (!was_named)
		return false;
	mpool_destroy(up->pool);
	wake_up_all(&up->wq);
	mpool_upool_put(up);
	return true;
}

/**
 * mpool_upool_abort() - undo mpool_upool_create() before publication
 * @up: the pool, which nobody else has seen; the caller's reference goes
 */
void mpool_upool_abort(struct mpool_upool *up)
{
	mpool_upool_unlink(up);
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
 * mpool_upool_owned_by() - did @acct's user create @up?
 * @up: the pool
 * @acct: a session's account
 *
 * Return: true if so.
 */
bool mpool_upool_owned_by(const struct mpool_upool *up, const struct mpool_account *acct)
{
	return up->owner == acct->user;
}

/**
 * mpool_upool_destroy() - unname a pool and stop new leases
 * @up: the pool, which the caller holds a reference on
 *
 * Return: 0, or -EIDRM if it was already destroyed.
 */
int mpool_upool_destroy(struct mpool_upool *up)
{
	return mpool_upool_unlink(up) ? 0 : -EIDRM;
}

/**
 * mpool_upool_attach() - a session attaches to @up
 * @up: the pool, which the caller holds a reference on
 * @acct: the session's account
 *
 * The attachment gets a reference of its own, dropped by
 * mpool_upool_detach().
 */
void mpool_upool_attach(struct mpool_upool *up, struct mpool_account *acct)
{
	kref_get(&up->ref);
	atomic_inc(&up->nr_sessions);
	if (mpool_upool_owned_by(up, acct))
		atomic_inc(&up->nr_owner_sessions);
	mpool_stats_session(up->pool, 1);
}

/**
 * mpool_upool_detach() - a session that holds no lease of @up detaches
 * @up: the pool
 * @acct: the session's account
 *
 * The last session of the owner ends a session-scoped pool.
 *
 * Context: process context.
 */
void mpool_upool_detach(struct mpool_upool *up, struct mpool_account *acct)
{
	mpool_stats_session(up->pool, -1);
	atomic_dec(&up->nr_sessions);
	if (mpool_upool_owned_by(up, acct) &&
	    atomic_dec_and_test(&up->nr_owner_sessions) &&
	    (up->flags & MPOOL_CREATE_F_SESSION))
		mpool_upool_unlink(up);
	mpool_upool_put(up);
}

/* Give the mpool its quarantined buffers back, unchecked: module unload. */
static void mpool_upool_forget_quarantine(struct mpool_upool *up)
{
	unsigned int idx;

	/*
	 * Freeing the mpool only drops its own reference on each page, so
	 * whoever still holds one keeps that page (and nothing else) until
	 * they let go.
	 */
	for_each_set_bit(idx, up->quarantine, up->nr_bufs)
		mpool_free_idx(up->pool, idx);
	up->nr_quarantined = 0;
}

/* No buffer is out any more: give the memory and the charges back. */
static void mpool_upool_finish(struct mpool_upool *up)
{
	mutex_lock(&mpool_upool_lock);
	list_del_init(&up->all);
	mutex_unlock(&mpool_upool_lock);
	mpool_stats_reserved(up->pool, -(s64)up->bytes);
	mpool_unref(up->pool);
	mpool_upool_uncharge(up->owner, up->bytes);
	mpool_user_put(up->owner);
	mpool_upool_free(up);
}

static void mpool_upool_reclaim(struct mpool_upool *up);

/* The name and every attachment are gone, and so is every lease. */
static void mpool_upool_last_put(struct kref *ref)
{
	struct mpool_upool *up = container_of(ref, struct mpool_upool, ref);

	mpool_upool_reclaim(up);
	if (!READ_ONCE(up->nr_quarantined)) {
		mpool_upool_finish(up);
		return;
	}
	mutex_lock(&mpool_upool_lock);
	WRITE_ONCE(up->state, MPOOL_UP_BURIED);
	list_add_tail(&up->node, &mpool_upool_graves);
	mutex_unlock(&mpool_upool_lock);
	schedule_delayed_work(&mpool_upool_reaper, MPOOL_REAP_DELAY);
}

/**
 * mpool_upool_put() - drop a reference on a user pool
 * @up: the pool
 *
 * Context: process context (the last put destroys the mpool).
 */
void mpool_upool_put(struct mpool_upool *up)
{
	kref_put(&up->ref, mpool_upool_last_put);
}

/* Free the buried pools whose quarantined pages nothing references now. */
static void mpool_upool_reap(void)
{
	struct mpool_upool *up, *next;
	LIST_HEAD(graves);
	bool more;

	mutex_lock(&mpool_upool_lock);
	list_splice_init(&mpool_upool_graves, &graves);
	mutex_unlock(&mpool_upool_lock);
	if (list_empty(&graves))
		return;

	/* Outside the lock: returning the last objects may free the mpool. */
	list_for_each_entry_safe(up, next, &graves, node) {
		mpool_upool_reclaim(up);
		if (READ_ONCE(up->nr_quarantined))
			continue;
		list_del_init(&up->node);
		mpool_upool_finish(up);
	}

	mutex_lock(&mpool_upool_lock);
	list_splice(&graves, &mpool_upool_graves);
	more = !list_empty(&mpool_upool_graves);
	mutex_unlock(&mpool_upool_lock);
	if (more)
		schedule_delayed_work(&mpool_upool_reaper, MPOOL_REAP_DELAY);
}

static void mpool_upool_reap_work(struct work_struct *work)
{
	mpool_upool_reap();
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

/*
 * mpool_upool_reclaim() - return quarantined buffers nobody references now
 * @up: the pool
 */
static void mpool_upool_reclaim(struct mpool_upool *up)
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

/*
 * Buffers whose lease ended, or never started, go back to the pool and
 * their charge with them.
 */
static void mpool_upool_give_back(struct mpool_upool *up, struct mpool_account *acct,
				  const u32 *ids, u32 n)
{
	mpool_upool_return(up, ids, n);
	mpool_upool_lease_unquota(acct, n);
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
	mpool_upool_give_back(up, acct, ids, n);
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
	mpool_stats_leased(up->pool, -(int)n);
	trace_mpool_release(up->pool, n);
	mpool_upool_give_back(up, acct, ids, n);
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
 * Return: the count, fixed at create.
 */
u32 mpool_upool_nr_bufs(const struct mpool_upool *up)
{
	return up->nr_bufs;
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
 * mpool_upool_bytes() - bytes of all the pool's buffers: its mmap length
 * @up: the pool
 *
 * Return: the size, fixed at create.
 */
u64 mpool_upool_bytes(const struct mpool_upool *up)
{
	return up->bytes;
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
 * mpool_upool_page() - page @pg of buffer @idx
 * @up: the pool
 * @idx: a buffer id below mpool_upool_nr_bufs()
 * @pg: a page below mpool_upool_buf_pages()
 *
 * Return: the page, which lives as long as the pool's memory.
 */
struct page *mpool_upool_page(struct mpool_upool *up, u32 idx, u32 pg)
{
	return mpool_idx_to_page(up->pool, idx, pg);
}

/**
 * mpool_upool_stats() - fill in what POOL_STATS says about the pool itself
 * @up: the pool
 * @st: the reply; the caller fills in the session's own fields
 * @ns: the user namespace to show the owner's uid in
 */
void mpool_upool_stats(struct mpool_upool *up, struct mpool_pool_stats *st,
		       struct user_namespace *ns)
{
	struct mpool_stats_sum sum;

	/* So that buffers no longer referenced from outside count as free. */
	mpool_upool_reclaim(up);
	/* The pool's per-CPU counters: lease and release count there already. */
	mpool_stats_read(up->pool, &sum);
	st->buf_size = up->buf_size;
	st->buf_count = up->nr_bufs;
	st->engine = up->engine;
	st->nr_free = max(atomic_read(&up->nr_free), 0);
	st->nr_leased = sum.leased;
	st->nr_quarantined = READ_ONCE(up->nr_quarantined);
	st->nr_sessions = atomic_read(&up->nr_sessions);
	st->state = READ_ONCE(up->state) == MPOOL_UP_DEAD ? MPOOL_STATE_DESTROYED : 0;
	st->leases = sum.leases;
	st->releases = sum.releases;
	st->mmap_len = up->bytes;
	memcpy(st->name, up->name, sizeof(st->name));
	st->owner_uid = from_kuid_munged(ns, up->owner->uid);
	st->create_flags = up->flags;
}

/**
 * mpool_upool_info() - fill in the limits and usage INFO reports
 * @info: the reply
 * @acct: the asking session's account, whose user's usage it shows
 */
void mpool_upool_info(struct mpool_info *info, const struct mpool_account *acct)
{
	info->max_pools = MPOOL_MAX_POOLS;
	info->max_bytes = READ_ONCE(mpool_max_bytes);
	info->bytes_used = atomic64_read(&mpool_upool_total_bytes);
	info->max_buf_size = PAGE_SIZE << MPOOL_MAX_PAGE_ORDER;
	info->max_buf_count = MPOOL_MAX_BUF_COUNT;
	info->max_batch = MPOOL_BATCH_MAX;
	info->max_session_leases = READ_ONCE(mpool_max_session_leases);
	info->nr_pools = atomic_read(&mpool_upool_nr);
	info->max_user_pools = mpool_user_cap(MPOOL_RES_POOLS);
	info->max_user_leases = mpool_user_cap(MPOOL_RES_LEASES);
	info->max_user_bytes = mpool_user_cap(MPOOL_RES_BYTES);
	info->user_pools = mpool_user_used(acct->user, MPOOL_RES_POOLS);
	info->user_leases = mpool_user_used(acct->user, MPOOL_RES_LEASES);
	info->user_bytes = mpool_user_used(acct->user, MPOOL_RES_BYTES);
}

static const char *const mpool_upool_state_name[] = {
	[MPOOL_UP_NEW] = "new",
	[MPOOL_UP_LIVE] = "live",
	[MPOOL_UP_DEAD] = "destroyed",
	[MPOOL_UP_BURIED] = "buried",
};

/**
 * mpool_upool_show() - debugfs "upools": every user pool that holds memory
 * @m: the seq_file
 * @unused: unused
 *
 * Destroyed pools still attached, and buried ones waiting for quarantined
 * pages, included: an operator sees where every charged byte is.
 *
 * Return: 0.
 */
int mpool_upool_show(struct seq_file *m, void *unused)
{
	struct mpool_upool *up;

	seq_printf(m, "%-23s %-10s %-10s %-9s %-8s %8s %10s %8s %5s %5s\n",
		   "name", "owner", "lifetime", "state", "engine", "bufs", "buf_size",
		   "sessions", "free", "quar");
	mutex_lock(&mpool_upool_lock);
	list_for_each_entry(up, &mpool_upool_all, all) {
		seq_printf(m, "%-23s %-10u %-10s %-9s %-8u %8u %10llu %8d %5d %5u\n",
			   up->name, from_kuid_munged(&init_user_ns, up->owner->uid),
			   up->flags & MPOOL_CREATE_F_SESSION ? "session" : "persistent",
			   mpool_upool_state_name[up->state], up->engine, up->nr_bufs,
			   up->buf_size, atomic_read(&up->nr_sessions),
			   atomic_read(&up->nr_free), READ_ONCE(up->nr_quarantined));
	}
	mutex_unlock(&mpool_upool_lock);
	return 0;
}

/**
 * mpool_upool_exit() - destroy the pools left at module unload
 *
 * No session is left (each holds a module reference), so each named pool
 * holds only the registry's reference and no lease; buried pools give
 * their quarantined pages up to whoever still holds them.
 */
void mpool_upool_exit(void)
{
	struct mpool_upool *up, *next;
	LIST_HEAD(left);

	mutex_lock(&mpool_upool_lock);
	list_splice_init(&mpool_upools, &left);
	list_for_each_entry(up, &left, node)
		WRITE_ONCE(up->state, MPOOL_UP_DEAD);
	mutex_unlock(&mpool_upool_lock);
	list_for_each_entry_safe(up, next, &left, node) {
		list_del_init(&up->node);
		mpool_destroy(up->pool);
		mpool_upool_put(up);
	}

	cancel_delayed_work_sync(&mpool_upool_reaper);
	mutex_lock(&mpool_upool_lock);
	list_splice_init(&mpool_upool_graves, &left);
	mutex_unlock(&mpool_upool_lock);
	list_for_each_entry_safe(up, next, &left, node) {
		list_del_init(&up->node);
		mpool_upool_forget_quarantine(up);
		mpool_upool_finish(up);
	}
}
