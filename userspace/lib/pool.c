// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pools: create, attach, destroy, stats, and the mapping of a pool's
 * window into the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

/* Magazines strand buffers: keep a thread's share small against the pool. */
#define MPL_BATCH_DEFAULT_MAX	32U
#define MPL_BATCH_DEFAULT_DIV	16U

static const char *const mpl_engines[] = {
	[MPOOL_ENG_PERCPU] = "percpu",
	[MPOOL_ENG_RING] = "ring",
	[MPOOL_ENG_LOCKFREE] = "lockfree",
};

static const char *const mpl_accesses[] = {
	[MPOOL_ACCESS_OWNER] = "owner",
	[MPOOL_ACCESS_GROUP] = "group",
	[MPOOL_ACCESS_ALL] = "all",
};

const char *mpli_table_name(const char *const *table, size_t n, uint32_t v)
{
	return v < n && table[v] ? table[v] : "unknown";
}

int mpli_table_parse(const char *const *table, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (table[i] && !strcmp(name, table[i]))
			return i;
	}
	return -EINVAL;
}

const char *mpl_engine_name(uint32_t engine)
{
	return mpli_table_name(mpl_engines, MPLI_ARRAY_SIZE(mpl_engines), engine);
}

int mpl_engine_parse(const char *name)
{
	return mpli_table_parse(mpl_engines, MPLI_ARRAY_SIZE(mpl_engines), name);
}

const char *mpl_access_name(uint32_t access)
{
	return mpli_table_name(mpl_accesses, MPLI_ARRAY_SIZE(mpl_accesses), access);
}

int mpl_access_parse(const char *name)
{
	return mpli_table_parse(mpl_accesses, MPLI_ARRAY_SIZE(mpl_accesses), name);
}

int mpli_opts_check(const void *opts, size_t sz, size_t known)
{
	const unsigned char *p = opts;

	if (sz < sizeof(size_t))
		return -EINVAL;
	for (; sz > known; sz--) {
		if (p[sz - 1])
			return -E2BIG;
	}
	return 0;
}

void mpli_copy_out(void *dst, size_t dst_size, const void *src, size_t src_size)
{
	size_t n = dst_size < src_size ? dst_size : src_size;

	memcpy(dst, src, n);
	memset((char *)dst + n, 0, dst_size - n);
}

/* The kernel wants the name NUL-padded in a fixed field. */
static int mpl_name_copy(char dst[MPOOL_POOL_NAME_MAX], const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (!len || len >= MPOOL_POOL_NAME_MAX)
		return -EINVAL;
	memset(dst, 0, MPOOL_POOL_NAME_MAX);
	memcpy(dst, name, len);
	return 0;
}

static struct mpl_pool *mpl_pool_new(struct mpl_dev *dev, const char *name)
{
	struct mpl_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->dev = dev;
	memcpy(pool->name, name, MPOOL_POOL_NAME_MAX);
	pool->name[MPOOL_POOL_NAME_MAX - 1] = 0;
	return pool;
}

/* Called with dev->lock held, once the kernel told us the shape. */
static int mpl_pool_link(struct mpl_dev *dev, struct mpl_pool *pool)
{
	unsigned long words = (pool->max_buf_count + 8 * sizeof(long) - 1) / (8 * sizeof(long));
	unsigned int batch = pool->buf_count / MPL_BATCH_DEFAULT_DIV;

	pool->cached = calloc(words, sizeof(long));
	if (!pool->cached)
		return -ENOMEM;
	if (batch > MPL_BATCH_DEFAULT_MAX)
		batch = MPL_BATCH_DEFAULT_MAX;
	pool->batch = batch ? batch : 1;
	pool->next = dev->pools;
	dev->pools = pool;
	return 0;
}

/* From the kernel's reply to create or attach. */
static void mpl_pool_shape(struct mpl_pool *pool, uint32_t pool_id, uint32_t engine,
			   uint64_t buf_size, uint32_t buf_count, uint64_t mmap_offset,
			   uint64_t mmap_len)
{
	uint64_t max = buf_size ? mmap_len / buf_size : buf_count;

	pool->pool_id = pool_id;
	pool->engine = engine;
	pool->buf_size = buf_size;
	atomic_store_explicit(&pool->buf_count, buf_count, memory_order_relaxed);
	/* mmap_len covers max_buf_count buffers (buf_count before resizing). */
	pool->max_buf_count = max < buf_count ? buf_count : max > UINT32_MAX ? UINT32_MAX : max;
	pool->mmap_offset = mmap_offset;
	pool->mmap_len = mmap_len;
}

int mpl_pool_create_opts(struct mpl_dev *dev, const char *name, uint32_t engine,
			 uint64_t buf_size, uint32_t buf_count, const struct mpl_pool_opts *opts,
			 struct mpl_pool **poolp)
{
	struct mpool_pool_create c = {
		.engine = engine,
		.buf_size = buf_size,
		.buf_count = buf_count,
		.flags = MPLI_OPT(opts, flags, 0),
		.access = MPLI_OPT(opts, access, MPOOL_ACCESS_OWNER),
		.max_buf_count = MPLI_OPT(opts, max_buf_count, 0),
	};
	struct mpool_pool_destroy d = { 0 };
	struct mpl_pool *pool;
	int err;

	if (opts) {
		err = mpli_opts_check(opts, opts->sz, sizeof(*opts));
		if (err)
			return err;
	}
	err = mpl_name_copy(c.name, name);
	if (err)
		return err;
	if (c.flags & ~(MPL_POOL_SESSION | MPL_POOL_NODE | MPL_POOL_HUGE))
		return -EINVAL;
	if (c.flags & MPL_POOL_NODE)
		c.node = MPLI_OPT(opts, node, 0);
	pool = mpl_pool_new(dev, c.name);
	if (!pool)
		return -ENOMEM;

	pthread_mutex_lock(&dev->lock);
	if (ioctl(dev->fd, MPOOL_IOC_POOL_CREATE, &c)) {
		err = -errno;
		/* A module before MPOOL_FEAT_ACCESS/CONFIG: the new fields are its tail. */
		if (err == -E2BIG && (c.access || c.max_buf_count))
			err = -EOPNOTSUPP;
		goto fail;
	}
	mpl_pool_shape(pool, c.pool_id, c.engine, c.buf_size, c.buf_count, c.mmap_offset,
		       c.mmap_len);
	err = mpl_pool_link(dev, pool);
	if (err) {
		/* Nobody else knows the pool yet: take it down again. */
		d.pool_id = c.pool_id;
		ioctl(dev->fd, MPOOL_IOC_POOL_DESTROY, &d);
		goto fail;
	}
	pthread_mutex_unlock(&dev->lock);
	*poolp = pool;
	return 0;

fail:
	pthread_mutex_unlock(&dev->lock);
	free(pool);
	return err;
}

int mpl_pool_create(struct mpl_dev *dev, const struct mpl_pool_config *cfg,
		    struct mpl_pool **poolp)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = cfg->flags, .node = cfg->node);

	if (cfg->flags & ~MPL_POOL_SESSION)
		return -EINVAL;
	if (cfg->node >= 0)
		opts.flags |= MPL_POOL_NODE;
	return mpl_pool_create_opts(dev, cfg->name, cfg->engine, cfg->buf_size, cfg->buf_count,
				    &opts, poolp);
}

/* The session's handle on the live pool called @name, if it has one. */
static struct mpl_pool *mpl_pool_find_live(struct mpl_dev *dev, const char *name)
{
	struct mpool_pool_stats st;
	struct mpl_pool *pool;

	for (pool = dev->pools; pool; pool = pool->next) {
		if (strncmp(pool->name, name, MPOOL_POOL_NAME_MAX))
			continue;
		st = (struct mpool_pool_stats){ .pool_id = pool->pool_id };
		if (!ioctl(dev->fd, MPOOL_IOC_POOL_STATS, &st) &&
		    !(st.state & MPOOL_STATE_DESTROYED))
			return pool;
	}
	return NULL;
}

int mpl_pool_attach(struct mpl_dev *dev, const char *name, struct mpl_pool **poolp)
{
	struct mpool_pool_attach a = { 0 };
	struct mpl_pool *pool;
	int err;

	err = mpl_name_copy(a.name, name);
	if (err)
		return err;
	pool = mpl_pool_new(dev, a.name);
	if (!pool)
		return -ENOMEM;

	pthread_mutex_lock(&dev->lock);
	if (ioctl(dev->fd, MPOOL_IOC_POOL_ATTACH, &a)) {
		err = -errno;
		if (err == -EEXIST) {
			struct mpl_pool *old = mpl_pool_find_live(dev, a.name);

			if (old) {
				pthread_mutex_unlock(&dev->lock);
				free(pool);
				*poolp = old;
				return 0;
			}
		}
		goto fail;
	}
	mpl_pool_shape(pool, a.pool_id, a.engine, a.buf_size, a.buf_count, a.mmap_offset,
		       a.mmap_len);
	/* An attachment cannot be undone; on failure it just stays unused. */
	err = mpl_pool_link(dev, pool);
	if (err)
		goto fail;
	pthread_mutex_unlock(&dev->lock);
	*poolp = pool;
	return 0;

fail:
	pthread_mutex_unlock(&dev->lock);
	free(pool);
	return err;
}

int mpl_pool_destroy(struct mpl_pool *pool)
{
	struct mpool_pool_destroy d = { .pool_id = pool->pool_id };

	return ioctl(pool->dev->fd, MPOOL_IOC_POOL_DESTROY, &d) ? -errno : 0;
}

int mpl_pool_stats_size(struct mpl_pool *pool, struct mpool_pool_stats *st, size_t size)
{
	int err = mpli_size_check(size, MPOOL_POOL_STATS_SIZE_VER0);

	if (err)
		return err;
	/* The kernel fills what it knows and checks that the rest is zero. */
	memset(st, 0, size);
	st->pool_id = pool->pool_id;
	if (ioctl(pool->dev->fd, mpli_ioc_sized(MPOOL_IOC_POOL_STATS, size), st))
		return -errno;
	atomic_store_explicit(&pool->buf_count, st->buf_count, memory_order_relaxed);
	return 0;
}

/*
 * The entry point of programs built before mpl_pool_stats() became a macro
 * that passes its struct's size: they may have any struct from the first
 * version on, so they get the first version's fields and no more.
 */
int (mpl_pool_stats)(struct mpl_pool *pool, struct mpool_pool_stats *st)
{
	return mpl_pool_stats_size(pool, st, MPOOL_POOL_STATS_SIZE_VER0);
}

const char *mpl_pool_name(const struct mpl_pool *pool)
{
	return pool->name;
}

uint64_t mpl_pool_buf_size(const struct mpl_pool *pool)
{
	return pool->buf_size;
}

uint32_t mpl_pool_buf_count(const struct mpl_pool *pool)
{
	return atomic_load_explicit(&pool->buf_count, memory_order_relaxed);
}

uint32_t mpl_pool_max_buf_count(const struct mpl_pool *pool)
{
	return pool->max_buf_count;
}

uint32_t mpl_pool_engine(const struct mpl_pool *pool)
{
	return pool->engine;
}

int mpl_map(struct mpl_pool *pool, void **basep)
{
	char *map = atomic_load_explicit(&pool->map, memory_order_acquire);
	int err = 0;

	if (!map) {
		pthread_mutex_lock(&pool->dev->lock);
		map = atomic_load_explicit(&pool->map, memory_order_relaxed);
		if (!map) {
			map = mmap(NULL, pool->mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED,
				   pool->dev->fd, (off_t)pool->mmap_offset);
			if (map == MAP_FAILED) {
				err = -errno;
				map = NULL;
			} else {
				atomic_store_explicit(&pool->map, map, memory_order_release);
			}
		}
		pthread_mutex_unlock(&pool->dev->lock);
	}
	if (basep)
		*basep = map;
	return err;
}

int mpl_unmap(struct mpl_pool *pool)
{
	char *map;
	int err = 0;

	pthread_mutex_lock(&pool->dev->lock);
	map = atomic_exchange_explicit(&pool->map, NULL, memory_order_relaxed);
	if (map && munmap(map, pool->mmap_len))
		err = -errno;
	pthread_mutex_unlock(&pool->dev->lock);
	return err;
}

void *mpl_buf(struct mpl_pool *pool, uint32_t id)
{
	void *map;
	int err;

	if (id >= pool->max_buf_count) {
		errno = EINVAL;
		return NULL;
	}
	err = mpl_map(pool, &map);
	if (err) {
		errno = -err;
		return NULL;
	}
	return (char *)map + (uint64_t)id * pool->buf_size;
}

int64_t mpl_buf_id(const struct mpl_pool *pool, const void *addr)
{
	const char *map = atomic_load_explicit(&pool->map, memory_order_acquire);
	const char *p = addr;

	if (!map || p < map || p >= map + pool->mmap_len)
		return -EINVAL;
	return (p - map) / pool->buf_size;
}

/* fork() child: the kernel did not copy the mapping; map again on demand. */
void mpli_pool_forget_map(struct mpl_pool *pool)
{
	atomic_store_explicit(&pool->map, NULL, memory_order_relaxed);
}

/* mpl_close(): magazines are detached already. */
void mpli_pool_free(struct mpl_pool *pool)
{
	char *map = atomic_load_explicit(&pool->map, memory_order_relaxed);

	if (map)
		munmap(map, pool->mmap_len);
	free((void *)pool->cached);
	free(pool);
}
