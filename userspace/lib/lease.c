// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Leases straight to the kernel: one MPOOL_IOC_LEASE or MPOOL_IOC_RELEASE
 * per call. Every such system call the library makes, for the program or
 * for a magazine, goes through here and is counted, so that a program (or
 * a test) can check the magazines' batching against the kernel's totals.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

int mpli_lease(struct mpl_pool *pool, uint32_t *ids, unsigned int n, unsigned int flags,
		 uint64_t timeout_ns)
{
	struct mpool_lease l = {
		.pool_id = pool->pool_id,
		.flags = flags & MPL_WAIT ? MPOOL_LEASE_F_WAIT : 0,
		.count = n,
		.ids = (uintptr_t)ids,
		.timeout_ns = timeout_ns,
	};
	int err;

	err = ioctl(pool->dev->fd, MPOOL_IOC_LEASE, &l) ? -errno : 0;
	atomic_fetch_add_explicit(&pool->lease_calls, 1, memory_order_relaxed);
	if (!err)
		atomic_fetch_add_explicit(&pool->leased, n, memory_order_relaxed);
	return err;
}

int mpli_release(struct mpl_pool *pool, const uint32_t *ids, unsigned int n)
{
	struct mpool_release r = {
		.pool_id = pool->pool_id,
		.count = n,
		.ids = (uintptr_t)ids,
	};
	int err;

	err = ioctl(pool->dev->fd, MPOOL_IOC_RELEASE, &r) ? -errno : 0;
	atomic_fetch_add_explicit(&pool->release_calls, 1, memory_order_relaxed);
	if (!err)
		atomic_fetch_add_explicit(&pool->released, n, memory_order_relaxed);
	return err;
}

int mpl_lease(struct mpl_pool *pool, uint32_t *ids, unsigned int n, unsigned int flags,
	      uint64_t timeout_ns)
{
	if (flags & ~MPL_WAIT)
		return -EINVAL;
	return mpli_lease(pool, ids, n, flags, timeout_ns);
}

int mpl_release(struct mpl_pool *pool, const uint32_t *ids, unsigned int n)
{
	unsigned int i;

	/*
	 * A buffer sitting in a magazine would be handed out again after the
	 * kernel took it back: refuse, all or nothing like the kernel.
	 */
	for (i = 0; i < n; i++) {
		if (mpli_cached(pool, ids[i]))
			return -EINVAL;
	}
	return mpli_release(pool, ids, n);
}
