/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmempool: the C library for /dev/mempool (mempool.ko).
 *
 * Build with `pkg-config --cflags --libs mempool`.
 *
 * Conventions
 * -----------
 * Every function that can fail returns 0 on success and a negative errno
 * on failure (errno itself may change on the way: read the return value);
 * only mpl_buf(), which returns a pointer, reports through errno.
 * mpl_strerror() turns any of these codes into a message. All symbols start
 * with mpl_ (or MPL_).
 *
 * Objects
 * -------
 * struct mpl_dev is one open file of /dev/mempool: a kernel *session*. Every
 * pool the session created or attached is a struct mpl_pool, which lives
 * as long as its mpl_dev (the kernel has no "detach": an attachment lasts
 * as long as its session). mpl_close() ends the session when no other
 * process shares it: the kernel then takes back every buffer it still
 * leases, whatever the library or the program did or forgot.
 *
 * Buffers are identified by id (0 to buf_count - 1). Two ways to lease:
 *  - mpl_lease() / mpl_release(): one system call each, any batch up to
 *    MPOOL_BATCH_MAX, all or nothing. A leased buffer always reads as zeros.
 *  - mpl_get() / mpl_put(): one buffer at a time through a per-thread
 *    magazine that leases and releases in batches of mpl_batch() buffers, so
 *    a program that takes and returns one buffer at a time makes about one
 *    system call per batch. A buffer from mpl_get() may come straight back
 *    from an mpl_put() of the same process and still hold what was written
 *    to it (pass MPL_ZERO to have it cleared). Magazines hold up to
 *    2 * mpl_batch() buffers per thread and pool that nobody else can
 *    lease meanwhile; mpl_flush() gives the calling thread's back.
 * Both kinds of lease belong to the session: an id from one may be given
 * back through the other, and from any thread.
 *
 * Threads: every function may be called from any thread, except that
 * mpl_close() must not race with any other use of its mpl_dev or its
 * pools, and mpl_unmap() with users of the mapping. A thread that exits
 * (pthread_exit() or returning from its start routine) gives its magazines'
 * buffers back to the kernel; so does the thread that calls exit().
 *
 * fork(): the child shares the session (the file descriptor), not the
 * mappings (the kernel does not copy them). In the child, every mpl_dev and
 * mpl_pool stays usable: its magazines start empty (the buffers in the
 * parent's magazines stay the parent's: the child never hands them out or
 * releases them), and mpl_buf() maps the pool again on first use. Leases
 * the child takes are the session's, shared with the parent, and stay
 * leased after the child ends until someone releases them or the parent
 * ends the session: a child should mpl_flush() or leave through exit(),
 * not _exit(), if it used mpl_get(). A child that only wants a session of
 * its own calls mpl_open() again.
 */
#ifndef LIBMEMPOOL_H
#define LIBMEMPOOL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPL_VERSION_MAJOR	1
#define MPL_VERSION_MINOR	0

struct mpl_dev;
struct mpl_pool;

/* Flags of mpl_lease() and mpl_get() */
#define MPL_WAIT	0x1U	/* block while the pool is short (MPOOL_FEAT_WAIT) */
#define MPL_ZERO	0x2U	/* mpl_get(): clear the buffer (maps the pool) */

/* Largest magazine batch mpl_set_batch() accepts. */
#define MPL_BATCH_MAX	256U

/**
 * mpl_open() - open a session on /dev/mempool
 * @path: the device; NULL means MPOOL_DEVICE ("/dev/mempool")
 * @devp: receives the handle
 *
 * Return: 0; -ENOENT if the device does not exist (mempool.ko not
 * loaded), -EACCES if the caller may not open it (see the udev rule), or
 * another negative errno.
 */
int mpl_open(const char *path, struct mpl_dev **devp);

/**
 * mpl_close() - end the session and free every handle of it
 * @dev: from mpl_open(); NULL is ignored
 *
 * Unmaps every pool and closes the file descriptor. Nothing else may use
 * @dev, its pools, or buffer addresses from them, during or after the call.
 *
 * Return: 0 or a negative errno from close() (the handles are freed anyway).
 */
int mpl_close(struct mpl_dev *dev);

/**
 * mpl_fd() - the session's file descriptor, for poll()
 * @dev: the session
 *
 * poll() reports POLLIN while a pool of the session has a free buffer.
 * The descriptor stays owned by @dev: do not close it.
 *
 * Return: the descriptor.
 */
int mpl_fd(const struct mpl_dev *dev);

/**
 * mpl_info() - what the loaded module supports (MPOOL_IOC_INFO)
 * @dev: the session
 * @info: receives API version, features and limits
 *
 * Return: 0 or a negative errno.
 */
int mpl_info(struct mpl_dev *dev, struct mpool_info *info);

/**
 * mpl_pool_list() - every named pool (MPOOL_IOC_POOL_LIST)
 * @dev: the session (a read-only one will do)
 * @entries: room for *@count entries
 * @entry_size: sizeof(*@entries) as the caller was built with, so that a
 *	newer library never writes past an older caller's entries
 * @count: in: entries that fit; out: entries written
 * @total: if not NULL, receives how many pools are named (call again with
 *	more room if it is above *@count)
 *
 * Any user who may open the device sees every pool, with its owner and
 * lifetime: a snapshot of one moment.
 *
 * Return: 0 or a negative errno.
 */
int mpl_pool_list(struct mpl_dev *dev, struct mpool_pool_entry *entries, size_t entry_size,
		  unsigned int *count, unsigned int *total);

/**
 * struct mpl_pool_config - what mpl_pool_create() builds
 * @name: 1 to MPOOL_POOL_NAME_MAX - 1 characters of [A-Za-z0-9._-]
 * @engine: MPOOL_ENG_PERCPU, MPOOL_ENG_RING or MPOOL_ENG_LOCKFREE
 * @buf_size: bytes per buffer, a multiple of the page size
 * @buf_count: how many buffers (all allocated now)
 * @node: NUMA node to allocate on, or -1 for no preference
 * @flags: 0 for a persistent pool, or MPL_POOL_SESSION
 */
struct mpl_pool_config {
	const char *name;
	uint32_t engine;
	uint64_t buf_size;
	uint32_t buf_count;
	int node;
	uint32_t flags;
};

/* The pool ends with the last session of its creator's user attached to it. */
#define MPL_POOL_SESSION	MPOOL_CREATE_F_SESSION

/**
 * mpl_pool_create() - create a pool and attach it to the session
 * @dev: the session
 * @cfg: the pool's name and shape
 * @poolp: receives the pool's handle (owned by @dev)
 *
 * A persistent pool outlives the session: it exists until
 * mpl_pool_destroy() and the end of every session attached to it. One
 * made with MPL_POOL_SESSION is also destroyed when the last session of
 * the same user attached to it ends (so at mpl_close() if no other).
 *
 * Return: 0; -EEXIST (name taken), -ENOSPC (module limits), -EDQUOT (the
 * session's or the user's quota), -EINVAL (bad name, shape or flags),
 * -ENOMEM, or another negative errno.
 */
int mpl_pool_create(struct mpl_dev *dev, const struct mpl_pool_config *cfg,
		    struct mpl_pool **poolp);

/**
 * mpl_pool_attach() - attach the session to an existing pool by name
 * @dev: the session
 * @name: the pool's name
 * @poolp: receives the pool's handle (owned by @dev)
 *
 * If the session is already attached to the live pool of that name, its
 * existing handle is returned.
 *
 * Return: 0; -ENOENT (no such pool), -EINVAL (bad name), or another
 * negative errno.
 */
int mpl_pool_attach(struct mpl_dev *dev, const char *name, struct mpl_pool **poolp);

/**
 * mpl_pool_destroy() - remove a pool's name (MPOOL_IOC_POOL_DESTROY)
 * @pool: the pool
 *
 * No new session can attach and no new buffer can be leased; leases and
 * mappings already held stay valid; the memory goes when the last attached
 * session ends. The handle stays valid until mpl_close().
 *
 * Return: 0; -EPERM (not the creator's user), -EIDRM (already destroyed),
 * or another negative errno.
 */
int mpl_pool_destroy(struct mpl_pool *pool);

/**
 * mpl_pool_stats() - the pool as the kernel sees it (MPOOL_IOC_POOL_STATS)
 * @pool: the pool
 * @st: receives counts (free, leased, leased by this session...) and totals
 *
 * Buffers in this process's magazines count as leased by the session.
 *
 * Return: 0 or a negative errno.
 */
int mpl_pool_stats(struct mpl_pool *pool, struct mpool_pool_stats *st);

/**
 * mpl_pool_name() - the pool's name
 * @pool: the pool
 *
 * Return: a NUL-terminated string that lives as long as @pool.
 */
const char *mpl_pool_name(const struct mpl_pool *pool);

/**
 * mpl_pool_buf_size() - bytes per buffer
 * @pool: the pool
 *
 * Return: the size.
 */
uint64_t mpl_pool_buf_size(const struct mpl_pool *pool);

/**
 * mpl_pool_buf_count() - buffers in the pool
 * @pool: the pool
 *
 * Return: the count; ids run from 0 to the count - 1.
 */
uint32_t mpl_pool_buf_count(const struct mpl_pool *pool);

/**
 * mpl_pool_engine() - the pool's engine
 * @pool: the pool
 *
 * Return: MPOOL_ENG_*.
 */
uint32_t mpl_pool_engine(const struct mpl_pool *pool);

/**
 * mpl_engine_name() - "percpu", "ring" or "lockfree"
 * @engine: MPOOL_ENG_*
 *
 * Return: the name, or "unknown".
 */
const char *mpl_engine_name(uint32_t engine);

/**
 * mpl_engine_parse() - the engine called @name
 * @name: "percpu", "ring" or "lockfree"
 *
 * Return: MPOOL_ENG_*, or -EINVAL.
 */
int mpl_engine_parse(const char *name);

/**
 * mpl_map() - map the whole pool into this process
 * @pool: the pool
 * @basep: receives the address of buffer 0 (may be NULL)
 *
 * Idempotent: later calls return the same mapping. Only buffers the
 * session leases can be touched; any other raises SIGBUS.
 *
 * Return: 0 or a negative errno from mmap().
 */
int mpl_map(struct mpl_pool *pool, void **basep);

/**
 * mpl_unmap() - undo mpl_map()
 * @pool: the pool
 *
 * Nobody may use an address in the mapping during or after the call.
 *
 * Return: 0, or a negative errno from munmap().
 */
int mpl_unmap(struct mpl_pool *pool);

/**
 * mpl_buf() - the address of buffer @id, mapping the pool on first use
 * @pool: the pool
 * @id: a buffer id
 *
 * Return: the address, or NULL with errno set (EINVAL: @id out of range;
 * otherwise mmap()'s error).
 */
void *mpl_buf(struct mpl_pool *pool, uint32_t id);

/**
 * mpl_buf_id() - the id of the buffer that holds address @addr
 * @pool: the pool, mapped
 * @addr: an address inside the mapping
 *
 * Return: the id, or -EINVAL if @addr is not inside the mapping.
 */
int64_t mpl_buf_id(const struct mpl_pool *pool, const void *addr);

/**
 * mpl_lease() - lease @n buffers with one system call, all or nothing
 * @pool: the pool
 * @ids: receives @n buffer ids
 * @n: 1 to MPOOL_BATCH_MAX (and at most the pool's buffer count)
 * @flags: 0 or MPL_WAIT
 * @timeout_ns: with MPL_WAIT, the longest wait (0: none); else 0
 *
 * Every buffer reads as zeros.
 *
 * Return: 0; -EAGAIN (fewer than @n free), -ETIMEDOUT or -EINTR (MPL_WAIT),
 * -EDQUOT (the session's or the user's lease quota), -E2BIG (@n too big), -EIDRM (pool destroyed),
 * or another negative errno.
 */
int mpl_lease(struct mpl_pool *pool, uint32_t *ids, unsigned int n, unsigned int flags,
	      uint64_t timeout_ns);

/**
 * mpl_release() - give @n buffers back with one system call, all or nothing
 * @pool: the pool
 * @ids: buffer ids the session leases
 * @n: 1 to MPOOL_BATCH_MAX
 *
 * The session's mappings of them are gone before the call returns.
 *
 * Return: 0; -EINVAL (an id not leased by the session, or repeated:
 * nothing released), or another negative errno.
 */
int mpl_release(struct mpl_pool *pool, const uint32_t *ids, unsigned int n);

/**
 * mpl_get() - take one buffer from the calling thread's magazine
 * @pool: the pool
 * @id: receives the buffer id
 * @flags: MPL_WAIT to block while the pool is empty, MPL_ZERO to clear
 *
 * An empty magazine is refilled with one mpl_lease() of mpl_batch()
 * buffers, or fewer when the pool is short.
 *
 * Return: 0; -EAGAIN when the pool has no free buffer (without MPL_WAIT),
 * or an error of mpl_lease() or mpl_buf().
 */
int mpl_get(struct mpl_pool *pool, uint32_t *id, unsigned int flags);

/**
 * mpl_put() - put one buffer back into the calling thread's magazine
 * @pool: the pool
 * @id: a buffer the session leases (from mpl_get() or mpl_lease(), by any
 *	thread), not already in a magazine
 *
 * A full magazine gives mpl_batch() buffers back with one mpl_release().
 *
 * Return: 0; -EINVAL (@id out of range, or already in a magazine), or an
 * error of mpl_release() from giving a full magazine's half back (then
 * nothing changed: the caller still holds @id).
 */
int mpl_put(struct mpl_pool *pool, uint32_t id);

/**
 * mpl_flush() - give the calling thread's magazine back to the kernel
 * @pool: the pool
 *
 * Return: 0, or -EINVAL if some buffers were not the session's any more
 * (they are dropped; the others are released).
 */
int mpl_flush(struct mpl_pool *pool);

/**
 * mpl_set_batch() - choose how many buffers a magazine moves at a time
 * @pool: the pool
 * @batch: 1 to MPL_BATCH_MAX (and at most the pool's buffer count)
 *
 * The default is buf_count / 16, between 1 and 32. Only before any thread
 * used mpl_get() or mpl_put() on the pool.
 *
 * Return: 0; -EINVAL (out of range) or -EBUSY (magazines exist).
 */
int mpl_set_batch(struct mpl_pool *pool, unsigned int batch);

/**
 * mpl_batch() - how many buffers a magazine moves at a time
 * @pool: the pool
 *
 * Return: the batch size.
 */
unsigned int mpl_batch(const struct mpl_pool *pool);

/**
 * struct mpl_counters - what this process's library did with a pool
 * @lease_calls: MPOOL_IOC_LEASE system calls (mpl_lease() and refills)
 * @release_calls: MPOOL_IOC_RELEASE system calls (mpl_release() and flushes)
 * @leased: buffers those calls leased
 * @released: buffers those calls released
 * @gets: mpl_get() calls that returned a buffer
 * @puts: mpl_put() calls that took one
 *
 * Failed calls count in *_calls, not in @leased or @released. Compare
 * @leased and @released with the kernel's mpool_pool_stats.leases and
 * .releases to see the library's share.
 */
struct mpl_counters {
	uint64_t lease_calls;
	uint64_t release_calls;
	uint64_t leased;
	uint64_t released;
	uint64_t gets;
	uint64_t puts;
};

/**
 * mpl_pool_counters() - read this process's counters for @pool
 * @pool: the pool
 * @c: receives the counters, all threads summed, exited ones included
 */
void mpl_pool_counters(struct mpl_pool *pool, struct mpl_counters *c);

/**
 * mpl_strerror() - a message for a negative errno from this library
 * @err: the code (negative or positive)
 *
 * Codes with a meaning of their own here (no such pool, pool short, quota)
 * get a message that says so; others get the C library's.
 *
 * Return: a static string; thread-safe.
 */
const char *mpl_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBMEMPOOL_H */
