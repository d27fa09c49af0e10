// SPDX-License-Identifier: GPL-2.0
/*
 * mpool-ubench: the userspace ways to get a zeroed, mapped buffer, touch it
 * and give it back, timed inside the benchmark VM.
 *
 *   mmap         anonymous mmap, write one byte per page, munmap
 *   dma_heap     DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system, mmap the
 *                dma-buf, write one byte per page, munmap, close
 *   dev_mempool  MPOOL_IOC_LEASE of one buffer of a pool mapped once, write
 *                one byte per page, MPOOL_IOC_RELEASE
 *   dev_mempool16  the same sixteen buffers at a time (cost per buffer)
 *   libmempool   mpl_get(MPL_ZERO), write one byte per page, mpl_put(): the
 *                library's per-thread magazine over the same pool, zeroing
 *                each buffer as a fresh lease would be
 *   libmempool_reuse  the same without MPL_ZERO: a buffer comes back with
 *                what this process left in it (what the magazine is for)
 *
 * All but libmempool_reuse hand out zeroed memory: mmap and dma_heap by
 * allocating fresh pages and faulting them in, /dev/mempool by zeroing a
 * leased buffer and faulting it into the mapping again after a release
 * revoked it, libmempool by clearing it in userspace.
 *
 *   mpool-ubench KERNEL INIT_ON_ALLOC [OPS]
 *
 * prints BENCH lines in the format of mempool_bench.ko, workload "user", one
 * thread; a subject whose device is missing is skipped with a BENCH-SKIP
 * line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/mempool.h>
#include <mempool.h>

#include "buffers.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define REPS		5
#define BATCH		16
#define POOL_BUFS	64

static const size_t sizes[] = { 4096, 65536 };

struct ctx {
	size_t size;
	long page;
	int heap_fd;
	int dev_fd;
	__u32 pool_id;
	char *base;
	size_t map_len;
	struct mpl_dev *mdev;
	struct mpl_pool *mpool;
};

static int pair_mmap(struct ctx *c)
{
	char *p = mmap(NULL, c->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	touch(p, c->size, c->page);
	return munmap(p, c->size);
}

static int pair_dma_heap(struct ctx *c)
{
	int fd = dma_heap_touched(c->heap_fd, c->size, c->page);

	return fd < 0 || close(fd);
}

static int lease_release(struct ctx *c, unsigned int n)
{
	__u32 ids[BATCH];
	struct mpool_lease l = {
		.pool_id = c->pool_id,
		.count = n,
		.ids = (__u64)(unsigned long)ids,
	};
	struct mpool_release r = {
		.pool_id = c->pool_id,
		.count = n,
		.ids = (__u64)(unsigned long)ids,
	};
	unsigned int i;

	if (ioctl(c->dev_fd, MPOOL_IOC_LEASE, &l))
		return -1;
	for (i = 0; i < n; i++)
		touch(c->base + (size_t)ids[i] * c->size, c->size, c->page);
	return ioctl(c->dev_fd, MPOOL_IOC_RELEASE, &r);
}

static int pair_dev_mempool(struct ctx *c)
{
	return lease_release(c, 1);
}

static int pair_dev_mempool16(struct ctx *c)
{
	return lease_release(c, BATCH);
}

static int lib_pair(struct ctx *c, unsigned int flags)
{
	__u32 id;
	char *p;

	if (mpl_get(c->mpool, &id, flags))
		return -1;
	p = mpl_buf(c->mpool, id);
	if (!p)
		return -1;
	touch(p, c->size, c->page);
	return mpl_put(c->mpool, id);
}

static int pair_libmempool(struct ctx *c)
{
	return lib_pair(c, MPL_ZERO);
}

static int pair_libmempool_reuse(struct ctx *c)
{
	return lib_pair(c, 0);
}

static int lib_setup(struct ctx *c)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpl_pool_config cfg = {
		.name = name,
		.engine = MPOOL_ENG_PERCPU,
		.buf_size = c->size,
		.buf_count = POOL_BUFS,
		.node = -1,
	};

	snprintf(name, sizeof(name), "ubench-lib%zu", c->size);
	if (mpl_open(NULL, &c->mdev))
		return -1;
	if (mpl_pool_create(c->mdev, &cfg, &c->mpool) ||
	    mpl_map(c->mpool, NULL)) {
		mpl_close(c->mdev);
		c->mdev = NULL;
		return -1;
	}
	return 0;
}

static void lib_teardown(struct ctx *c)
{
	if (!c->mdev)
		return;
	mpl_flush(c->mpool);
	mpl_pool_destroy(c->mpool);
	mpl_close(c->mdev);
}

static int dev_setup(struct ctx *c)
{
	struct mpool_pool_create pc = {
		.engine = MPOOL_ENG_PERCPU,
		.buf_size = c->size,
		.buf_count = POOL_BUFS,
	};
	void *p;

	c->dev_fd = open(MPOOL_DEVICE, O_RDWR | O_CLOEXEC);
	if (c->dev_fd < 0)
		return -1;
	snprintf(pc.name, sizeof(pc.name), "ubench%zu", c->size);
	if (ioctl(c->dev_fd, MPOOL_IOC_POOL_CREATE, &pc))
		goto fail;
	p = mmap(NULL, pc.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 c->dev_fd, pc.mmap_offset);
	if (p == MAP_FAILED)
		goto fail;
	c->pool_id = pc.pool_id;
	c->base = p;
	c->map_len = pc.mmap_len;
	return 0;
fail:
	close(c->dev_fd);
	c->dev_fd = -1;
	return -1;
}

/* Pools outlive their session until destroyed: leave none behind. */
static void dev_teardown(struct ctx *c)
{
	struct mpool_pool_destroy pd = { .pool_id = c->pool_id };

	if (c->dev_fd < 0)
		return;
	munmap(c->base, c->map_len);
	ioctl(c->dev_fd, MPOOL_IOC_POOL_DESTROY, &pd);
	close(c->dev_fd);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over REPS runs of ns per buffer, after a warm-up run. */
static int measure(int (*pair)(struct ctx *), struct ctx *c, unsigned long ops,
		   unsigned int per_call, double *ns)
{
	double t[REPS], t0;
	unsigned long i;
	int r;

	for (r = -1; r < REPS; r++) {
		t0 = now_ns();
		for (i = 0; i < ops; i++)
			if (pair(c))
				return -1;
		if (r >= 0)
			t[r] = (now_ns() - t0) / ops / per_call;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_double);
	*ns = t[REPS / 2];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*pair)(struct ctx *c);
		unsigned int per_call;
	} subj[] = {
		{ "mmap", pair_mmap, 1 },
		{ "dma_heap", pair_dma_heap, 1 },
		{ "dev_mempool", pair_dev_mempool, 1 },
		{ "dev_mempool16", pair_dev_mempool16, BATCH },
		{ "libmempool", pair_libmempool, 1 },
		{ "libmempool_reuse", pair_libmempool_reuse, 1 },
	};
	unsigned long ops = 2000;
	unsigned int s, z;
	double ns = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (argc < 3)
		return fprintf(stderr, "usage: mpool-ubench KERNEL INIT_ON_ALLOC [OPS]\n"), 2;
	if (argc > 3)
		ops = strtoul(argv[3], NULL, 0);
	for (z = 0; z < ARRAY_SIZE(sizes); z++) {
		struct ctx c = { .size = sizes[z], .page = sysconf(_SC_PAGESIZE),
				 .heap_fd = -1, .dev_fd = -1 };
		const char *why;

		c.heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
		dev_setup(&c);
		lib_setup(&c);
		for (s = 0; s < ARRAY_SIZE(subj); s++) {
			unsigned long n = ops / subj[s].per_call;

			why = NULL;
			if (subj[s].pair == pair_dma_heap && c.heap_fd < 0)
				why = "no /dev/dma_heap/system";
			if ((subj[s].pair == pair_dev_mempool ||
			     subj[s].pair == pair_dev_mempool16) && c.dev_fd < 0)
				why = "no /dev/mempool pools";
			if ((subj[s].pair == pair_libmempool ||
			     subj[s].pair == pair_libmempool_reuse) && !c.mdev)
				why = "no libmempool pool";
			if (!why && measure(subj[s].pair, &c, n ? n : 1,
					    subj[s].per_call, &ns))
				why = strerror(errno);
			if (why) {
				printf("BENCH-SKIP,user,%s,%zu,%s\n", subj[s].name,
				       c.size, why);
				continue;
			}
			printf("BENCH,%s,%ld,%s,user,%s,%zu,%.1f,%.3f,1,%d,0\n",
			       argv[1], cpus, argv[2], subj[s].name, c.size, ns,
			       1e3 / ns, REPS);
			fflush(stdout);
		}
		if (c.heap_fd >= 0)
			close(c.heap_fd);
		lib_teardown(&c);
		dev_teardown(&c);
	}
	return 0;
}
