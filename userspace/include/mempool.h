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
 * Structs that may grow cross the library boundary with their size, so a
 * program built against this header keeps working with a later library and
 * a later module: the library's own option structs start with a size_t sz
 * (declare them with MPL_OPTS(), which sets it; fields past an older
 * caller's sz read as their defaults), and the kernel's structs (struct
 * mpool_info, struct mpool_pool_stats, struct mpool_pool_entry, struct
 * mpool_pool_config, struct mpool_event) and the library's struct
 * mpl_counters come with a size argument (mpl_info(), mpl_pool_stats() and
 * mpl_pool_counters() are macros that pass sizeof): nothing past that size
 * is written. Fields a module does not know yet read as zero: mpl_info()'s
 * features say which it has. struct mpl_pool_config never grows.
 *
 * Symbols are versioned (LIBMEMPOOL_1.0, LIBMEMPOOL_1.1...): a program
 * built against this header needs a libmempool.so.1 at least as new.
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
 * Buffers are identified by id (0 to max_buf_count - 1, where
 * max_buf_count is buf_count unless the pool was created to be resized, see
 * mpl_pool_resize()). Two ways to lease:
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

/*
 * The version of this header: the project's (the top-level VERSION file;
 * the build refuses a library whose VERSION disagrees). mpl_version() says
 * which library is running.
 */
#define MPL_VERSION_MAJOR	1
#define MPL_VERSION_MINOR	2

struct mpl_dev;
struct mpl_pool;

/* Flags of mpl_lease() and mpl_get() */
#define MPL_WAIT	0x1U	/* block while the pool is short (MPOOL_FEAT_WAIT) */
#define MPL_ZERO	0x2U	/* mpl_get(): clear the buffer (maps the pool) */

/* Largest magazine batch mpl_set_batch() accepts. */
#define MPL_BATCH_MAX	256U

/*
 * Declare and zero a struct TYPE of options with its sz set, and set some
 * fields: MPL_OPTS(mpl_pool_opts, opts, .access = MPOOL_ACCESS_GROUP);
 */
#define MPL_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* Flags of mpl_open_flags() */
#define MPL_OPEN_RDONLY	0x1U	/* O_RDONLY: info, list, attach, stats, events only */

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
 * mpl_open_flags() - mpl_open() with flags
 * @path: the device; NULL means MPOOL_DEVICE
 * @flags: 0 or MPL_OPEN_RDONLY
 * @devp: receives the handle
 *
 * A read-only session needs only read permission on the node; it can
 * query (mpl_info(), mpl_pool_list(), mpl_pool_attach(), mpl_pool_stats(),
 * reading settings, mpl_pool_events()) but not create, destroy, lease or
 * change a pool (-EBADF).
 *
 * Return: as mpl_open(); -EINVAL for an unknown flag.
 */
int mpl_open_flags(const char *path, unsigned int flags, struct mpl_dev **devp);

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
 * mpl_version() - the version of the library that is running
 * @major: if not NULL, receives its major version
 * @minor: if not NULL, receives its minor version
 *
 * Compare with MPL_VERSION_MAJOR and MPL_VERSION_MINOR, the header's: a
 * program built against 1.N needs a library of 1.N or later.
 *
 * Return: "MAJOR.MINOR.PATCH", a static string.
 */
const char *mpl_version(unsigned int *major, unsigned int *minor);

/**
 * mpl_info_size() - what the loaded module supports (MPOOL_IOC_INFO)
 * @dev: the session (a read-only one will do)
 * @info: receives API version, features and limits
 * @size: sizeof(*@info) as the caller was built, at least
 *	MPOOL_INFO_SIZE_VER0: nothing past it is written
 *
 * Fields the loaded module does not fill (see the features) read as zero.
 * Call it as mpl_info(dev, &info).
 *
 * Return: 0 or a negative errno (-EINVAL: @size too small; -ENOTTY: @dev
 * is not /dev/mempool).
 */
int mpl_info_size(struct mpl_dev *dev, struct mpool_info *info, size_t size);

/* Programs built before 1.1 call the function of this name: first-version fields only. */
int mpl_info(struct mpl_dev *dev, struct mpool_info *info);
#define mpl_info(dev, info) mpl_info_size(dev, info, sizeof(*(info)))

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
 * Every pool the caller may attach to (all of them with CAP_SYS_ADMIN; see
 * struct mpl_pool_opts.access), with its owner, lifetime and access mode:
 * a snapshot of one moment.
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
 *
 * Never grows: what pools learn later is set through struct mpl_pool_opts
 * and mpl_pool_create_opts().
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
/* struct mpl_pool_opts.node is set. */
#define MPL_POOL_NODE		MPOOL_CREATE_F_NODE
/*
 * Each buffer one 2 MiB-aligned block, mapped 2 MiB at a time by a PMD:
 * buf_size a multiple of 2 MiB (needs MPOOL_FEAT_HUGE; see mempool(4)).
 */
#define MPL_POOL_HUGE		MPOOL_CREATE_F_HUGE

/**
 * struct mpl_pool_opts - mpl_pool_create_opts()'s options (MPL_OPTS())
 * @sz: sizeof(struct mpl_pool_opts), as the caller was built
 * @flags: MPL_POOL_SESSION, MPL_POOL_NODE, MPL_POOL_HUGE
 * @node: with MPL_POOL_NODE, the NUMA node to allocate on
 * @access: who may attach: MPOOL_ACCESS_OWNER (the default: your user
 *	only), MPOOL_ACCESS_GROUP (also members of your effective group) or
 *	MPOOL_ACCESS_ALL (anyone who may open the device); CAP_SYS_ADMIN
 *	attaches to any (needs MPOOL_FEAT_ACCESS)
 * @max_buf_count: the most buffers mpl_pool_resize() may grow the pool to
 *	(0: buf_count, a pool that cannot grow); the mapping is sized for
 *	this many (needs MPOOL_FEAT_CONFIG)
 *
 * Zero means the default for every field. May grow at the end.
 */
struct mpl_pool_opts {
	size_t sz;
	uint32_t flags;
	int32_t node;
	uint32_t access;
	uint32_t max_buf_count;
};

/**
 * mpl_pool_create_opts() - create a pool, with options, and attach it
 * @dev: the session
 * @name: 1 to MPOOL_POOL_NAME_MAX - 1 characters of [A-Za-z0-9._-]
 * @engine: MPOOL_ENG_PERCPU, MPOOL_ENG_RING or MPOOL_ENG_LOCKFREE
 * @buf_size: bytes per buffer, a multiple of the page size
 * @buf_count: how many buffers (all allocated now)
 * @opts: NULL (every default), or options declared with MPL_OPTS()
 * @poolp: receives the pool's handle (owned by @dev)
 *
 * As mpl_pool_create(), plus access mode and room to grow.
 *
 * Return: as mpl_pool_create(); -EOPNOTSUPP if @opts asks for an access
 * mode or max_buf_count that the loaded module does not know; -E2BIG if
 * @opts has fields this library does not know set.
 */
int mpl_pool_create_opts(struct mpl_dev *dev, const char *name, uint32_t engine,
			 uint64_t buf_size, uint32_t buf_count, const struct mpl_pool_opts *opts,
			 struct mpl_pool **poolp);

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
 * Only its creator's user may attach to it, and it cannot be resized:
 * mpl_pool_create_opts() chooses otherwise.
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
 * Return: 0; -ENOENT (no such pool), -EACCES (the pool's access mode
 * keeps you out), -EINVAL (bad name), or another negative errno.
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
 * mpl_pool_stats_size() - the pool as the kernel sees it (MPOOL_IOC_POOL_STATS)
 * @pool: the pool
 * @st: receives counts (free, leased, leased by this session...), totals
 *	and settings
 * @size: sizeof(*@st) as the caller was built, at least
 *	MPOOL_POOL_STATS_SIZE_VER0
 *
 * Buffers in this process's magazines count as leased by the session.
 * Fields the loaded module does not fill (see mpl_info()'s features) read
 * as zero. Call it as mpl_pool_stats(pool, &st).
 *
 * Return: 0 or a negative errno (-EINVAL: @size too small).
 */
int mpl_pool_stats_size(struct mpl_pool *pool, struct mpool_pool_stats *st, size_t size);

/* Programs built before 1.1 call the function of this name: first-version fields only. */
int mpl_pool_stats(struct mpl_pool *pool, struct mpool_pool_stats *st);
#define mpl_pool_stats(pool, st) mpl_pool_stats_size(pool, st, sizeof(*(st)))

/**
 * mpl_pool_configure() - MPOOL_IOC_POOL_CONFIG, as is
 * @pool: the pool
 * @cfg: flags (MPOOL_CONFIG_F_*, applied in their order; none: just read)
 *	and inputs; receives the settings now (buf_count, access, thresholds)
 *	and, with MPOOL_CONFIG_F_DRAIN, what was drained. pool_id is set here.
 * @size: sizeof(*@cfg) as the caller was built
 *
 * For several changes in one call. The functions below do one each.
 * Changing a pool needs a read-write session of the creating user (or
 * CAP_SYS_ADMIN); reading needs only an attachment.
 *
 * Return: 0; -EPERM (not the creator's user), -EBADF (read-only session),
 * -EINVAL (a value out of range), -EIDRM (pool destroyed), -ENOTTY (module
 * without MPOOL_FEAT_CONFIG), or the errors of growing a pool (-EDQUOT,
 * -ENOSPC, -ENOMEM).
 */
int mpl_pool_configure(struct mpl_pool *pool, struct mpool_pool_config *cfg, size_t size);

/**
 * mpl_pool_resize() - grow or shrink the pool to @buf_count buffers
 * @pool: the pool
 * @buf_count: 1 to mpl_pool_max_buf_count()
 * @nowp: if not NULL, receives the buffers the pool holds now: more than
 *	asked when shrinking found too few free buffers (leased ones stay),
 *	fewer when growing ran short of memory
 *
 * New buffers get ids not in use below max_buf_count and show in existing
 * mappings as soon as they are leased.
 *
 * Return: as mpl_pool_configure(); -EINVAL if @buf_count is 0 or above
 * max_buf_count.
 */
int mpl_pool_resize(struct mpl_pool *pool, uint32_t buf_count, uint32_t *nowp);

/**
 * mpl_pool_drain() - gather idle buffers from CPU caches and the quarantine
 * @pool: the pool
 * @drainedp: if not NULL, receives how many buffers were gathered
 *
 * Return: as mpl_pool_configure().
 */
int mpl_pool_drain(struct mpl_pool *pool, uint32_t *drainedp);

/**
 * mpl_pool_set_access() - change who may attach from now on
 * @pool: the pool
 * @access: MPOOL_ACCESS_OWNER, MPOOL_ACCESS_GROUP or MPOOL_ACCESS_ALL
 *
 * Sessions already attached stay attached.
 *
 * Return: as mpl_pool_configure().
 */
int mpl_pool_set_access(struct mpl_pool *pool, uint32_t access);

/**
 * struct mpl_thresholds - when a pool's event descriptors get a record
 * @sz: sizeof(struct mpl_thresholds), as the caller was built
 * @low_watermark: MPOOL_EVENT_LOW when free buffers fall below it (0: off)
 * @high_watermark: MPOOL_EVENT_HIGH when free buffers rise above it (0: off)
 * @fail_permille: MPOOL_EVENT_FAIL when, of MPOOL_FAIL_WINDOW consecutive
 *	leases, at least this many per thousand fail; 1 to 1000 (0: off)
 * @hysteresis: how far back past a watermark the free buffers must come
 *	before it fires again (0 counts as 1)
 *
 * Each fires once per crossing (see struct mpool_pool_config). May grow.
 */
struct mpl_thresholds {
	size_t sz;
	uint32_t low_watermark;
	uint32_t high_watermark;
	uint32_t fail_permille;
	uint32_t hysteresis;
};

/**
 * mpl_pool_set_thresholds() - set all thresholds at once, and re-arm them
 * @pool: the pool
 * @t: declared with MPL_OPTS(); fields past its sz count as 0 (off)
 *
 * Return: as mpl_pool_configure(); -E2BIG if @t has fields this library
 * does not know set.
 */
int mpl_pool_set_thresholds(struct mpl_pool *pool, const struct mpl_thresholds *t);

/**
 * mpl_pool_get_thresholds() - the thresholds now
 * @pool: the pool
 * @t: with its sz set (MPL_OPTS()); receives as many fields as fit
 *
 * Return: as mpl_pool_configure().
 */
int mpl_pool_get_thresholds(struct mpl_pool *pool, struct mpl_thresholds *t);

/**
 * mpl_pool_events() - a new descriptor for the pool's threshold events
 * @pool: the pool (a read-only session will do)
 * @fdp: receives the descriptor (O_RDONLY, O_CLOEXEC): the caller's to
 *	poll() and close()
 *
 * poll() reports POLLIN while records are queued; read them with
 * mpl_event_read(). When the pool is destroyed the descriptor gets an
 * MPOOL_EVENT_DESTROYED record, then end of file.
 *
 * Return: 0; -EIDRM (pool destroyed), -EMFILE, -ENOTTY (module without
 * MPOOL_FEAT_EVENTS), or another negative errno.
 */
int mpl_pool_events(struct mpl_pool *pool, int *fdp);

/**
 * mpl_event_read() - read event records from a descriptor of mpl_pool_events()
 * @fd: the descriptor
 * @ev: room for @max records of @ev_size bytes each
 * @ev_size: sizeof(*@ev) as the caller was built (fields the library or
 *	the module does not know read as zero)
 * @max: records wanted, at least 1 (at most 16 are read at once)
 *
 * Blocks until a record is queued unless @fd is O_NONBLOCK.
 *
 * Return: records read (at least 1); 0 at end of file (the pool was
 * destroyed and every record read); -EAGAIN (O_NONBLOCK, none queued),
 * -EINTR, -EINVAL (@ev_size too small or @max 0), or another negative errno.
 */
int mpl_event_read(int fd, struct mpool_event *ev, size_t ev_size, unsigned int max);

/**
 * mpl_event_name() - "low", "high", "fail" or "destroyed"
 * @type: MPOOL_EVENT_*
 *
 * Return: the name, or "unknown".
 */
const char *mpl_event_name(uint32_t type);

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
 * As last reported to this handle (create, attach, mpl_pool_stats(),
 * mpl_pool_configure() and its helpers): another session may have resized
 * the pool since.
 *
 * Return: the count.
 */
uint32_t mpl_pool_buf_count(const struct mpl_pool *pool);

/**
 * mpl_pool_max_buf_count() - the most buffers the pool may be resized to
 * @pool: the pool
 *
 * Fixed at creation; buffer ids run from 0 to this - 1.
 *
 * Return: the count.
 */
uint32_t mpl_pool_max_buf_count(const struct mpl_pool *pool);

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
 * mpl_access_name() - "owner", "group" or "all"
 * @access: MPOOL_ACCESS_*
 *
 * Return: the name, or "unknown".
 */
const char *mpl_access_name(uint32_t access);

/**
 * mpl_access_parse() - the access mode called @name
 * @name: "owner", "group" or "all"
 *
 * Return: MPOOL_ACCESS_*, or -EINVAL.
 */
int mpl_access_parse(const char *name);

/**
 * mpl_map() - map the whole pool into this process
 * @pool: the pool
 * @basep: receives the address of buffer 0 (may be NULL)
 *
 * Idempotent: later calls return the same mapping, which covers
 * mpl_pool_max_buf_count() buffers. Only buffers the session leases can be
 * touched; any other raises SIGBUS.
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
 * @n: 1 to MPOOL_BATCH_MAX (and at most mpl_pool_max_buf_count())
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

/* Flags of mpl_export() */
#define MPL_EXPORT_RDONLY	MPOOL_EXPORT_F_RDONLY	/* no writable mmap of the dma-buf */
#define MPL_EXPORT_NOCLOEXEC	MPOOL_EXPORT_F_NOCLOEXEC /* the fd survives execve() */

/**
 * mpl_export() - hand a leased buffer over as a dma-buf
 * @pool: the pool
 * @id: a buffer the session leases, not in a magazine (mpl_get() ids
 *	are fine; one given back with mpl_put() is not the program's)
 * @flags: 0, or MPL_EXPORT_RDONLY and MPL_EXPORT_NOCLOEXEC
 * @fdp: receives the dma-buf's descriptor, O_CLOEXEC unless
 *	MPL_EXPORT_NOCLOEXEC
 *
 * The lease passes to the dma-buf (module feature MPOOL_FEAT_EXPORT): the
 * session no longer holds @id (mpl_buf() of it raises SIGBUS, mpl_release()
 * fails), and its bytes are kept. Pass the descriptor on (SCM_RIGHTS) or
 * to a driver; mmap() of it maps the buffer. When its last reference goes
 * the buffer returns to the pool, zeroed at its next lease.
 *
 * Return: 0; -EINVAL (@id not leased by the session, or in a magazine; bad
 * @flags), -EIDRM (pool destroyed), -EMFILE, -ENOMEM, or another negative
 * errno.
 */
int mpl_export(struct mpl_pool *pool, uint32_t id, unsigned int flags, int *fdp);

/**
 * mpl_import() - make a dma-buf mpl_export() made a lease of this session
 * @pool: the pool the buffer belongs to, as attached by this session
 * @fd: the dma-buf; nothing else may reach it (no other descriptor of it,
 *	no mmap, no driver), and the caller closes it afterwards
 * @idp: receives the buffer's id, leased by the session, bytes kept
 *
 * Return: 0; -EBUSY (something else reaches the dma-buf), -EINVAL (@fd is
 * not a dma-buf of /dev/mempool, or holds nothing any more), -EXDEV (a
 * buffer of another pool), -EBADF, -EDQUOT, -EIDRM, or another negative
 * errno.
 */
int mpl_import(struct mpl_pool *pool, int fd, uint32_t *idp);

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
 * .releases to see the library's share. May grow at the end.
 */
struct mpl_counters {
	uint64_t lease_calls;
	uint64_t release_calls;
	uint64_t leased;
	uint64_t released;
	uint64_t gets;
	uint64_t puts;
};

/* The first size of struct mpl_counters (libmempool 1.0). */
#define MPL_COUNTERS_SIZE_VER0	48

/**
 * mpl_pool_counters_size() - read this process's counters for @pool
 * @pool: the pool
 * @c: receives the counters, all threads summed, exited ones included
 * @size: sizeof(*@c) as the caller was built, at least
 *	MPL_COUNTERS_SIZE_VER0: nothing past it is written, and fields this
 *	library does not know read as zero
 *
 * Call it as mpl_pool_counters(pool, &c).
 *
 * Return: 0, or -EINVAL if @size is too small.
 */
int mpl_pool_counters_size(struct mpl_pool *pool, struct mpl_counters *c, size_t size);

/* Programs built before 1.1 call the function of this name: first-version fields only. */
void mpl_pool_counters(struct mpl_pool *pool, struct mpl_counters *c);
#define mpl_pool_counters(pool, c) mpl_pool_counters_size(pool, c, sizeof(*(c)))

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
