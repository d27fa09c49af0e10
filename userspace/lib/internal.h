/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmempool internals.
 *
 * Locks, always taken in this order:
 *  1. mpli_lock (global): the list of devices, the list of threads that have
 *     magazines, every pool's list of magazines and mag->pool. Held only
 *     for list work and for a thread's final flush, never on the
 *     mpl_get()/mpl_put() fast path.
 *  2. dev->lock: the device's list of pools, and each pool's mapping.
 * Nothing takes mpli_lock while holding a dev->lock: the fork handlers take
 * them all in this order, and mpl_pool_create() (which can take long: the
 * kernel allocates every buffer) holds only its dev->lock.
 */
#ifndef LIBMEMPOOL_INTERNAL_H
#define LIBMEMPOOL_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "mempool.h"

/* One thread's magazine for one pool. */
struct mpl_mag {
	/* NULL once the pool's device is closed; written under mpli_lock. */
	struct mpl_pool *_Atomic pool;
	struct mpl_thread *thr;		/* owner */
	struct mpl_mag *pool_prev, *pool_next;	/* on pool->mags, under mpli_lock */
	struct mpl_mag *thr_next;	/* on thr->mags, owner only */
	unsigned int n;			/* ids[0..n) cached; owner only */
	unsigned int fresh;		/* ids[0..fresh) are zero, untouched */
	unsigned int batch;
	/* Owner writes, mpl_pool_counters() reads: relaxed atomics. */
	_Atomic uint64_t gets, puts;
	uint32_t ids[];			/* 2 * batch */
};

/* A thread that has used a magazine; freed by its TLS destructor. */
struct mpl_thread {
	struct mpl_mag *mags;		/* most recently used first */
	struct mpl_thread *prev, *next;	/* on mpl_threads, under mpli_lock */
};

struct mpl_pool {
	struct mpl_dev *dev;
	struct mpl_pool *next;		/* on dev->pools, under dev->lock */
	uint32_t pool_id;
	uint32_t engine;
	uint64_t buf_size;
	/* As last seen by this handle: create, attach or a resize through it. */
	_Atomic uint32_t buf_count;
	/* Ids run below it: mmap_len / buf_size, fixed for the pool's life. */
	uint32_t max_buf_count;
	uint64_t mmap_offset;
	uint64_t mmap_len;
	char name[MPOOL_POOL_NAME_MAX];

	char *_Atomic map;		/* set under dev->lock */

	_Atomic unsigned int batch;	/* fixed once a magazine exists */
	struct mpl_mag *mags;		/* under mpli_lock */
	/*
	 * One bit per buffer id (max_buf_count of them) sitting in some
	 * magazine: catches a buffer put twice, which would otherwise be
	 * handed to two users later.
	 */
	_Atomic unsigned long *cached;

	_Atomic uint64_t lease_calls, release_calls, leased, released;
	/* Folded in from magazines that are gone; under mpli_lock. */
	uint64_t gone_gets, gone_puts;
};

struct mpl_dev {
	int fd;
	pthread_mutex_t lock;
	struct mpl_pool *pools;
	struct mpl_dev *prev, *next;	/* on mpli_devs, under mpli_lock */
};

extern pthread_mutex_t mpli_lock;
extern struct mpl_dev *mpli_devs;

/* device.c */
void mpli_init_once(void);

/* pool.c */
void mpli_pool_free(struct mpl_pool *pool);
void mpli_pool_forget_map(struct mpl_pool *pool);

/* magazine.c: all with mpli_lock held */
void mpli_mags_detach_pool(struct mpl_pool *pool);
void mpli_mags_after_fork_child(void);

/* lease.c: the raw system calls, counted */
int mpli_lease(struct mpl_pool *pool, uint32_t *ids, unsigned int n, unsigned int flags,
		 uint64_t timeout_ns);
int mpli_release(struct mpl_pool *pool, const uint32_t *ids, unsigned int n);

/*
 * Structs with a size field (libbpf's "opts" pattern, see MPL_OPTS() in
 * mempool.h): a caller built against an older, shorter struct passes a
 * smaller sz, and the fields past it read as their default; a caller built
 * against a newer, longer one passes a larger sz, which is fine as long as
 * everything this library does not know is zero.
 */
#define MPLI_OPT_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define MPLI_OPT(opts, field, def) (MPLI_OPT_HAS(opts, field) ? (opts)->field : (def))

/* 0, -EINVAL (sz too small to be real) or -E2BIG (unknown non-zero tail). */
int mpli_opts_check(const void *opts, size_t sz, size_t known);

/* A caller's struct size for a sized ioctl: 0, -EINVAL (below @min) or -E2BIG. */
static inline int mpli_size_check(size_t size, size_t min)
{
	return size < min ? -EINVAL : size > _IOC_SIZEMASK ? -E2BIG : 0;
}

/* The ioctl @cmd with its size field set to @size (the caller's struct). */
static inline unsigned long mpli_ioc_sized(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

#define MPLI_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* table[v] or "unknown"; the index of @name in @table or -EINVAL. */
const char *mpli_table_name(const char *const *table, size_t n, uint32_t v);
int mpli_table_parse(const char *const *table, size_t n, const char *name);

/* Copy at most @size bytes of @src into @dst, zero the rest of @dst. */
void mpli_copy_out(void *dst, size_t dst_size, const void *src, size_t src_size);

static inline unsigned long mpli_bits_word(uint32_t id)
{
	return id / (8 * sizeof(unsigned long));
}

static inline unsigned long mpli_bits_mask(uint32_t id)
{
	return 1UL << (id % (8 * sizeof(unsigned long)));
}

/* Is buffer @id sitting in one of @pool's magazines? */
static inline bool mpli_cached(struct mpl_pool *pool, uint32_t id)
{
	return id < pool->max_buf_count &&
	       (atomic_load_explicit(&pool->cached[mpli_bits_word(id)], memory_order_relaxed) &
		mpli_bits_mask(id));
}

#endif /* LIBMEMPOOL_INTERNAL_H */
