// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Running a pool: MPOOL_IOC_POOL_CONFIG (resize, drain, thresholds, access,
 * reading the settings back) and MPOOL_IOC_POOL_EVENTS (a descriptor that
 * delivers struct mpool_event records when a threshold is crossed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* What read() asks the kernel for at most, in records. */
#define MPL_EVENT_READ_MAX	16U


int mpl_pool_configure(struct mpl_pool *pool, struct mpool_pool_config *cfg, size_t size)
{
	int err = mpli_size_check(size, MPOOL_POOL_CONFIG_SIZE_VER0);

	if (err)
		return err;
	cfg->pool_id = pool->pool_id;
	if (ioctl(pool->dev->fd, mpli_ioc_sized(MPOOL_IOC_POOL_CONFIG, size), cfg))
		return -errno;
	if (cfg->buf_count)
		atomic_store_explicit(&pool->buf_count, cfg->buf_count, memory_order_relaxed);
	return 0;
}

/* One POOL_CONFIG with @flags; @cfg has the inputs and receives the outputs. */
static int mpl_config(struct mpl_pool *pool, uint32_t flags, struct mpool_pool_config *cfg)
{
	cfg->flags = flags;
	return mpl_pool_configure(pool, cfg, sizeof(*cfg));
}

int mpl_pool_resize(struct mpl_pool *pool, uint32_t buf_count, uint32_t *nowp)
{
	struct mpool_pool_config cfg = { .buf_count = buf_count };
	int err = mpl_config(pool, MPOOL_CONFIG_F_RESIZE, &cfg);

	if (!err && nowp)
		*nowp = cfg.buf_count;
	return err;
}

int mpl_pool_drain(struct mpl_pool *pool, uint32_t *drainedp)
{
	struct mpool_pool_config cfg = { 0 };
	int err = mpl_config(pool, MPOOL_CONFIG_F_DRAIN, &cfg);

	if (!err && drainedp)
		*drainedp = cfg.drained;
	return err;
}

int mpl_pool_set_access(struct mpl_pool *pool, uint32_t access)
{
	struct mpool_pool_config cfg = { .access = access };

	return mpl_config(pool, MPOOL_CONFIG_F_ACCESS, &cfg);
}

int mpl_pool_set_thresholds(struct mpl_pool *pool, const struct mpl_thresholds *t)
{
	struct mpool_pool_config cfg = {
		.low_watermark = MPLI_OPT(t, low_watermark, 0),
		.high_watermark = MPLI_OPT(t, high_watermark, 0),
		.fail_permille = MPLI_OPT(t, fail_permille, 0),
		.hysteresis = MPLI_OPT(t, hysteresis, 0),
	};
	int err;

	if (!t)
		return -EINVAL;
	err = mpli_opts_check(t, t->sz, sizeof(*t));
	return err ? err : mpl_config(pool, MPOOL_CONFIG_F_THRESHOLDS, &cfg);
}

int mpl_pool_get_thresholds(struct mpl_pool *pool, struct mpl_thresholds *t)
{
	struct mpool_pool_config cfg = { 0 };
	struct mpl_thresholds now = {
		.sz = sizeof(now),
	};
	size_t sz;
	int err;

	if (!t || t->sz < sizeof(size_t))
		return -EINVAL;
	err = mpl_config(pool, 0, &cfg);
	if (err)
		return err;
	now.low_watermark = cfg.low_watermark;
	now.high_watermark = cfg.high_watermark;
	now.fail_permille = cfg.fail_permille;
	now.hysteresis = cfg.hysteresis;
	/* Fill as much as the caller's struct has; it keeps its own sz. */
	sz = t->sz;
	mpli_copy_out(t, sz, &now, sizeof(now));
	t->sz = sz;
	return 0;
}

int mpl_pool_events(struct mpl_pool *pool, int *fdp)
{
	struct mpool_pool_events e = {
		.pool_id = pool->pool_id, .record_size = sizeof(struct mpool_event),
	};

	if (ioctl(pool->dev->fd, MPOOL_IOC_POOL_EVENTS, &e))
		return -errno;
	*fdp = e.fd;
	return 0;
}

int mpl_event_read(int fd, struct mpool_event *ev, size_t ev_size, unsigned int max)
{
	struct mpool_event buf[MPL_EVENT_READ_MAX];
	unsigned int i, n;
	ssize_t len;

	if (ev_size < MPOOL_EVENT_SIZE_VER0 || !max)
		return -EINVAL;
	if (max > MPL_EVENT_READ_MAX)
		max = MPL_EVENT_READ_MAX;
	len = read(fd, buf, max * sizeof(buf[0]));
	if (len < 0)
		return -errno;
	/* Whole records of the size this library asked for (mpl_pool_events()). */
	if (len % sizeof(buf[0]))
		return -EPROTO;
	n = len / sizeof(buf[0]);
	for (i = 0; i < n; i++)
		mpli_copy_out((char *)ev + i * ev_size, ev_size, &buf[i], sizeof(buf[i]));
	return n;
}

static const char *const mpl_events[] = {
	[MPOOL_EVENT_LOW] = "low",
	[MPOOL_EVENT_HIGH] = "high",
	[MPOOL_EVENT_FAIL] = "fail",
	[MPOOL_EVENT_DESTROYED] = "destroyed",
};

const char *mpl_event_name(uint32_t type)
{
	return mpli_table_name(mpl_events, MPLI_ARRAY_SIZE(mpl_events), type);
}
