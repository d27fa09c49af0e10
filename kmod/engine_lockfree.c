// SPDX-License-Identifier: GPL-2.0
/*
 * The lockfree engine: one Treiber stack (<linux/mpool/lfstack.h>) shared by all
 * CPUs, linked through a side array next[max_objs].
 *
 * Neither get nor put ever waits for another CPU or context, so both are
 * safe from NMI and need no IRQ disabling. A get or put is one pop or push,
 * inline in the caller (<linux/mpool/fast.h>); the bulk forms here serve
 * the slow paths. LIFO reuse hands out the most
 * recently freed, cache-hot object. The price is one contended cmpxchg on
 * a shared cache line per operation.
 */
#include <linux/mpool/lfstack.h>
#include "pool.h"

struct mpool_lf {
	struct mpool_lfstack stack;
};

static unsigned int mpool_lf_get_bulk(struct mpool *pool, u32 *idx,
				      unsigned int n)
{
	struct mpool_lf *e = pool->engine;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!mpool_lfstack_pop(&e->stack, &idx[i]))
			break;
	}
	return i;
}

static void mpool_lf_put_bulk(struct mpool *pool, const u32 *idx,
			      unsigned int n)
{
	struct mpool_lf *e = pool->engine;
	unsigned int i;

	for (i = 0; i < n; i++)
		mpool_lfstack_push(&e->stack, idx[i]);
}

static int mpool_lf_init(struct mpool *pool)
{
	struct mpool_lf *e;
	u32 *next;

	e = mpool_kvzalloc_node(sizeof(*e), pool->node);
	next = mpool_kvzalloc_node(array_size(pool->hot.max_objs, sizeof(*next)),
				   pool->node);
	if (!e || !next) {
		kvfree(next);
		kvfree(e);
		return -ENOMEM;
	}
	mpool_lfstack_init(&e->stack, next);
	pool->engine = e;
	pool->hot.eng = &e->stack;
	return 0;
}

static void mpool_lf_fini(struct mpool *pool)
{
	struct mpool_lf *e = pool->engine;

	kvfree(e->stack.next);
	kvfree(e);
	pool->engine = NULL;
	pool->hot.eng = NULL;
}

const struct mpool_engine_ops mpool_engine_lockfree_ops = {
	.name		= "lockfree",
	.init		= mpool_lf_init,
	.fini		= mpool_lf_fini,
	.get_bulk	= mpool_lf_get_bulk,
	.put_bulk	= mpool_lf_put_bulk,
	/* Everything idle is on the stack: a shrink just takes it. */
	.reclaim	= mpool_lf_get_bulk,
};
