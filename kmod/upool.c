// SPDX-License-Identifier: GPL-2.0
/*
 * User pools: the pools /dev/mempool creates, their names, lifetimes and
 * charges (upool_bufs.c moves their buffers). See upool.h for the lifetime
 * rules.
 *
 * Names live in a namespace of their own, so userspace can neither reach a
 * pool some kernel user created nor squat on a name one will want: the
 * mpool behind user pool "foo" is registered as "u.foo".
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
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "pool.h"
#include "upool.h"
#include "upool_internal.h"
#include "user.h"

static unsigned long mpool_max_bytes = 256UL << 20;
module_param_named(max_bytes, mpool_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "Cap on the buffer memory of all /dev/mempool pools (bytes)");

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

/* While buffers of a buried pool are quarantined, the reaper looks this often. */
#define MPOOL_REAP_DELAY		HZ

static void mpool_upool_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mpool_upool_reaper, mpool_upool_reap_work);

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
	u32 max = mpool_upool_req_max(req);
	u64 len;

	if (req->flags & ~MPOOL_CREATE_F_ALL || req->reserved)
		return -EINVAL;
	if (req->access > MPOOL_ACCESS_ALL)
		return -EINVAL;
	if (!mpool_upool_name_valid(req->name))
		return -EINVAL;
	if (req->engine >= ARRAY_SIZE(mpool_engine_of))
		return -EINVAL;
	if (!req->buf_size || !PAGE_ALIGNED(req->buf_size) ||
	    req->buf_size > PAGE_SIZE << MPOOL_MAX_PAGE_ORDER)
		return -EINVAL;
	if (!req->buf_count || max < req->buf_count || max > MPOOL_MAX_BUF_COUNT)
		return -EINVAL;
	/* The whole id range must fit the mmap window. */
	if (check_mul_overflow(req->buf_size, (u64)max, &len) ||
	    len > MPOOL_MAX_POOL_BYTES)
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
 * Charge @bytes of buffers to @user's cap, then to the global one:
 * -EDQUOT (the user's) or -ENOSPC (everybody's), nothing charged.
 */
static int mpool_upool_charge_bytes(struct mpool_user *user, bool unlimited, u64 bytes)
{
	s64 cap = min_t(u64, READ_ONCE(mpool_max_bytes), S64_MAX);
	s64 used = atomic64_read(&mpool_upool_total_bytes);
	s64 want = bytes;	/* at most MPOOL_MAX_POOL_BYTES */
	int err;

	err = mpool_user_charge(user, MPOOL_RES_BYTES, bytes, unlimited);
	if (err)
		return err;
	do {
		if (want > cap || used > cap - want) {
			mpool_user_uncharge(user, MPOOL_RES_BYTES, bytes);
			return -ENOSPC;
		}
	} while (!atomic64_try_cmpxchg(&mpool_upool_total_bytes, &used, used + want));
	return 0;
}

static void mpool_upool_uncharge_bytes(struct mpool_user *user, u64 bytes)
{
	atomic64_sub(bytes, &mpool_upool_total_bytes);
	mpool_user_uncharge(user, MPOOL_RES_BYTES, bytes);
}

/* A new pool of @bytes: its creator's caps, then the global ones. */
static int mpool_upool_charge(struct mpool_account *acct, u64 bytes)
{
	int err;

	err = mpool_user_charge(acct->user, MPOOL_RES_POOLS, 1, acct->unlimited);
	if (err)
		return err;
	err = mpool_upool_charge_bytes(acct->user, acct->unlimited, bytes);
	if (err)
		goto err_pools;
	err = -ENOSPC;
	if (atomic_inc_return(&mpool_upool_nr) > MPOOL_MAX_POOLS)
		goto err_global;
	return 0;

err_global:
	atomic_dec(&mpool_upool_nr);
	mpool_upool_uncharge_bytes(acct->user, bytes);
err_pools:
	mpool_user_uncharge(acct->user, MPOOL_RES_POOLS, 1);
	return err;
}

static void mpool_upool_uncharge(struct mpool_user *owner, u64 bytes)
{
	mpool_upool_uncharge_bytes(owner, bytes);
	atomic_dec(&mpool_upool_nr);
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

static struct mpool_upool *mpool_upool_alloc(const struct mpool_pool_create *req,
					     const struct mpool_account *creator)
{
	u32 max = mpool_upool_req_max(req);
	struct mpool_upool *up;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return NULL;
	up->busy = bitmap_zalloc(max, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->busy)
		goto err_up;
	up->quarantine = bitmap_zalloc(max, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->quarantine)
		goto err_busy;
	if (mpool_watch_init(&up->watch))
		goto err_quarantine;
	kref_init(&up->ref);
	INIT_LIST_HEAD(&up->node);
	INIT_LIST_HEAD(&up->all);
	mutex_init(&up->qlock);
	mutex_init(&up->cfg_lock);
	init_waitqueue_head(&up->wq);
	up->state = MPOOL_UP_NEW;
	up->flags = req->flags;
	up->engine = req->engine;
	up->access = req->access;
	up->gid = creator->cred->egid;
	up->max_bufs = max;
	up->nr_bufs = req->buf_count;
	up->buf_size = req->buf_size;
	up->buf_pages = req->buf_size >> PAGE_SHIFT;
	memcpy(up->name, req->name, sizeof(up->name));
	return up;

err_quarantine:
	bitmap_free(up->quarantine);
err_busy:
	bitmap_free(up->busy);
err_up:
	kfree(up);
	return NULL;
}

static void mpool_upool_free(struct mpool_upool *up)
{
	mpool_watch_destroy(&up->watch);
	bitmap_free(up->quarantine);
	bitmap_free(up->busy);
	mutex_destroy(&up->cfg_lock);
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
		.max_objs = up->max_bufs,
		.node = req->flags & MPOOL_CREATE_F_NODE ? req->node : NUMA_NO_NODE,
		/* Only a resize, charged, changes what the pool holds. */
		.flags = MPOOL_F_PAGE_ALIGNED | MPOOL_F_FIXED,
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
	mpool_stats_reserved(pool, mpool_upool_held_bytes(up));
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

	up = mpool_upool_alloc(req, creator);
	if (!up)
		return ERR_PTR(-ENOMEM);
	err = mpool_upool_charge(creator, mpool_upool_held_bytes(up));
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
	mpool_upool_uncharge(up->owner, mpool_upool_held_bytes(up));
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
	/* Never revive a pool something unlinked meanwhile. */
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
	/* No resize runs on a destroyed mpool: mpool_upool_config() checks. */
	mutex_lock(&up->cfg_lock);
	mpool_destroy(up->pool);
	mutex_unlock(&up->cfg_lock);
	mpool_watch_kill(up);
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

static bool mpool_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *groups = cred->group_info;
	int i;

	if (gid_eq(cred->egid, gid))
		return true;
	for (i = 0; i < groups->ngroups; i++) {
		if (gid_eq(groups->gid[i], gid))
			return true;
	}
	return false;
}

/**
 * mpool_upool_may_attach() - does @up's access mode let @acct in?
 * @up: the pool
 * @acct: a session's account, with the opener's credentials
 *
 * Return: true for the owner, CAP_SYS_ADMIN, and whoever the mode admits.
 */
bool mpool_upool_may_attach(const struct mpool_upool *up, const struct mpool_account *acct)
{
	if (mpool_upool_owned_by(up, acct) || acct->admin)
		return true;
	switch (READ_ONCE(up->access)) {
	case MPOOL_ACCESS_ALL:
		return true;
	case MPOOL_ACCESS_GROUP:
		return mpool_cred_in_group(acct->cred, up->gid);
	default:
		return false;
	}
}

/* The pool holds @nr buffers now. */
static void mpool_upool_set_size(struct mpool_upool *up, u32 nr)
{
	lockdep_assert_held(&up->cfg_lock);
	mpool_stats_reserved(up->pool, ((s64)nr - up->nr_bufs) * (s64)up->buf_size);
	WRITE_ONCE(up->nr_bufs, nr);
}

/*
 * Grow to @want buffers, charged to the owner (the caps of whoever asks:
 * CAP_SYS_RESOURCE lifts the owner's). Memory running short keeps what
 * was added.
 */
static int mpool_upool_grow(struct mpool_upool *up, struct mpool_account *acct, u32 want)
{
	u32 old = up->nr_bufs;
	int err, got;

	err = mpool_upool_charge_bytes(up->owner, acct->unlimited,
				       (u64)(want - old) * up->buf_size);
	if (err)
		return err;
	got = mpool_resize(up->pool, want, MPOOL_USER_GFP);
	if (got < 0) {
		mpool_upool_uncharge_bytes(up->owner, (u64)(want - old) * up->buf_size);
		return got;
	}
	mpool_upool_uncharge_bytes(up->owner, (u64)(want - got) * up->buf_size);
	mpool_upool_set_size(up, got);
	/* Only now can a lease count on them. */
	mpool_upool_unreserve(up, got - old);
	return 0;
}

/*
 * Shrink by up to @nr free buffers: reserved first, as a lease would, so
 * that no lease counts on what the mpool frees; what it could not free
 * (in a CPU cache a flush missed) is free again afterwards.
 */
static void mpool_upool_shrink(struct mpool_upool *up, u32 nr)
{
	u32 old = up->nr_bufs, took, freed;
	int now;

	took = mpool_upool_reserve_upto(up, nr);
	if (!took)
		return;
	now = mpool_resize(up->pool, old - took, MPOOL_USER_GFP);
	freed = old - now;
	mpool_upool_set_size(up, now);
	mpool_upool_uncharge_bytes(up->owner, (u64)freed * up->buf_size);
	if (took > freed)
		mpool_upool_unreserve(up, took - freed);
	else
		mpool_watch_free_changed(up);
}

/* Gather idle buffers where every lease finds them: CPU caches, quarantine. */
static u32 mpool_upool_drain(struct mpool_upool *up)
{
	u32 quarantined = READ_ONCE(up->nr_quarantined);

	mpool_upool_reclaim(up);
	return mpool_flush(up->pool) + quarantined - READ_ONCE(up->nr_quarantined);
}

static int mpool_upool_config_check(const struct mpool_upool *up,
				    const struct mpool_pool_config *cfg)
{
	if (cfg->flags & ~MPOOL_CONFIG_F_ALL || cfg->reserved)
		return -EINVAL;
	if ((cfg->flags & MPOOL_CONFIG_F_RESIZE) &&
	    (!cfg->buf_count || cfg->buf_count > up->max_bufs))
		return -EINVAL;
	if ((cfg->flags & MPOOL_CONFIG_F_ACCESS) && cfg->access > MPOOL_ACCESS_ALL)
		return -EINVAL;
	if ((cfg->flags & MPOOL_CONFIG_F_THRESHOLDS) &&
	    (cfg->low_watermark > up->max_bufs || cfg->high_watermark > up->max_bufs ||
	     cfg->hysteresis > up->max_bufs || cfg->fail_permille > 1000))
		return -EINVAL;
	return 0;
}

/**
 * mpool_upool_config() - MPOOL_IOC_POOL_CONFIG on a pool
 * @up: the pool, which the caller holds a reference on
 * @acct: the asking session's account
 * @cfg: the request; the settings now are written back into it
 *
 * Return: 0, or -EINVAL, -EPERM, -EIDRM, and for a grow -EDQUOT, -ENOSPC
 * or -ENOMEM (see uapi/linux/mempool.h).
 */
int mpool_upool_config(struct mpool_upool *up, struct mpool_account *acct,
		       struct mpool_pool_config *cfg)
{
	int err;

	err = mpool_upool_config_check(up, cfg);
	if (err)
		return err;
	if (cfg->flags && !mpool_upool_owned_by(up, acct) && !acct->admin)
		return -EPERM;

	mutex_lock(&up->cfg_lock);
	if (cfg->flags && READ_ONCE(up->state) == MPOOL_UP_DEAD) {
		err = -EIDRM;
		goto out;
	}
	if (cfg->flags & MPOOL_CONFIG_F_RESIZE) {
		if (cfg->buf_count > up->nr_bufs)
			err = mpool_upool_grow(up, acct, cfg->buf_count);
		else if (cfg->buf_count < up->nr_bufs)
			mpool_upool_shrink(up, up->nr_bufs - cfg->buf_count);
		if (err)
			goto out;
	}
	cfg->drained = 0;
	if (cfg->flags & MPOOL_CONFIG_F_DRAIN)
		cfg->drained = mpool_upool_drain(up);
	if (cfg->flags & MPOOL_CONFIG_F_THRESHOLDS)
		mpool_watch_set(up, cfg);
	if (cfg->flags & MPOOL_CONFIG_F_ACCESS)
		WRITE_ONCE(up->access, cfg->access);
	cfg->buf_count = up->nr_bufs;
	cfg->access = up->access;
	mpool_watch_get(up, cfg);
out:
	mutex_unlock(&up->cfg_lock);
	return err;
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

/* No buffer is out any more: give the memory and the charges back. */
static void mpool_upool_finish(struct mpool_upool *up)
{
	mutex_lock(&mpool_upool_lock);
	list_del_init(&up->all);
	mutex_unlock(&mpool_upool_lock);
	mpool_stats_reserved(up->pool, -(s64)mpool_upool_held_bytes(up));
	mpool_unref(up->pool);
	mpool_upool_uncharge(up->owner, mpool_upool_held_bytes(up));
	mpool_user_put(up->owner);
	mpool_upool_free(up);
}

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
 * mpool_upool_get() - take another reference on a user pool
 * @up: the pool, which the caller holds a reference on
 *
 * For a holder that outlives the caller's own: an exported buffer's
 * dma-buf keeps its pool's memory as an attachment does.
 */
void mpool_upool_get(struct mpool_upool *up)
{
	kref_get(&up->ref);
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
	st->buf_count = READ_ONCE(up->nr_bufs);
	st->engine = up->engine;
	st->nr_free = max(atomic_read(&up->nr_free), 0);
	/* The mpool counts exported buffers as leased: they are still out. */
	st->nr_exported = max(atomic_read(&up->nr_exported), 0);
	st->nr_leased = sum.leased > st->nr_exported ? sum.leased - st->nr_exported : 0;
	st->nr_quarantined = READ_ONCE(up->nr_quarantined);
	st->nr_sessions = atomic_read(&up->nr_sessions);
	st->state = READ_ONCE(up->state) == MPOOL_UP_DEAD ? MPOOL_STATE_DESTROYED : 0;
	st->leases = sum.leases;
	st->releases = sum.releases;
	st->mmap_len = mpool_upool_window(up);
	memcpy(st->name, up->name, sizeof(st->name));
	st->owner_uid = from_kuid_munged(ns, up->owner->uid);
	st->create_flags = up->flags;
	st->hits = sum.hit;
	st->misses = sum.miss;
	st->short_leases = atomic_long_read(&up->nr_short);
	st->failed_leases = atomic_long_read(&up->nr_failed);
	st->timed_out_leases = atomic_long_read(&up->nr_timed_out);
	st->low_events = sum.low_events;
	st->hwm = sum.hwm;
	st->bytes_reserved = max_t(s64, sum.reserved, 0);
	st->reserved = 0;
	st->max_buf_count = up->max_bufs;
	st->access = READ_ONCE(up->access);
	st->owner_gid = from_kgid_munged(ns, up->gid);
	st->exports = atomic_long_read(&up->nr_exports);
	st->imports = atomic_long_read(&up->nr_imports);
	st->reserved_export = 0;
	/* The pool's own thresholds and crossings, low_events included. */
	mpool_watch_stats(up, st);
}

/**
 * mpool_upool_list() - a snapshot of the named pools @acct may attach to
 * @out: room for @room entries
 * @room: how many to fill in at most
 * @acct: the asking session's account; owners' uids are shown in its
 *	user namespace
 *
 * Return: how many such pools there are, which may be more than @room.
 */
u32 mpool_upool_list(struct mpool_pool_entry *out, u32 room,
		     const struct mpool_account *acct)
{
	struct user_namespace *ns = acct->cred->user_ns;
	struct mpool_upool *up;
	u32 n = 0;

	mutex_lock(&mpool_upool_lock);
	list_for_each_entry(up, &mpool_upools, node) {
		if (up->state != MPOOL_UP_LIVE || !mpool_upool_may_attach(up, acct))
			continue;
		if (n < room) {
			struct mpool_pool_entry *e = &out[n];

			memset(e, 0, sizeof(*e));
			memcpy(e->name, up->name, sizeof(e->name));
			e->engine = up->engine;
			e->create_flags = up->flags;
			e->buf_size = up->buf_size;
			e->buf_count = READ_ONCE(up->nr_bufs);
			e->owner_uid = from_kuid_munged(ns, up->owner->uid);
			e->nr_free = max(atomic_read(&up->nr_free), 0);
			e->nr_quarantined = READ_ONCE(up->nr_quarantined);
			e->nr_sessions = atomic_read(&up->nr_sessions);
			e->access = READ_ONCE(up->access);
		}
		n++;
	}
	mutex_unlock(&mpool_upool_lock);
	return n;
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

static const char *const mpool_upool_access_name[] = {
	[MPOOL_ACCESS_OWNER] = "owner",
	[MPOOL_ACCESS_GROUP] = "group",
	[MPOOL_ACCESS_ALL] = "all",
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

	seq_printf(m, "%-23s %-10s %-10s %-6s %-9s %-8s %8s %8s %10s %8s %5s %5s %5s\n",
		   "name", "owner", "lifetime", "access", "state", "engine", "bufs", "max",
		   "buf_size", "sessions", "free", "quar", "exp");
	mutex_lock(&mpool_upool_lock);
	list_for_each_entry(up, &mpool_upool_all, all) {
		seq_printf(m, "%-23s %-10u %-10s %-6s %-9s %-8u %8u %8u %10llu %8d %5d %5u %5d\n",
			   up->name, from_kuid_munged(&init_user_ns, up->owner->uid),
			   up->flags & MPOOL_CREATE_F_SESSION ? "session" : "persistent",
			   mpool_upool_access_name[READ_ONCE(up->access)],
			   mpool_upool_state_name[up->state], up->engine,
			   READ_ONCE(up->nr_bufs), up->max_bufs,
			   up->buf_size, atomic_read(&up->nr_sessions),
			   atomic_read(&up->nr_free), READ_ONCE(up->nr_quarantined),
			   atomic_read(&up->nr_exported));
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
