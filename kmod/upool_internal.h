/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside a user pool: shared by upool.c (names, lifetime, charges) and
 * upool_bufs.c (buffers out and back), and by nothing else: the session
 * layer goes through upool.h. upool.c calls into upool_bufs.c, never the
 * other way.
 */
#ifndef _MPOOL_UPOOL_INTERNAL_H
#define _MPOOL_UPOOL_INTERNAL_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/mempool.h>

struct mpool;
struct mpool_events;
struct mpool_user;

/* A user's request fails with -ENOMEM when memory is short: no OOM kill, no warning. */
#define MPOOL_USER_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

enum mpool_upool_state {
	MPOOL_UP_NEW,		/* name reserved, not yet attachable */
	MPOOL_UP_LIVE,
	MPOOL_UP_DEAD,		/* destroyed: no name, no new leases */
	MPOOL_UP_BURIED,	/* unreferenced; waits for quarantined pages */
};

/*
 * A pool's thresholds (MPOOL_IOC_POOL_CONFIG) and where their crossings go.
 * Settings and arming change under @lock; the lease path looks at @active
 * alone while none is set.
 */
struct mpool_watch {
	spinlock_t lock;		/* settings, arming, counts */
	bool active;			/* any threshold set */
	u32 low, high, fail_permille, hysteresis;
	bool low_armed, high_armed, fail_armed;
	u32 win_leases, win_fails;	/* the failure-rate window so far */
	u64 seq;			/* events sent */
	u64 nr_low, nr_high, nr_fail;	/* crossings */
	struct mpool_events *events;	/* the event descriptors */
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
	kgid_t gid;			/* the creator's, for MPOOL_ACCESS_GROUP */
	u32 access;			/* MPOOL_ACCESS_*; written under @cfg_lock */
	u32 max_bufs;			/* buffer ids run below this */
	u32 buf_pages;
	u64 buf_size;

	/* Serializes resize, drain and settings. */
	struct mutex cfg_lock;
	u32 nr_bufs;			/* held now; written under @cfg_lock */
	struct mpool_watch watch;

	/* Buffers free to lease; a lease reserves before it takes. */
	atomic_t nr_free;
	atomic_t nr_sessions;
	/* Sessions of the owner attached: a session-scoped pool ends at 0. */
	atomic_t nr_owner_sessions;
	/* Leases that found the pool short; of them, failed and timed out. */
	atomic_long_t nr_short;
	atomic_long_t nr_failed;
	atomic_long_t nr_timed_out;
	/* Buffers a dma-buf holds now (still out of the mpool); exports, imports. */
	atomic_t nr_exported;
	atomic_long_t nr_exports;
	atomic_long_t nr_imports;
	wait_queue_head_t wq;		/* buffers came back, or the pool died */

	/* Set from the moment a buffer leaves the mpool until it is back. */
	unsigned long *busy;

	/* Released buffers whose pages something outside still references. */
	struct mutex qlock;
	unsigned long *quarantine;
	unsigned int nr_quarantined;

	char name[MPOOL_POOL_NAME_MAX];
};

extern unsigned int mpool_max_session_leases;

/* The most buffers a create request lets the pool hold: its id range. */
static inline u32 mpool_upool_req_max(const struct mpool_pool_create *req)
{
	return req->max_buf_count ?: req->buf_count;
}

/* The memory @up's buffers hold now, charged to its owner. */
static inline u64 mpool_upool_held_bytes(const struct mpool_upool *up)
{
	return (u64)READ_ONCE(up->nr_bufs) * up->buf_size;
}

/* upool_bufs.c */
void mpool_upool_reclaim(struct mpool_upool *up);
void mpool_upool_forget_quarantine(struct mpool_upool *up);
u32 mpool_upool_reserve_upto(struct mpool_upool *up, u32 n);
void mpool_upool_unreserve(struct mpool_upool *up, u32 n);

/* upool_events.c: thresholds, and the descriptors that hear of them */
int mpool_watch_init(struct mpool_watch *w);
void mpool_watch_destroy(struct mpool_watch *w);
void mpool_watch_kill(struct mpool_upool *up);
void mpool_watch_set(struct mpool_upool *up, const struct mpool_pool_config *cfg);
void mpool_watch_get(struct mpool_upool *up, struct mpool_pool_config *cfg);
void mpool_watch_free_changed(struct mpool_upool *up);
void mpool_watch_lease_done(struct mpool_upool *up, bool failed);
void mpool_watch_stats(struct mpool_upool *up, struct mpool_pool_stats *st);

#endif /* _MPOOL_UPOOL_INTERNAL_H */
