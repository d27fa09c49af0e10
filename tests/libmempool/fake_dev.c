// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace stand-in for /dev/mempool, so that libmempool can run under
 * ThreadSanitizer on the build machine (sanitizers need a dynamic binary,
 * which the VM's busybox initramfs cannot run).
 *
 * The program is linked with -Wl,--wrap= for open, close, ioctl and mmap:
 * the library's calls on FAKE_DEVICE land here, every other call goes to
 * the C library. Enough of the UAPI is implemented for the library, with
 * the kernel's rules where they matter to it: all-or-nothing leases and
 * releases, EAGAIN/EDQUOT/EIDRM, blocking leases, a session's leases
 * returned when it closes. After every call it checks its own books
 * (free + leased == count, in every pool). One mutex serializes it all,
 * ordering calls the way the kernel's locks would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mempool.h>

#include "fake_dev.h"

#define MAX_FD		1024
#define MAX_POOLS	32

struct fpool {
	char name[MPOOL_POOL_NAME_MAX];
	bool used, dead;
	uint32_t engine, nbufs, nr_free, nr_sessions;
	uint64_t buf_size, leases, releases;
	int *holder;		/* fd of the session leasing it, or -1 */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static struct fpool pools[MAX_POOLS];
static bool is_session[MAX_FD];
static bool attached[MAX_FD][MAX_POOLS];
static unsigned long violations;

int __real_open(const char *path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

unsigned long fake_violations(void)
{
	unsigned long v;

	pthread_mutex_lock(&lock);
	v = violations;
	pthread_mutex_unlock(&lock);
	return v;
}

static bool session(int fd)
{
	return fd >= 0 && fd < MAX_FD && is_session[fd];
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strcmp(path, FAKE_DEVICE))
		return __real_open(path, flags, mode);
	/* A real descriptor, so that its number is ours until closed. */
	fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= MAX_FD) {
		__real_close(fd);
		errno = EMFILE;
		return -1;
	}
	if (fd >= 0) {
		pthread_mutex_lock(&lock);
		is_session[fd] = true;
		pthread_mutex_unlock(&lock);
	}
	return fd;
}

/* With the lock held: @fd's session ends, its leases go back. */
static void end_session(int fd)
{
	uint32_t p, i;

	for (p = 0; p < MAX_POOLS; p++) {
		if (!attached[fd][p])
			continue;
		for (i = 0; i < pools[p].nbufs; i++) {
			if (pools[p].holder[i] == fd) {
				pools[p].holder[i] = -1;
				pools[p].nr_free++;
				pools[p].releases++;
			}
		}
		attached[fd][p] = false;
		pools[p].nr_sessions--;
	}
	is_session[fd] = false;
	pthread_cond_broadcast(&freed);
}

int __wrap_close(int fd)
{
	pthread_mutex_lock(&lock);
	if (session(fd))
		end_session(fd);
	pthread_mutex_unlock(&lock);
	return __real_close(fd);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!session(fd))
		return __real_mmap(addr, len, prot, flags, fd, off);
	/* Private memory: enough for a lessee to write and read its buffers. */
	return __real_mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int create(int fd, struct mpool_pool_create *c)
{
	uint32_t p, i;

	for (p = 0; p < MAX_POOLS; p++) {
		if (pools[p].used && !pools[p].dead && !strncmp(pools[p].name, c->name, 24))
			return -EEXIST;
	}
	for (p = 0; p < MAX_POOLS && pools[p].used; p++)
		;
	if (p == MAX_POOLS)
		return -ENOSPC;
	free(pools[p].holder);
	memset(&pools[p], 0, sizeof(pools[p]));
	pools[p].holder = malloc(c->buf_count * sizeof(int));
	for (i = 0; i < c->buf_count; i++)
		pools[p].holder[i] = -1;
	memcpy(pools[p].name, c->name, sizeof(pools[p].name));
	pools[p].used = true;
	pools[p].engine = c->engine;
	pools[p].nbufs = pools[p].nr_free = c->buf_count;
	pools[p].buf_size = c->buf_size;
	pools[p].nr_sessions = 1;
	attached[fd][p] = true;
	c->pool_id = p + 1;
	c->mmap_offset = (uint64_t)(p + 1) << 32;
	c->mmap_len = c->buf_size * c->buf_count;
	return 0;
}

static int attach(int fd, struct mpool_pool_attach *a)
{
	uint32_t p;

	for (p = 0; p < MAX_POOLS; p++) {
		if (!pools[p].used || pools[p].dead || strncmp(pools[p].name, a->name, 24))
			continue;
		if (attached[fd][p])
			return -EEXIST;
		attached[fd][p] = true;
		pools[p].nr_sessions++;
		a->pool_id = p + 1;
		a->buf_size = pools[p].buf_size;
		a->buf_count = pools[p].nbufs;
		a->engine = pools[p].engine;
		a->mmap_offset = (uint64_t)(p + 1) << 32;
		a->mmap_len = a->buf_size * a->buf_count;
		return 0;
	}
	return -ENOENT;
}

static struct fpool *pool_of(int fd, uint32_t id)
{
	if (!id || id > MAX_POOLS || !attached[fd][id - 1])
		return NULL;
	return &pools[id - 1];
}

static uint32_t nr_held(struct fpool *fp, int fd)
{
	uint32_t i, n = 0;

	for (i = 0; i < fp->nbufs; i++)
		n += fp->holder[i] == fd;
	return n;
}

static int lease(int fd, struct mpool_lease *l)
{
	struct fpool *fp = pool_of(fd, l->pool_id);
	uint32_t *ids = (uint32_t *)(uintptr_t)l->ids, i, n = 0;

	if (!fp)
		return -ENOENT;
	if (!l->count || l->flags & ~MPOOL_LEASE_F_WAIT)
		return -EINVAL;
	if (l->count > fp->nbufs || l->count > MPOOL_BATCH_MAX)
		return -E2BIG;
	while (!fp->dead && fp->nr_free < l->count) {
		if (!(l->flags & MPOOL_LEASE_F_WAIT))
			return -EAGAIN;
		pthread_cond_wait(&freed, &lock);
	}
	if (fp->dead)
		return -EIDRM;
	for (i = 0; n < l->count; i++) {
		if (fp->holder[i] == -1) {
			fp->holder[i] = fd;
			ids[n++] = i;
		}
	}
	fp->nr_free -= n;
	fp->leases += n;
	return 0;
}

static int release(int fd, struct mpool_release *r)
{
	struct fpool *fp = pool_of(fd, r->pool_id);
	const uint32_t *ids = (const uint32_t *)(uintptr_t)r->ids;
	uint32_t i, j;

	if (!fp)
		return -ENOENT;
	if (!r->count || r->flags)
		return -EINVAL;
	if (r->count > fp->nbufs || r->count > MPOOL_BATCH_MAX)
		return -E2BIG;
	for (i = 0; i < r->count; i++) {
		if (ids[i] >= fp->nbufs || fp->holder[ids[i]] != fd)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (ids[j] == ids[i])
				return -EINVAL;
		}
	}
	for (i = 0; i < r->count; i++)
		fp->holder[ids[i]] = -1;
	fp->nr_free += r->count;
	fp->releases += r->count;
	pthread_cond_broadcast(&freed);
	return 0;
}

static int handle(int fd, unsigned long req, void *arg)
{
	struct mpool_pool_stats *st = arg;
	struct fpool *fp;

	switch (req) {
	case MPOOL_IOC_INFO:
		((struct mpool_info *)arg)->api_version = MPOOL_API_VERSION;
		return 0;
	case MPOOL_IOC_POOL_CREATE:
		return create(fd, arg);
	case MPOOL_IOC_POOL_ATTACH:
		return attach(fd, arg);
	case MPOOL_IOC_POOL_DESTROY:
		fp = pool_of(fd, ((struct mpool_pool_destroy *)arg)->pool_id);
		if (!fp)
			return -ENOENT;
		if (fp->dead)
			return -EIDRM;
		fp->dead = true;
		pthread_cond_broadcast(&freed);
		return 0;
	case MPOOL_IOC_LEASE:
		return lease(fd, arg);
	case MPOOL_IOC_RELEASE:
		return release(fd, arg);
	case MPOOL_IOC_POOL_STATS:
		fp = pool_of(fd, st->pool_id);
		if (!fp)
			return -ENOENT;
		st->buf_size = fp->buf_size;
		st->buf_count = fp->nbufs;
		st->engine = fp->engine;
		st->nr_free = fp->nr_free;
		st->nr_leased = fp->nbufs - fp->nr_free;
		st->nr_mine = nr_held(fp, fd);
		st->nr_sessions = fp->nr_sessions;
		st->state = fp->dead ? MPOOL_STATE_DESTROYED : 0;
		st->leases = fp->leases;
		st->releases = fp->releases;
		memcpy(st->name, fp->name, sizeof(st->name));
		return 0;
	}
	return -ENOTTY;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_mutex_lock(&lock);
	if (!session(fd)) {
		pthread_mutex_unlock(&lock);
		return __real_ioctl(fd, req, arg);
	}
	ret = handle(fd, req, arg);
	/* Internal consistency: free + leased == count, in every pool. */
	for (uint32_t p = 0; p < MAX_POOLS; p++) {
		if (pools[p].used && pools[p].leases - pools[p].releases !=
		    pools[p].nbufs - pools[p].nr_free)
			violations++;
	}
	pthread_mutex_unlock(&lock);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}
