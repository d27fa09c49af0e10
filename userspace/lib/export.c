// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A leased buffer out of the session as a dma-buf, and back: one
 * MPOOL_IOC_EXPORT or MPOOL_IOC_IMPORT each. Neither is a lease or a
 * release, so the counters of mpl_pool_counters() do not move.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

int mpl_export(struct mpl_pool *pool, uint32_t id, unsigned int flags, int *fdp)
{
	struct mpool_export x = { .pool_id = pool->pool_id, .buf_id = id, .flags = flags };

	if (flags & ~(MPL_EXPORT_RDONLY | MPL_EXPORT_NOCLOEXEC) || !fdp)
		return -EINVAL;
	/* A buffer in a magazine would be handed out again while the dma-buf has it. */
	if (mpli_cached(pool, id))
		return -EINVAL;
	if (ioctl(pool->dev->fd, MPOOL_IOC_EXPORT, &x))
		return -errno;
	*fdp = x.fd;
	return 0;
}

int mpl_import(struct mpl_pool *pool, int fd, uint32_t *idp)
{
	struct mpool_import m = { .pool_id = pool->pool_id, .fd = fd };

	if (!idp)
		return -EINVAL;
	if (ioctl(pool->dev->fd, MPOOL_IOC_IMPORT, &m))
		return -errno;
	*idp = m.buf_id;
	return 0;
}
