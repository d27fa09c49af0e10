/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mempool.ko userspace API: /dev/mempool ioctls and mmap.
 *
 * Rules every struct here follows: fixed-width fields, no implicit padding,
 * sizes a multiple of 8, user pointers carried as __u64. Structs may grow at
 * the end: the kernel accepts a shorter (older) struct and rejects a longer
 * one whose extra bytes are not zero (-E2BIG); a struct shorter than its
 * first published version is refused with -EINVAL (MPOOL_IOC_INFO accepts
 * any length). Reserved fields and flag bits the kernel does not know are
 * rejected with -EINVAL; unknown commands get -ENOTTY. The commands that
 * change pools or leases (POOL_CREATE, POOL_DESTROY, LEASE, RELEASE) need a
 * descriptor opened for writing (-EBADF otherwise, as write(2)); INFO,
 * POOL_ATTACH and POOL_STATS work on an O_RDONLY one. Fields marked "out"
 * are ignored on input. POOL_LIST works on an O_RDONLY descriptor too.
 *
 * Model
 * -----
 * Every open file description of /dev/mempool is a *session*. A session
 * creates pools (MPOOL_IOC_POOL_CREATE) or attaches to existing ones by name
 * (MPOOL_IOC_POOL_ATTACH); either way it gets a session-local pool_id, an
 * mmap offset (a cookie, not a real file position) and a mapping length.
 * A pool is buf_count buffers of buf_size bytes; buffer i sits at
 * mmap_offset + i * buf_size in the session's mapping.
 *
 * A session leases buffers (MPOOL_IOC_LEASE) and gives them back
 * (MPOOL_IOC_RELEASE). Only buffers the session holds a lease on can be
 * touched through its mapping; any other page of the mapping raises SIGBUS.
 * Releasing a buffer revokes the session's access before anybody else can
 * lease it. Every buffer reads as zeros when a lease starts.
 *
 * The session ends when its last reference goes: the last file descriptor
 * is closed *and* the last mapping of it is unmapped (a mapping keeps the
 * file open). Then every lease still held returns to its pool, whether the
 * process closed, exited or was killed. Processes sharing the file
 * descriptor (fork, SCM_RIGHTS) share the session.
 *
 * mmap: MAP_SHARED only (MAP_PRIVATE: -EINVAL), never executable (PROT_EXEC:
 * -EPERM; mprotect cannot add it later); the range must lie within one
 * pool's [mmap_offset, mmap_offset + mmap_len) (-EINVAL otherwise); any
 * page-aligned sub-range may be mapped. Mappings cannot grow (mremap:
 * -EFAULT) and are not inherited across fork() by default: the child has
 * the file descriptor, and the session, and may mmap it again
 * (madvise(MADV_DOFORK) makes a mapping inherited; a release revokes the
 * child's view of the buffer as it does the parent's). They are left out of
 * core dumps.
 *
 * Pages a lease hands out stay referenced by anything that took a reference
 * through the mapping (vmsplice, O_DIRECT, io_uring fixed buffers...). A
 * released buffer whose pages are still referenced that way is quarantined:
 * it is not leased again until those references are gone
 * (mpool_pool_stats.nr_quarantined counts them).
 *
 * 32-bit callers: mmap offsets fit mmap2() only for pool_id < 4096.
 */
#ifndef _UAPI_LINUX_MEMPOOL_H
#define _UAPI_LINUX_MEMPOOL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MPOOL_DEVICE		"/dev/mempool"
#define MPOOL_API_VERSION	1

/* Not listed in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define MPOOL_IOC_MAGIC		0xBD

/* mpool_info.features */
#define MPOOL_FEAT_POOLS	0x1ULL	/* create/attach/destroy/stats, lease, mmap */
#define MPOOL_FEAT_WAIT		0x2ULL	/* MPOOL_LEASE_F_WAIT and poll() */
#define MPOOL_FEAT_NODE		0x4ULL	/* MPOOL_CREATE_F_NODE */
#define MPOOL_FEAT_USER_LIMITS	0x8ULL	/* per-user caps, mpool_info.*user* */
#define MPOOL_FEAT_LIFETIME	0x10ULL	/* MPOOL_CREATE_F_SESSION */
#define MPOOL_FEAT_LIST		0x20ULL	/* MPOOL_IOC_POOL_LIST */
#define MPOOL_FEAT_FULL_STATS	0x40ULL	/* mpool_pool_stats.hits and after */

/**
 * struct mpool_info - what this module supports
 * @api_version: out: MPOOL_API_VERSION of the running module
 * @flags: in: must be zero
 * @features: out: MPOOL_FEAT_* bits the module implements
 * @max_pools: out: how many pools may exist at once (all sessions)
 * @reserved: must be zero
 * @max_bytes: out: cap on the memory of all pools together (module
 *	parameter max_bytes)
 * @bytes_used: out: memory all pools hold now
 * @max_buf_size: out: largest buf_size
 * @max_buf_count: out: largest buf_count
 * @max_batch: out: most buffers one LEASE or RELEASE moves
 * @max_session_leases: out: most buffers one session may hold (module
 *	parameter max_session_leases)
 * @nr_pools: out: pools that exist now, destroyed ones still holding
 *	memory (attached, or with quarantined buffers) included
 * @max_user_pools: out: most pools one user may own (module parameter
 *	max_user_pools)
 * @max_user_leases: out: most buffers one user's sessions may hold
 *	(module parameter max_user_leases)
 * @max_user_bytes: out: most memory one user's pools may hold (module
 *	parameter max_user_bytes)
 * @user_pools: out: pools the caller's user owns now
 * @user_leases: out: buffers the caller's user's sessions hold now
 * @user_bytes: out: memory the caller's user's pools hold now
 *
 * The caller's user is the effective uid that opened the descriptor. The
 * per-user caps do not apply to an opener with CAP_SYS_RESOURCE (its usage
 * is still counted); the global ones apply to everybody.
 */
struct mpool_info {
	__u32 api_version;
	__u32 flags;
	__u64 features;
	__u32 max_pools;
	__u32 reserved;
	__u64 max_bytes;
	__u64 bytes_used;
	__u64 max_buf_size;
	__u32 max_buf_count;
	__u32 max_batch;
	__u32 max_session_leases;
	__u32 nr_pools;
	/* Since API version 1 + MPOOL_FEAT_USER_LIMITS. */
	__u32 max_user_pools;
	__u32 max_user_leases;
	__u64 max_user_bytes;
	__u32 user_pools;
	__u32 user_leases;
	__u64 user_bytes;
};

/* Pool names: 1 to MPOOL_POOL_NAME_MAX - 1 bytes of [A-Za-z0-9._-], NUL-padded. */
#define MPOOL_POOL_NAME_MAX	24

/* Engines (struct mpool_pool_create.engine) */
#define MPOOL_ENG_PERCPU	0	/* per-CPU magazines over a shared depot */
#define MPOOL_ENG_RING		1	/* bounded lock-free MPMC ring */
#define MPOOL_ENG_LOCKFREE	2	/* ABA-safe lock-free stack */

/* struct mpool_pool_create.flags */
#define MPOOL_CREATE_F_NODE	0x1U	/* allocate on NUMA node @node */
#define MPOOL_CREATE_F_SESSION	0x2U	/* session-scoped, not persistent */
#define MPOOL_CREATE_F_ALL	(MPOOL_CREATE_F_NODE | MPOOL_CREATE_F_SESSION)

/**
 * struct mpool_pool_create - MPOOL_IOC_POOL_CREATE: create a pool and attach
 * @name: in: unique among the pools of /dev/mempool
 * @engine: in: MPOOL_ENG_*
 * @flags: in: MPOOL_CREATE_F_*
 * @buf_size: in: bytes per buffer: a multiple of the page size, at most
 *	mpool_info.max_buf_size
 * @buf_count: in: buffers, 1 to mpool_info.max_buf_count; all are
 *	allocated (and charged to the caller's memory cgroup) at creation
 * @node: in: NUMA node with MPOOL_CREATE_F_NODE (must be online), else 0
 * @pool_id: out: the pool's handle in this session
 * @reserved: must be zero
 * @mmap_offset: out: the offset to pass to mmap()
 * @mmap_len: out: buf_size * buf_count, the length of the whole mapping
 *
 * Lifetime. A persistent pool (the default) keeps its name until
 * MPOOL_IOC_POOL_DESTROY, by any session of the same user or with
 * CAP_SYS_ADMIN, like a SysV shared memory segment. A session-scoped pool
 * (MPOOL_CREATE_F_SESSION) is also destroyed when the last session of its
 * creator's user that is attached to it ends. Either way, a destroyed pool
 * keeps serving the leases already held until the last session attached
 * to it ends.
 *
 * Charges. The pool and its memory count against mpool_info.max_pools and
 * max_bytes, and against the creator's per-user caps (max_user_pools,
 * max_user_bytes), until the memory is really gone: buffers quarantined
 * when the pool goes stay charged until whatever references their pages
 * lets go.
 */
struct mpool_pool_create {
	char name[MPOOL_POOL_NAME_MAX];
	__u32 engine;
	__u32 flags;
	__u64 buf_size;
	__u32 buf_count;
	__s32 node;
	__u32 pool_id;
	__u32 reserved;
	__u64 mmap_offset;
	__u64 mmap_len;
};

/**
 * struct mpool_pool_attach - MPOOL_IOC_POOL_ATTACH: attach to a pool by name
 * @name: in: the pool's name
 * @flags: in: must be zero
 * @pool_id: out: the pool's handle in this session
 * @buf_size: out: bytes per buffer
 * @buf_count: out: buffers in the pool
 * @engine: out: MPOOL_ENG_*
 * @mmap_offset: out: the offset to pass to mmap()
 * @mmap_len: out: the length of the whole mapping
 */
struct mpool_pool_attach {
	char name[MPOOL_POOL_NAME_MAX];
	__u32 flags;
	__u32 pool_id;
	__u64 buf_size;
	__u32 buf_count;
	__u32 engine;
	__u64 mmap_offset;
	__u64 mmap_len;
};

/**
 * struct mpool_pool_destroy - MPOOL_IOC_POOL_DESTROY: remove a pool's name
 * @pool_id: in: the pool's handle in this session
 * @flags: in: must be zero
 *
 * The name is free at once and nobody can attach or lease any more; leases
 * and mappings already held stay valid until released, and the memory goes
 * when the last attached session ends.
 */
struct mpool_pool_destroy {
	__u32 pool_id;
	__u32 flags;
};

/* struct mpool_lease.flags */
#define MPOOL_LEASE_F_WAIT	0x1U	/* block while the pool is short */

/* Most buffers one MPOOL_IOC_LEASE or MPOOL_IOC_RELEASE moves. */
#define MPOOL_BATCH_MAX		1024

/**
 * struct mpool_lease - MPOOL_IOC_LEASE: lease @count buffers, all or none
 * @pool_id: in: the pool's handle in this session
 * @flags: in: MPOOL_LEASE_F_*
 * @count: in: how many buffers, 1 to min(MPOOL_BATCH_MAX, buf_count)
 * @reserved: must be zero
 * @ids: in: user pointer to a __u32[@count] that receives the buffer ids
 *	(0 to buf_count - 1, in no particular order)
 * @timeout_ns: in: with MPOOL_LEASE_F_WAIT, the longest wait (0: no
 *	limit); without it, must be zero
 *
 * All or nothing: either @count buffers are leased, zeroed and their ids
 * written to @ids, or none is and the call fails. Without
 * MPOOL_LEASE_F_WAIT a pool with fewer than @count free buffers fails with
 * -EAGAIN; with it the call sleeps until @count buffers are free
 * (-ETIMEDOUT after @timeout_ns, -EINTR on a signal; without a timeout
 * the call is restarted after a handler installed with SA_RESTART).
 * poll() reports EPOLLIN while a pool the session is attached to has a
 * free buffer.
 */
struct mpool_lease {
	__u32 pool_id;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__u64 ids;
	__u64 timeout_ns;
};

/**
 * struct mpool_release - MPOOL_IOC_RELEASE: give @count buffers back
 * @pool_id: in: the pool's handle in this session
 * @flags: in: must be zero
 * @count: in: how many buffers, 1 to min(MPOOL_BATCH_MAX, buf_count)
 * @reserved: must be zero
 * @ids: in: user pointer to a __u32[@count] of buffer ids
 *
 * All or nothing: if any id is out of range, not leased by this session,
 * or appears twice, nothing is released (-EINVAL). On success the
 * session's mappings of those buffers are gone (touching them raises
 * SIGBUS) before the call returns.
 */
struct mpool_release {
	__u32 pool_id;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__u64 ids;
};

/* struct mpool_pool_stats.state */
#define MPOOL_STATE_DESTROYED	0x1U

/**
 * struct mpool_pool_stats - MPOOL_IOC_POOL_STATS: a pool, as this session sees it
 * @pool_id: in: the pool's handle in this session
 * @flags: in: must be zero
 * @buf_size: out: bytes per buffer
 * @buf_count: out: buffers in the pool
 * @engine: out: MPOOL_ENG_*
 * @nr_free: out: buffers free to lease now
 * @nr_leased: out: buffers leased by all sessions
 * @nr_mine: out: buffers leased by this session
 * @nr_quarantined: out: released buffers held back while something still
 *	references their pages (see the top of this file)
 * @nr_sessions: out: sessions attached to the pool
 * @state: out: MPOOL_STATE_* bits
 * @leases: out: buffers leased since the pool was created
 * @releases: out: buffers returned since (released, or by a session's end)
 * @mmap_offset: out: as from create or attach
 * @mmap_len: out: as from create or attach
 * @name: out: the pool's name
 * @owner_uid: out: the user who created the pool (and is charged with it),
 *	in the caller's user namespace
 * @create_flags: out: the MPOOL_CREATE_F_* flags it was created with
 * @hits: out: buffers the engine handed out on its fast path
 * @misses: out: engine gets that found it empty for a moment (a lease
 *	retries them)
 * @short_leases: out: leases that found fewer buffers free than they asked
 *	for (whether they then failed, waited or timed out)
 * @failed_leases: out: of those, leases that failed at once (EAGAIN)
 * @timed_out_leases: out: of those, leases whose wait timed out
 * @low_events: out: times the free buffers fell below the low watermark
 * @hwm: out: most buffers out (leased or quarantined) at once, as sampled
 * @bytes_reserved: out: memory the pool holds for its buffers
 *
 * On a quiet pool nr_free + nr_leased + nr_quarantined == buf_count and
 * leases - releases == nr_leased.
 */
struct mpool_pool_stats {
	__u32 pool_id;
	__u32 flags;
	__u64 buf_size;
	__u32 buf_count;
	__u32 engine;
	__u32 nr_free;
	__u32 nr_leased;
	__u32 nr_mine;
	__u32 nr_quarantined;
	__u32 nr_sessions;
	__u32 state;
	__u64 leases;
	__u64 releases;
	__u64 mmap_offset;
	__u64 mmap_len;
	char name[MPOOL_POOL_NAME_MAX];
	/* Since API version 1 + MPOOL_FEAT_LIFETIME. */
	__u32 owner_uid;
	__u32 create_flags;
	/* Since API version 1 + MPOOL_FEAT_FULL_STATS. */
	__u64 hits;
	__u64 misses;
	__u64 short_leases;
	__u64 failed_leases;
	__u64 timed_out_leases;
	__u64 low_events;
	__u64 hwm;
	__u64 bytes_reserved;
};

/**
 * struct mpool_pool_entry - one pool in MPOOL_IOC_POOL_LIST's reply
 * @name: the pool's name
 * @engine: MPOOL_ENG_*
 * @create_flags: the MPOOL_CREATE_F_* flags it was created with
 * @buf_size: bytes per buffer
 * @buf_count: buffers in the pool
 * @owner_uid: the user who created it, in the caller's user namespace
 * @nr_free: buffers free to lease now
 * @nr_quarantined: released buffers still referenced from outside
 * @nr_sessions: sessions attached
 * @reserved: zero
 */
struct mpool_pool_entry {
	char name[MPOOL_POOL_NAME_MAX];
	__u32 engine;
	__u32 create_flags;
	__u64 buf_size;
	__u32 buf_count;
	__u32 owner_uid;
	__u32 nr_free;
	__u32 nr_quarantined;
	__u32 nr_sessions;
	__u32 reserved;
};

/**
 * struct mpool_pool_list - MPOOL_IOC_POOL_LIST: the pools one may attach to
 * @flags: in: must be zero
 * @entry_size: in: sizeof(struct mpool_pool_entry) as the caller knows it
 *	(at least MPOOL_POOL_ENTRY_SIZE_VER0); each entry is written that
 *	long, a longer caller's tail zeroed
 * @entries: in: user pointer to @count entries of @entry_size bytes
 * @count: in: how many entries fit; out: how many were written
 * @total: out: how many pools have a name now (more than @count: call
 *	again with a larger array)
 *
 * Every named pool, whoever created it, in creation order: a snapshot
 * taken at one moment. Destroyed pools are not listed.
 */
struct mpool_pool_list {
	__u32 flags;
	__u32 entry_size;
	__u64 entries;
	__u32 count;
	__u32 total;
};

/* The first published sizes of the structs that have grown since. */
#define MPOOL_INFO_SIZE_VER0		64
#define MPOOL_POOL_STATS_SIZE_VER0	104
#define MPOOL_POOL_ENTRY_SIZE_VER0	64

/*
 * Errors, beyond the general rules at the top (EINVAL for bad fields,
 * reserved bits and short structs, E2BIG for a non-zero tail, ENOTTY,
 * EFAULT):
 *
 *   POOL_CREATE   EEXIST  the name is taken
 *                 ENOSPC  max_pools or max_bytes would be exceeded
 *                 EDQUOT  the session has MPOOL_SESSION_POOLS_MAX pools,
 *                         or the user would exceed max_user_pools or
 *                         max_user_bytes
 *                 ENOMEM  out of memory (or over the memory cgroup limit)
 *   POOL_ATTACH   ENOENT  no pool has that name
 *                 EEXIST  the session is already attached to it
 *                 EDQUOT  the session has MPOOL_SESSION_POOLS_MAX pools
 *   POOL_DESTROY  ENOENT  no such pool_id in this session
 *                 EPERM   not the creating user and no CAP_SYS_ADMIN, both
 *                         judged by who opened the descriptor
 *                 EIDRM   already destroyed
 *   LEASE         ENOENT  no such pool_id in this session
 *                 E2BIG   count above MPOOL_BATCH_MAX or buf_count
 *                 EDQUOT  the session would hold more than
 *                         max_session_leases buffers, or its user more
 *                         than max_user_leases
 *                 EAGAIN  fewer than count buffers free (no F_WAIT)
 *                 ETIMEDOUT, EINTR  (F_WAIT)
 *                 EIDRM   the pool was destroyed
 *   RELEASE       ENOENT  no such pool_id in this session
 *                 E2BIG   count above MPOOL_BATCH_MAX or buf_count
 *                 EINVAL  an id out of range, not leased by this session,
 *                         or repeated; nothing was released
 *   POOL_STATS    ENOENT  no such pool_id in this session
 *   POOL_LIST     EINVAL  entry_size below MPOOL_POOL_ENTRY_SIZE_VER0
 *                 E2BIG   entry_size above 4096
 *   mmap          EINVAL  not MAP_SHARED, or the range is not inside one
 *                         pool of this session
 *                 EPERM   PROT_EXEC
 */
#define MPOOL_SESSION_POOLS_MAX	64

#define MPOOL_IOC_INFO		_IOWR(MPOOL_IOC_MAGIC, 0x00, struct mpool_info)
#define MPOOL_IOC_POOL_CREATE	_IOWR(MPOOL_IOC_MAGIC, 0x01, struct mpool_pool_create)
#define MPOOL_IOC_POOL_ATTACH	_IOWR(MPOOL_IOC_MAGIC, 0x02, struct mpool_pool_attach)
#define MPOOL_IOC_POOL_DESTROY	_IOW(MPOOL_IOC_MAGIC, 0x03, struct mpool_pool_destroy)
#define MPOOL_IOC_LEASE		_IOW(MPOOL_IOC_MAGIC, 0x04, struct mpool_lease)
#define MPOOL_IOC_RELEASE	_IOW(MPOOL_IOC_MAGIC, 0x05, struct mpool_release)
#define MPOOL_IOC_POOL_STATS	_IOWR(MPOOL_IOC_MAGIC, 0x06, struct mpool_pool_stats)
#define MPOOL_IOC_POOL_LIST	_IOWR(MPOOL_IOC_MAGIC, 0x07, struct mpool_pool_list)

#endif /* _UAPI_LINUX_MEMPOOL_H */
