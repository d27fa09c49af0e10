// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sessions: opening and closing /dev/mempool, the info ioctl, and keeping
 * the library consistent across fork().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

pthread_mutex_t mpli_lock = PTHREAD_MUTEX_INITIALIZER;
struct mpl_dev *mpli_devs;

/*
 * A fork() while another thread holds one of our locks would leave the
 * child with a lock nobody will ever release: take them all first.
 */
static void mpl_fork_prepare(void)
{
	struct mpl_dev *dev;

	pthread_mutex_lock(&mpli_lock);
	for (dev = mpli_devs; dev; dev = dev->next)
		pthread_mutex_lock(&dev->lock);
}

static void mpl_fork_parent(void)
{
	struct mpl_dev *dev;

	for (dev = mpli_devs; dev; dev = dev->next)
		pthread_mutex_unlock(&dev->lock);
	pthread_mutex_unlock(&mpli_lock);
}

/*
 * The child shares the session but not the mappings (VM_DONTCOPY), and
 * must never hand out or release the buffers in the parent's magazines:
 * they are the parent's to use.
 */
static void mpl_fork_child(void)
{
	struct mpl_dev *dev;
	struct mpl_pool *pool;

	mpli_mags_after_fork_child();
	for (dev = mpli_devs; dev; dev = dev->next) {
		for (pool = dev->pools; pool; pool = pool->next)
			mpli_pool_forget_map(pool);
		pthread_mutex_unlock(&dev->lock);
	}
	pthread_mutex_unlock(&mpli_lock);
}

static pthread_once_t mpl_once = PTHREAD_ONCE_INIT;

static void mpl_init(void)
{
	pthread_atfork(mpl_fork_prepare, mpl_fork_parent, mpl_fork_child);
}

void mpli_init_once(void)
{
	pthread_once(&mpl_once, mpl_init);
}

int mpl_open_flags(const char *path, unsigned int flags, struct mpl_dev **devp)
{
	struct mpl_dev *dev;
	int err;

	if (flags & ~MPL_OPEN_RDONLY)
		return -EINVAL;
	mpli_init_once();
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(path ? path : MPOOL_DEVICE,
		       (flags & MPL_OPEN_RDONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (dev->fd < 0) {
		err = -errno;
		free(dev);
		return err;
	}
	pthread_mutex_init(&dev->lock, NULL);

	pthread_mutex_lock(&mpli_lock);
	dev->next = mpli_devs;
	if (mpli_devs)
		mpli_devs->prev = dev;
	mpli_devs = dev;
	pthread_mutex_unlock(&mpli_lock);
	*devp = dev;
	return 0;
}

int mpl_open(const char *path, struct mpl_dev **devp)
{
	return mpl_open_flags(path, 0, devp);
}

int mpl_close(struct mpl_dev *dev)
{
	struct mpl_pool *pool, *next;
	int err = 0;

	if (!dev)
		return 0;
	pthread_mutex_lock(&mpli_lock);
	if (dev->prev)
		dev->prev->next = dev->next;
	else
		mpli_devs = dev->next;
	if (dev->next)
		dev->next->prev = dev->prev;
	/* Other threads' magazines outlive the pools: cut them loose. */
	for (pool = dev->pools; pool; pool = pool->next)
		mpli_mags_detach_pool(pool);
	pthread_mutex_unlock(&mpli_lock);

	/* Every mapping holds the session open: unmap before closing. */
	for (pool = dev->pools; pool; pool = next) {
		next = pool->next;
		mpli_pool_free(pool);
	}
	if (close(dev->fd))
		err = -errno;
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	return err;
}

int mpl_fd(const struct mpl_dev *dev)
{
	return dev->fd;
}

int mpl_info_size(struct mpl_dev *dev, struct mpool_info *info, size_t size)
{
	int err = mpli_size_check(size, MPOOL_INFO_SIZE_VER0);

	if (err)
		return err;
	/* The kernel writes what it knows, up to @size, and wants the rest zero. */
	memset(info, 0, size);
	return ioctl(dev->fd, mpli_ioc_sized(MPOOL_IOC_INFO, size), info) ? -errno : 0;
}

/*
 * The entry point of programs built before mpl_info() became a macro that
 * passes its struct's size: the first version's fields and no more.
 */
int (mpl_info)(struct mpl_dev *dev, struct mpool_info *info)
{
	return mpl_info_size(dev, info, MPOOL_INFO_SIZE_VER0);
}

int mpl_pool_list(struct mpl_dev *dev, struct mpool_pool_entry *entries, size_t entry_size,
		  unsigned int *count, unsigned int *total)
{
	struct mpool_pool_list l = {
		.entry_size = entry_size,
		.entries = (uint64_t)(uintptr_t)entries,
		.count = *count,
	};

	if (entry_size > UINT32_MAX)
		return -EINVAL;
	if (ioctl(dev->fd, MPOOL_IOC_POOL_LIST, &l))
		return -errno;
	*count = l.count;
	if (total)
		*total = l.total;
	return 0;
}
