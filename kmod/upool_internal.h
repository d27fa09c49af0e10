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
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/mempool.h>

struct mpool;
struct mpool_user;

/* A user's request fails with -ENOMEM when memory is short: no OOM kill, no warning. */
#define MPOOL_USER_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

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
	/* Leases that found the pool short; of them, failed and timed out. */
	atomic_long_t nr_short;
	atomic_long_t nr_failed;
	atomic_long_t nr_timed_out;
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
void mpool_upool_reclaim(struct mpool_upool *up);
void mpool_upool_forget_quarantine(struct mpool_upool *up);

#endif /* _MPOOL_UPOOL_INTERNAL_H */
