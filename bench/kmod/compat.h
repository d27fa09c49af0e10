/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels mempool_bench.ko builds for.
 *
 * objpool (lib/objpool.c) arrived in 6.7 and is absent from 6.1; Kbuild
 * defines MPOOL_BENCH_HAVE_OBJPOOL where the kernel has its header. The
 * wrappers keep the benchmark free of #ifdefs: where objpool is missing they
 * fail the set-up, and the benchmark skips the subject.
 */
#ifndef _MPOOL_BENCH_COMPAT_H
#define _MPOOL_BENCH_COMPAT_H

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/types.h>

#ifndef MPOOL_BENCH_HAVE_OBJPOOL
#define MPOOL_BENCH_HAVE_OBJPOOL	0
#endif

#if MPOOL_BENCH_HAVE_OBJPOOL
#include <linux/objpool.h>

struct mpool_bench_objpool {
	struct objpool_head head;
	bool ready;	/* objpool_fini() must only see an initialised head */
};

static inline int mpool_bench_objpool_init(struct mpool_bench_objpool *op,
					   unsigned int nr_objs, size_t size)
{
	int err = objpool_init(&op->head, nr_objs, size, GFP_KERNEL, NULL,
			       NULL, NULL);

	op->ready = !err;
	return err;
}

static inline void *mpool_bench_objpool_pop(struct mpool_bench_objpool *op)
{
	return objpool_pop(&op->head);
}

static inline void mpool_bench_objpool_push(struct mpool_bench_objpool *op,
					    void *obj)
{
	/* Cannot fail: every slot has room for all the pool's objects. */
	objpool_push(obj, &op->head);
}

static inline void mpool_bench_objpool_fini(struct mpool_bench_objpool *op)
{
	if (op->ready)
		objpool_fini(&op->head);
	op->ready = false;
}

#else /* no objpool */

struct mpool_bench_objpool {
	int unused;
};

static inline int mpool_bench_objpool_init(struct mpool_bench_objpool *op,
					   unsigned int nr_objs, size_t size)
{
	return -EOPNOTSUPP;
}

static inline void *mpool_bench_objpool_pop(struct mpool_bench_objpool *op)
{
	return NULL;
}

static inline void mpool_bench_objpool_push(struct mpool_bench_objpool *op,
					    void *obj)
{
}

static inline void mpool_bench_objpool_fini(struct mpool_bench_objpool *op)
{
}

#endif

#endif /* _MPOOL_BENCH_COMPAT_H */
