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
 * change pools or leases (POOL_CREATE, POOL_DESTROY, LEASE, RELEASE, EXPORT,
 * IMPORT, and POOL_CONFIG with a flag set) need a descriptor opened for writing
 * (-EBADF otherwise, as write(2)); INFO, POOL_ATTACH, POOL_STATS,
 * POOL_LIST and POOL_EVENTS work on an O_RDONLY one. Fields marked "out"
 * are ignored on input.
 *
 * Model
 * -----
 * Every open file description of /dev/mempool is a *session*. A session
 * creates pools (MPOOL_IOC_POOL_CREATE) or attaches to existing ones by name
 * (MPOOL_IOC_POOL_ATTACH); either way it gets a session-local pool_id, an
 * mmap offset (a cookie, not a real file position) and a mapping length.
 * A pool is buf_count buffers of buf_size bytes, with ids below
 * max_buf_count (buf_count unless the pool can be resized); buffer i sits
 * at mmap_offset + i * buf_size in the session's mapping.
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
 * page-aligned sub-range may be mapped. A fault on a leased buffer maps
 * all of it that the mapping covers (up to 2 MiB around the fault): one
 * minor fault per buffer, not one per page. Mappings cannot grow (mremap:
 * -EFAULT) and are not inherited across fork() by default: the child has
 * the file descriptor, and the session, and may mmap it again
 * (madvise(MADV_DOFORK) makes a mapping inherited; a release revokes the
 * child's view of the buffer as it does the parent's). They are left out of
 * core dumps.
 *
 * Direct I/O. A leased buffer's mapping is memory the kernel's I/O paths
 * use in place: read() and write() on an O_DIRECT file, io_uring reads and
 * writes through a pointer, vmsplice(). io_uring fixed buffers
 * (IORING_REGISTER_BUFFERS) work where io_uring leaves it to GUP what may
 * be pinned long-term (6.12); 6.1's io_uring pins only anonymous, shmem
 * and hugetlbfs memory and refuses a /dev/mempool mapping (EOPNOTSUPP). A
 * registration holds the pages until IORING_UNREGISTER_BUFFERS or the
 * ring's end: a buffer released meanwhile is quarantined (below), then
 * comes back zeroed for its next lessee. A read that waits for data to
 * copy through the mapping (IORING_OP_READ from a pipe or a socket) holds
 * no page: once the buffer is released, it fails with EFAULT instead.
 *
 * Pages a lease hands out stay referenced by anything that took a reference
 * through the mapping (vmsplice, O_DIRECT, io_uring fixed buffers...). A
 * released buffer whose pages are still referenced that way is quarantined:
 * it is not leased again until those references are gone
 * (mpool_pool_stats.nr_quarantined counts them).
 *
 * Export. MPOOL_IOC_EXPORT turns a buffer the session holds into a dma-buf
 * file descriptor (the kernel's handle for memory shared between
 * processes and devices), which can be passed on (SCM_RIGHTS, fork),
 * mmapped (mmap() maps every page at once), and imported by drivers (DRM
 * PRIME, V4L2, ...). The lease passes to the dma-buf: the session no
 * longer holds the buffer (its mappings of it raise SIGBUS, RELEASE of
 * the id fails with -EINVAL), and its bytes stay as they were. Exactly
 * one holder exists at any moment: a session or a dma-buf. When the last
 * reference to the dma-buf goes (every descriptor closed, every mmap of
 * it gone, every importer detached), the buffer returns to its pool as a
 * release does: zeroed at its next lease, quarantined while something
 * still references its pages.
 * MPOOL_IOC_IMPORT turns such a dma-buf back into a lease of the importing
 * session, when nothing but the caller's descriptor reaches it.
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
#define MPOOL_FEAT_ACCESS	0x80ULL	/* mpool_pool_create.access */
#define MPOOL_FEAT_CONFIG	0x100ULL /* MPOOL_IOC_POOL_CONFIG, max_buf_count */
#define MPOOL_FEAT_EVENTS	0x200ULL /* MPOOL_IOC_POOL_EVENTS */
#define MPOOL_FEAT_EXPORT	0x400ULL /* MPOOL_IOC_EXPORT, MPOOL_IOC_IMPORT */
#define MPOOL_FEAT_HUGE		0x1000ULL /* MPOOL_CREATE_F_HUGE */
#define MPOOL_FEAT_NUMA		0x800ULL /* mpool_pool_stats.node and after */

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
#define MPOOL_CREATE_F_NODE	0x1U	/* every buffer on NUMA node @node */
#define MPOOL_CREATE_F_SESSION	0x2U	/* session-scoped, not persistent */
#define MPOOL_CREATE_F_HUGE	0x4U	/* 2 MiB pages, mapped with PMDs */
#define MPOOL_CREATE_F_ALL	(MPOOL_CREATE_F_NODE | MPOOL_CREATE_F_SESSION | \
				 MPOOL_CREATE_F_HUGE)

/* Who may attach to a pool (struct mpool_pool_create.access) */
#define MPOOL_ACCESS_OWNER	0	/* the creating user only */
#define MPOOL_ACCESS_GROUP	1	/* and members of the creator's group */
#define MPOOL_ACCESS_ALL	2	/* everyone who may open the device */

/**
 * struct mpool_pool_create - MPOOL_IOC_POOL_CREATE: create a pool and attach
 * @name: in: unique among the pools of /dev/mempool
 * @engine: in: MPOOL_ENG_*
 * @flags: in: MPOOL_CREATE_F_*
 * @buf_size: in: bytes per buffer: a multiple of the page size, at most
 *	mpool_info.max_buf_size
 * @buf_count: in: buffers, 1 to mpool_info.max_buf_count; all are
 *	allocated (and charged to the caller's memory cgroup) at creation
 * @node: in: NUMA node with MPOOL_CREATE_F_NODE (must be online), else 0.
 *	With the flag, every buffer's memory is on that node, or the create
 *	fails with ENOMEM (no fallback to another node), and buffers released
 *	on CPUs of other nodes go back towards that node's CPUs; without it,
 *	the memory is on the creating CPU's node as long as that node has
 *	some free, and elsewhere after (mpool_pool_stats.node_bytes says
 *	where)
 * @pool_id: out: the pool's handle in this session
 * @reserved: must be zero
 * @mmap_offset: out: the offset to pass to mmap()
 * @mmap_len: out: buf_size * max_buf_count, the length of the whole
 *	mapping
 * @max_buf_count: in: the most buffers MPOOL_IOC_POOL_CONFIG may resize
 *	the pool to, at most mpool_info.max_buf_count (0: buf_count, a pool
 *	that cannot grow); buffer ids run from 0 to max_buf_count - 1
 * @access: in: MPOOL_ACCESS_*, who may attach to the pool by name
 *
 * Access. An owner-only pool (the default) can be attached to by the
 * creating user alone; a group pool also by anyone whose groups include
 * the creator's effective gid; MPOOL_ACCESS_ALL by anyone who may open
 * the device. CAP_SYS_ADMIN attaches to any. Users and groups are those
 * of whoever opened the descriptor. POOL_LIST shows only the pools the
 * caller may attach to.
 *
 * Lifetime. A persistent pool (the default) keeps its name until
 * MPOOL_IOC_POOL_DESTROY, by any session of the same user or with
 * CAP_SYS_ADMIN, like a SysV shared memory segment. A session-scoped pool
 * (MPOOL_CREATE_F_SESSION) is also destroyed when the last session of its
 * creator's user that is attached to it ends. Either way, a destroyed pool
 * keeps serving the leases already held until the last session attached
 * to it ends.
 *
 * Huge pages (MPOOL_CREATE_F_HUGE; buf_size a multiple of the PMD size,
 * 2 MiB on x86-64, which "2 MiB" stands for below; else -EINVAL). Every
 * buffer is one naturally aligned compound page, the kind a transparent
 * huge page is, and each 2 MiB of it that a mapping covers at an address
 * congruent with its offset modulo 2 MiB is mapped by one PMD entry at
 * its first fault: one TLB entry and one minor fault for 512 pages.
 * mmap() with no address picks such an address. Otherwise the fault maps
 * those 2 MiB with 4 KiB PTEs, and POOL_STATS counts why (see struct
 * mpool_pool_stats): the mapping does not cover those 2 MiB or is not
 * aligned with its offset (MAP_FIXED, a partial munmap()); THP is off for
 * the mapping (madvise(MADV_NOHUGEPAGE), prctl(PR_SET_THP_DISABLE)) or in
 * the kernel; the range was mapped with PTEs before and its page table
 * is still there, or the kernel cannot map it with a PMD (6.1 maps only
 * the first 2 MiB of a larger buffer so). The system's THP setting
 * (/sys/kernel/mm/transparent_hugepage/enabled) does not apply: the pool
 * asked for huge pages. A huge pool needs buf_size bytes of contiguous
 * memory per buffer, as any pool does; creation fails with -ENOMEM
 * rather than fall back to smaller pages. Revocation, zeroing and the
 * quarantine work as for any pool: what pins a buffer through its
 * mapping (O_DIRECT, vmsplice) does so through a PMD as through pages,
 * and the buffer is quarantined at release while pinned.
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
	/* Since API version 1 + MPOOL_FEAT_ACCESS and MPOOL_FEAT_CONFIG. */
	__u32 max_buf_count;
	__u32 access;
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
 * @count: in: how many buffers, 1 to min(MPOOL_BATCH_MAX, max_buf_count)
 * @reserved: must be zero
 * @ids: in: user pointer to a __u32[@count] that receives the buffer ids
 *	(below max_buf_count, in no particular order)
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
 * @count: in: how many buffers, 1 to min(MPOOL_BATCH_MAX, max_buf_count)
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

/* struct mpool_pool_stats.node_bytes */
#define MPOOL_STATS_MAX_NODES	8

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
 * @nr_leased: out: buffers leased by all sessions (exported ones not
 *	included)
 * @nr_mine: out: buffers leased by this session
 * @nr_quarantined: out: released buffers held back while something still
 *	references their pages (see the top of this file)
 * @nr_sessions: out: sessions attached to the pool
 * @state: out: MPOOL_STATE_* bits
 * @leases: out: buffers leased since the pool was created
 * @releases: out: buffers returned since (released, by a session's end,
 *	or when the last reference to an exported buffer's dma-buf went)
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
 * @max_buf_count: out: the most buffers the pool may be resized to
 * @access: out: MPOOL_ACCESS_*
 * @owner_gid: out: the creator's group, for MPOOL_ACCESS_GROUP, in the
 *	caller's user namespace
 * @low_watermark: out: as set by MPOOL_IOC_POOL_CONFIG (0: none)
 * @high_watermark: out: ditto
 * @fail_permille: out: ditto
 * @hysteresis: out: ditto
 * @reserved: out: zero
 * @high_events: out: times the free buffers rose above the high watermark
 * @fail_events: out: windows of leases that failed at or above
 *	fail_permille (see struct mpool_pool_config)
 * @nr_exported: out: buffers a dma-buf holds now (MPOOL_IOC_EXPORT), by
 *	any session
 * @reserved_export: out: zero
 * @exports: out: buffers exported since the pool was created
 * @imports: out: exported buffers imported back into a session since
 * @pmd_maps: out: MPOOL_CREATE_F_HUGE: 2 MiB ranges of buffers mapped by
 *	one PMD entry, in any session's mapping
 * @pte_misaligned: out: ditto: faults mapped with 4 KiB PTEs because the
 *	mapping did not cover the 2 MiB around them or was not aligned with
 *	its offset
 * @pte_disabled: out: ditto, because THP was off for the mapping
 *	(MADV_NOHUGEPAGE, PR_SET_THP_DISABLE) or the kernel or CPU has none
 * @pte_other: out: ditto, because the range already had a page table, or
 *	the kernel cannot map that part of the buffer with a PMD
 * @node: out: the node the pool is bound to (MPOOL_CREATE_F_NODE), or -1
 * @nr_nodes: out: node numbers the system may use (0 to nr_nodes - 1);
 *	above MPOOL_STATS_MAX_NODES, the nodes past those are not shown
 * @remote_releases: out: buffers of a pool bound to a node that were
 *	released on a CPU of another node and sent back towards it
 *	(MPOOL_ENG_PERCPU only; 0 for the others)
 * @node_bytes: out: the memory of the pool's buffers on each of nodes 0 to
 *	MPOOL_STATS_MAX_NODES - 1, as the kernel's page allocator placed it
 *
 * low_events counts MPOOL_EVENT_LOW crossings. On a quiet pool
 * nr_free + nr_leased + nr_exported + nr_quarantined == buf_count and
 * leases - releases == nr_leased + nr_exported: an exported buffer is
 * neither leased nor released until its dma-buf goes (a release) or it is
 * imported (leased again, counted in neither leases nor releases).
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
	/* Since API version 1 + MPOOL_FEAT_CONFIG. */
	__u32 max_buf_count;
	__u32 access;
	__u32 owner_gid;
	__u32 low_watermark;
	__u32 high_watermark;
	__u32 fail_permille;
	__u32 hysteresis;
	__u32 reserved;
	__u64 high_events;
	__u64 fail_events;
	/* Since API version 1 + MPOOL_FEAT_EXPORT. */
	__u32 nr_exported;
	__u32 reserved_export;
	__u64 exports;
	__u64 imports;
	/* Since API version 1 + MPOOL_FEAT_HUGE. */
	__u64 pmd_maps;
	__u64 pte_misaligned;
	__u64 pte_disabled;
	__u64 pte_other;
	/* Since API version 1 + MPOOL_FEAT_NUMA. */
	__s32 node;
	__u32 nr_nodes;
	__u64 remote_releases;
	__u64 node_bytes[MPOOL_STATS_MAX_NODES];
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
 * @access: MPOOL_ACCESS_* (zero before MPOOL_FEAT_ACCESS)
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
	__u32 access;
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
 * Every named pool the caller may attach to (see struct
 * mpool_pool_create), in creation order: a snapshot taken at one moment.
 * Destroyed pools are not listed.
 */
struct mpool_pool_list {
	__u32 flags;
	__u32 entry_size;
	__u64 entries;
	__u32 count;
	__u32 total;
};

/* struct mpool_pool_config.flags: what to change (none: just read) */
#define MPOOL_CONFIG_F_RESIZE		0x1U	/* to buf_count buffers */
#define MPOOL_CONFIG_F_DRAIN		0x2U	/* gather idle buffers */
#define MPOOL_CONFIG_F_THRESHOLDS	0x4U	/* the four threshold fields */
#define MPOOL_CONFIG_F_ACCESS		0x8U	/* access */
#define MPOOL_CONFIG_F_ALL		0xfU

/* Leases per failure-rate window (struct mpool_pool_config.fail_permille). */
#define MPOOL_FAIL_WINDOW		16

/**
 * struct mpool_pool_config - MPOOL_IOC_POOL_CONFIG: run a pool
 * @pool_id: in: the pool's handle in this session
 * @flags: in: MPOOL_CONFIG_F_*, applied in the order listed; no flag at
 *	all only reads the settings back
 * @buf_count: in, MPOOL_CONFIG_F_RESIZE: the buffers the pool should
 *	hold, 1 to max_buf_count; out: the buffers it holds now
 * @access: in, MPOOL_CONFIG_F_ACCESS: MPOOL_ACCESS_*; out: the mode now
 * @low_watermark: in, MPOOL_CONFIG_F_THRESHOLDS: MPOOL_EVENT_LOW when the
 *	free buffers fall below this (0: off); out: the setting now
 * @high_watermark: in, ditto: MPOOL_EVENT_HIGH when the free buffers rise
 *	above this (0: off); out: ditto
 * @fail_permille: in, ditto: MPOOL_EVENT_FAIL when, of a window of
 *	MPOOL_FAIL_WINDOW consecutive leases, at least this many per
 *	thousand fail (EAGAIN or ETIMEDOUT), 1 to 1000 (0: off); out: ditto
 * @hysteresis: in, ditto: how far back past a watermark the free buffers
 *	must come before it can fire again (0 counts as 1); out: ditto
 * @drained: out, MPOOL_CONFIG_F_DRAIN: buffers gathered from CPU caches
 *	and the quarantine into the shared free list
 * @reserved: must be zero
 *
 * Only the creating user, or CAP_SYS_ADMIN, may change a pool (-EPERM);
 * any attached session may read the settings.
 *
 * Resize. Growing allocates buffers now, charged as at create, with ids
 * not in use below max_buf_count; they show in every session's existing
 * mapping window (mmap_len never changes) as soon as they are leased.
 * Shrinking takes free buffers only: buf_count then says how many the
 * pool really holds, which is more than asked while too few were free.
 * Growing may stop short when memory is short (buf_count says where),
 * and fails with -ENOMEM only if not one buffer could be added.
 *
 * The reply is written back once the changes are made: an -EFAULT from
 * that write leaves them made (a call with no flag reads them back).
 *
 * Thresholds. Each fires once when it is crossed (an event record on
 * every event descriptor of the pool, see MPOOL_IOC_POOL_EVENTS, and the
 * mpool_threshold trace event), then not again until it re-arms: a
 * watermark once the free buffers are back by @hysteresis on the other
 * side (for the low watermark, at least low_watermark + hysteresis free),
 * the failure rate once a window fails at less than half the rate.
 * Setting thresholds re-arms all three and judges them at once: a pool
 * already past a watermark sends its event then.
 */
struct mpool_pool_config {
	__u32 pool_id;
	__u32 flags;
	__u32 buf_count;
	__u32 access;
	__u32 low_watermark;
	__u32 high_watermark;
	__u32 fail_permille;
	__u32 hysteresis;
	__u32 drained;
	__u32 reserved;
};

/**
 * struct mpool_pool_events - MPOOL_IOC_POOL_EVENTS: a descriptor for events
 * @pool_id: in: the pool's handle in this session
 * @flags: in: must be zero
 * @fd: out: a new descriptor, O_RDONLY | O_CLOEXEC
 * @record_size: in: sizeof(struct mpool_event) as the caller knows it, at
 *	least MPOOL_EVENT_SIZE_VER0 (0 stands for that); each record is
 *	read that long, a longer caller's tail zeroed
 *
 * The descriptor is readable (poll(): EPOLLIN) while it holds event
 * records; read() returns whole records of @record_size bytes, as many as
 * fit (-EINVAL if not even one fits; -EAGAIN if none is queued and the
 * descriptor is O_NONBLOCK, otherwise it blocks). It holds nothing of the
 * pool: when the pool is destroyed, it gets an MPOOL_EVENT_DESTROYED
 * record, then poll() reports EPOLLHUP and read() returns 0 once the
 * records are read. Each descriptor queues up to MPOOL_EVENT_QUEUE
 * records; more are dropped and counted in the next record's @lost. The
 * MPOOL_EVENT_DESTROYED record is never dropped (it may be the
 * MPOOL_EVENT_QUEUE + 1st queued) and is always the last: no record
 * follows it.
 */
struct mpool_pool_events {
	__u32 pool_id;
	__u32 flags;
	__s32 fd;
	__u32 record_size;
};

/* struct mpool_event.type */
#define MPOOL_EVENT_LOW		1	/* free buffers fell below low_watermark */
#define MPOOL_EVENT_HIGH	2	/* free buffers rose above high_watermark */
#define MPOOL_EVENT_FAIL	3	/* a window of leases failed too often */
#define MPOOL_EVENT_DESTROYED	4	/* the pool was destroyed: no more events */

#define MPOOL_EVENT_QUEUE	64

/**
 * struct mpool_event - one record read from an event descriptor
 * @type: MPOOL_EVENT_*
 * @threshold: the setting crossed (low_watermark, high_watermark or
 *	fail_permille), 0 for MPOOL_EVENT_DESTROYED
 * @seq: the pool's event count, from 1: a gap means records were lost
 * @time_ns: CLOCK_MONOTONIC when it happened
 * @value: what crossed: free buffers, or failures per thousand leases in
 *	the window
 * @nr_free: buffers free at that moment
 * @buf_count: buffers in the pool at that moment
 * @lost: records this descriptor dropped, queue full, since the last one
 *	it delivered
 * @leases: buffers leased from the pool so far, the lease that caused
 *	the crossing included
 * @failed_leases: leases that failed so far (EAGAIN or ETIMEDOUT)
 */
struct mpool_event {
	__u32 type;
	__u32 threshold;
	__u64 seq;
	__u64 time_ns;
	__u32 value;
	__u32 nr_free;
	__u32 buf_count;
	__u32 lost;
	__u64 leases;
	__u64 failed_leases;
};

/* struct mpool_export.flags */
#define MPOOL_EXPORT_F_RDONLY	0x1U	/* the dma-buf is read-only: no writable mmap */
#define MPOOL_EXPORT_F_NOCLOEXEC 0x2U	/* the fd is not O_CLOEXEC (it is by default) */
#define MPOOL_EXPORT_F_ALL	(MPOOL_EXPORT_F_RDONLY | MPOOL_EXPORT_F_NOCLOEXEC)

/**
 * struct mpool_export - MPOOL_IOC_EXPORT: a leased buffer as a dma-buf
 * @pool_id: in: the pool's handle in this session
 * @buf_id: in: a buffer this session holds a lease on
 * @flags: in: MPOOL_EXPORT_F_*
 * @fd: out: the dma-buf, O_CLOEXEC unless MPOOL_EXPORT_F_NOCLOEXEC,
 *	O_RDONLY with MPOOL_EXPORT_F_RDONLY, else O_RDWR
 *
 * The lease passes to the dma-buf (see the top of this file): on success
 * the session's mappings of the buffer are gone before the call returns,
 * and its bytes are whatever the session left there. The dma-buf is
 * buf_size bytes; it is named "<pool name>:<buf_id>" (DMA_BUF_SET_NAME
 * may rename it), with exporter "mempool", in /proc/<pid>/fdinfo and in
 * debugfs dma_buf/bufinfo. Its mmap() works as the device's: MAP_SHARED
 * only, never executable, not growable, left out of core dumps; a forked
 * child inherits it. A read-only dma-buf refuses writable shared mappings
 * (mmap: -EACCES; mprotect cannot add PROT_WRITE); devices that import it
 * are kernel drivers, which the flag does not restrict.
 *
 * Until the buffer comes back it counts against the pool (nr_exported),
 * and against max_user_leases of the exporting user (not of any session:
 * the exporter's max_session_leases count drops at once), and its memory
 * stays charged to the pool's creator as before. A pool destroyed meanwhile
 * keeps its memory until every exported buffer is back, as for leases;
 * and the module cannot be unloaded while a dma-buf of it exists.
 */
struct mpool_export {
	__u32 pool_id;
	__u32 buf_id;
	__u32 flags;
	__s32 fd;
};

/**
 * struct mpool_import - MPOOL_IOC_IMPORT: a dma-buf back into a lease
 * @pool_id: in: the pool's handle in this session; the dma-buf's buffer
 *	must be of that pool
 * @fd: in: a dma-buf MPOOL_IOC_EXPORT made
 * @flags: in: must be zero
 * @buf_id: out: the buffer's id, now leased by this session
 *
 * Succeeds only while nothing but @fd can reach the buffer through the
 * dma-buf: no other descriptor of it (dup, fork, SCM_RIGHTS), no mmap,
 * no importer attached or kernel mapping, and nothing still references
 * its pages (a pipe they were vmsplice()d into, O_DIRECT in flight, an
 * io_uring registration: what would quarantine it at a release) (-EBUSY
 * otherwise). Afterwards
 * the dma-buf holds nothing: the caller closes @fd, and mmap or a device
 * import of it fails (-ENODEV). The buffer keeps its bytes; it is this
 * session's lease like any other, mapped where the session's mapping of
 * the pool has it, charged to this session and its user, and released
 * with MPOOL_IOC_RELEASE. Any session attached to the pool may import,
 * the exporting one included.
 */
struct mpool_import {
	__u32 pool_id;
	__s32 fd;
	__u32 flags;
	__u32 buf_id;
};

/* The first published sizes of the structs that have grown since. */
#define MPOOL_INFO_SIZE_VER0		64
#define MPOOL_POOL_CREATE_SIZE_VER0	72
#define MPOOL_POOL_STATS_SIZE_VER0	104
#define MPOOL_POOL_ENTRY_SIZE_VER0	64
#define MPOOL_POOL_CONFIG_SIZE_VER0	40
#define MPOOL_EVENT_SIZE_VER0		56

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
 *                 EINVAL  access unknown, or max_buf_count below
 *                         buf_count or above mpool_info.max_buf_count,
 *                         or buf_size * max_buf_count above 4 GiB (the
 *                         pool's mmap window), or MPOOL_CREATE_F_HUGE
 *                         with a buf_size not a multiple of 2 MiB
 *   POOL_ATTACH   ENOENT  no pool has that name
 *                 EACCES  the pool's access mode does not let the
 *                         caller in (no CAP_SYS_ADMIN)
 *                 EEXIST  the session is already attached to it
 *                 EDQUOT  the session has MPOOL_SESSION_POOLS_MAX pools
 *   POOL_DESTROY  ENOENT  no such pool_id in this session
 *                 EPERM   not the creating user and no CAP_SYS_ADMIN, both
 *                         judged by who opened the descriptor
 *                 EIDRM   already destroyed
 *   LEASE         ENOENT  no such pool_id in this session
 *                 E2BIG   count above MPOOL_BATCH_MAX or max_buf_count
 *                 EDQUOT  the session would hold more than
 *                         max_session_leases buffers, or its user more
 *                         than max_user_leases
 *                 EAGAIN  fewer than count buffers free (no F_WAIT)
 *                 ETIMEDOUT, EINTR  (F_WAIT)
 *                 EIDRM   the pool was destroyed
 *   RELEASE       ENOENT  no such pool_id in this session
 *                 E2BIG   count above MPOOL_BATCH_MAX or max_buf_count
 *                 EINVAL  an id out of range, not leased by this session,
 *                         or repeated; nothing was released
 *   POOL_STATS    ENOENT  no such pool_id in this session
 *   POOL_CONFIG   ENOENT  no such pool_id in this session
 *                 EPERM   a change, not by the creating user and no
 *                         CAP_SYS_ADMIN (judged as for POOL_DESTROY)
 *                 EBADF   a change on a descriptor not open for writing
 *                 EINVAL  buf_count 0 or above max_buf_count, access or
 *                         fail_permille out of range
 *                 EDQUOT, ENOSPC, ENOMEM  growing, as for POOL_CREATE
 *                 EIDRM   a change to a destroyed pool
 *   POOL_EVENTS   ENOENT  no such pool_id in this session
 *                 EINVAL  record_size below MPOOL_EVENT_SIZE_VER0
 *                 E2BIG   record_size above 4096
 *                 EIDRM   the pool was destroyed
 *                 EMFILE  no descriptor left
 *   EXPORT        ENOENT  no such pool_id in this session
 *                 EINVAL  unknown flags, or buf_id not leased by this
 *                         session (out of range, released, exported)
 *                 EIDRM   the pool was destroyed
 *                 EMFILE  no descriptor left
 *                 ENOMEM  out of memory
 *   IMPORT        ENOENT  no such pool_id in this session
 *                 EBADF   fd is not an open descriptor
 *                 EINVAL  flags not zero; fd is not a dma-buf, or not one
 *                         this module exported, or one already imported
 *                 EXDEV   the dma-buf's buffer is of another pool
 *                 EBUSY   something besides fd reaches the dma-buf,
 *                         or still references the buffer's pages
 *                 EDQUOT  as for LEASE
 *                 EIDRM   the pool was destroyed
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
#define MPOOL_IOC_POOL_CONFIG	_IOWR(MPOOL_IOC_MAGIC, 0x08, struct mpool_pool_config)
#define MPOOL_IOC_POOL_EVENTS	_IOWR(MPOOL_IOC_MAGIC, 0x09, struct mpool_pool_events)
#define MPOOL_IOC_EXPORT	_IOWR(MPOOL_IOC_MAGIC, 0x0A, struct mpool_export)
#define MPOOL_IOC_IMPORT	_IOWR(MPOOL_IOC_MAGIC, 0x0B, struct mpool_import)

#endif /* _UAPI_LINUX_MEMPOOL_H */
