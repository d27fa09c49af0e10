/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mempool.ko in-kernel API: pools of fixed-size objects.
 *
 * Other modules include this header (add mempool.ko's kmod/include to their
 * include path) and use the EXPORT_SYMBOL_GPL functions it declares. The
 * kernel's own mm/mempool.c owns the mempool_* names; everything here is
 * mpool_*.
 *
 * Contexts, per engine (see Documentation in README.md for the full table):
 *  - MPOOL_ENGINE_PERCPU:   process, softirq, hard-IRQ; not NMI.
 *  - MPOOL_ENGINE_RING:     process, softirq, hard-IRQ; not NMI.
 *  - MPOOL_ENGINE_LOCKFREE: process, softirq, hard-IRQ and NMI.
 * Growing the pool (a get that finds it empty, with a gfp mask that allows
 * blocking) happens only in process context; in atomic context an empty pool
 * returns NULL / -ENOMEM.
 */
#ifndef _LINUX_MPOOL_H
#define _LINUX_MPOOL_H

#include <linux/gfp.h>
#include <linux/types.h>

struct mpool;

enum mpool_engine {
	MPOOL_ENGINE_PERCPU,
	MPOOL_ENGINE_RING,
	MPOOL_ENGINE_LOCKFREE,
	MPOOL_NR_ENGINES,
};

/* Objects are whole pages, page aligned: they can be mapped to userspace. */
#define MPOOL_F_PAGE_ALIGNED	0x1u
/* Zero an object each time it is handed out. */
#define MPOOL_F_ZERO		0x2u

#define MPOOL_NAME_MAX		32

/**
 * struct mpool_params - how to build a pool
 * @name: unique name in the registry, at most MPOOL_NAME_MAX - 1 bytes
 * @engine: which engine serves get/put
 * @obj_size: object size in bytes (a multiple of PAGE_SIZE with
 *	MPOOL_F_PAGE_ALIGNED)
 * @align: object alignment, a power of two; 0 for the default
 *	(cache-line alignment)
 * @init_objs: objects created up front (prefill)
 * @max_objs: the pool never holds more objects than this
 * @grow_pct: when empty, grow by this percentage of the current capacity
 *	(at least one arena, at most up to @max_objs); 0 for 100 (doubling)
 * @node: NUMA node of the backing memory, or NUMA_NO_NODE
 * @flags: MPOOL_F_*
 * @ctor: called once per object when its memory is created (may be NULL)
 * @reset: called on every put, before the object can be handed out again
 *	(may be NULL); runs in the caller's context
 * @validate: called on every put before @reset (may be NULL); returning
 *	false quarantines the object (it is never handed out again) and
 *	counts it in the statistics
 * @priv: passed to the hooks
 */
struct mpool_params {
	const char *name;
	enum mpool_engine engine;
	size_t obj_size;
	size_t align;
	unsigned int init_objs;
	unsigned int max_objs;
	unsigned int grow_pct;
	int node;
	unsigned int flags;
	void (*ctor)(void *obj, void *priv);
	void (*reset)(void *obj, void *priv);
	bool (*validate)(void *obj, void *priv);
	void *priv;
};

struct mpool *mpool_create(const struct mpool_params *params);
struct mpool *mpool_lookup(const char *name);
struct mpool *mpool_lookup_or_create(const struct mpool_params *params);
void mpool_ref(struct mpool *pool);
void mpool_unref(struct mpool *pool);
void mpool_destroy(struct mpool *pool);

void *mpool_alloc(struct mpool *pool, gfp_t gfp);
void mpool_free(struct mpool *pool, void *obj);
int mpool_alloc_bulk(struct mpool *pool, void **objs, unsigned int n, gfp_t gfp);
void mpool_free_bulk(struct mpool *pool, void **objs, unsigned int n);

int mpool_grow(struct mpool *pool, unsigned int nr_objs, gfp_t gfp);
unsigned long mpool_shrink(struct mpool *pool, unsigned long nr_objs);
void mpool_drain(struct mpool *pool);

const char *mpool_name(const struct mpool *pool);
size_t mpool_obj_size(const struct mpool *pool);
unsigned int mpool_capacity(const struct mpool *pool);

#endif /* _LINUX_MPOOL_H */
