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

const char *mpl_engine_name(uint32_t engine)
{
	return engine < sizeof(mpl_engines) / sizeof(mpl_engines[0]) ?
		mpl_engines[engine] : "unknown";
}

int mpl_engine_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(mpl_engines) / sizeof(mpl_engines[0]); i++) {
		if (!strcmp(name, mpl_engines[i]))
			return i;
	}
	return -EINVAL;
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
	unsigned long words = (pool->buf_count + 8 * sizeof(long) - 1) / (8 * sizeof(long));
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

int mpl_pool_create(struct mpl_dev *dev, const struct mpl_pool_config *cfg,
		    struct mpl_pool **poolp)
{
	struct mpool_pool_create c = {
		.engine = cfg->engine,
		.buf_size = cfg->buf_size,
		.buf_count = cfg->buf_count,
	};
	struct mpool_pool_destroy d = { 0 };
	struct mpl_pool *pool;
	int err;

	err = mpl_name_copy(c.name, cfg->name);
	if (err)
		return err;
	if (cfg->flags & ~MPL_POOL_SESSION)
		return -EINVAL;
	c.flags = cfg->flags;
	if (cfg->node >= 0) {
		c.flags |= MPOOL_CREATE_F_NODE;
		c.node = cfg->node;
	}
	pool = mpl_pool_new(dev, c.name);
	if (!pool)
		return -ENOMEM;

	pthread_mutex_lock(&dev->lock);
	if (ioctl(dev->fd, MPOOL_IOC_POOL_CREATE, &c)) {
		err = -errno;
		goto fail;
	}
	pool->pool_id = c.pool_id;
	pool->engine = c.engine;
	pool->buf_size = c.buf_size;
	pool->buf_count = c.buf_count;
	pool->mmap_offset = c.mmap_offset;
	pool->mmap_len = c.mmap_len;
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
	pool->pool_id = a.pool_id;
	pool->engine = a.engine;
	pool->buf_size = a.buf_size;
	pool->buf_count = a.buf_count;
	pool->mmap_offset = a.mmap_offset;
	pool->mmap_len = a.mmap_len;
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

int mpl_pool_stats(struct mpl_pool *pool, struct mpool_pool_stats *st)
{
	*st = (struct mpool_pool_stats){ .pool_id = pool->pool_id };
	return ioctl(pool->dev->fd, MPOOL_IOC_POOL_STATS, st) ? -errno : 0;
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
	return pool->buf_count;
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

	if (id >= pool->buf_count) {
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
