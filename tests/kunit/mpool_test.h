/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mempool.ko KUnit suites: every engine as a KUnit
 * parameter, and pool parameters named after the running case.
 */
#ifndef _MPOOL_TEST_H
#define _MPOOL_TEST_H

#include <kunit/test.h>
#include <linux/string.h>

#include "../../kmod/pool.h"

static const enum mpool_engine mpool_test_engines[] __maybe_unused = {
	MPOOL_ENGINE_PERCPU,
	MPOOL_ENGINE_RING,
	MPOOL_ENGINE_LOCKFREE,
};

static inline const char *mpool_test_engine_name(enum mpool_engine e)
{
	static const char *const names[MPOOL_NR_ENGINES] = {
		[MPOOL_ENGINE_PERCPU] = "percpu",
		[MPOOL_ENGINE_RING] = "ring",
		[MPOOL_ENGINE_LOCKFREE] = "lockfree",
	};

	return names[e];
}

static inline void mpool_test_engine_desc(const enum mpool_engine *e, char *desc)
{
	strscpy(desc, mpool_test_engine_name(*e), KUNIT_PARAM_DESC_SIZE);
}

/* The engine of the running parameterized case. */
static inline enum mpool_engine mpool_test_engine(struct kunit *test)
{
	return *(const enum mpool_engine *)test->param_value;
}

/*
 * Parameters for a pool called "@tag-<engine>", kept in test-managed
 * memory so that the name outlives the call.
 */
static inline struct mpool_params *
mpool_test_params(struct kunit *test, const char *tag, size_t obj_size,
		  unsigned int max_objs, unsigned int init_objs)
{
	struct mpool_params *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	char *name = kunit_kzalloc(test, MPOOL_NAME_MAX, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, name);
	p->engine = test->param_value ? mpool_test_engine(test) : MPOOL_ENGINE_RING;
	snprintf(name, MPOOL_NAME_MAX, "%s-%s", tag, mpool_test_engine_name(p->engine));
	p->name = name;
	p->obj_size = obj_size;
	p->max_objs = max_objs;
	p->init_objs = init_objs;
	p->node = NUMA_NO_NODE;
	return p;
}

static inline struct mpool *mpool_test_create(struct kunit *test,
					      const struct mpool_params *p)
{
	struct mpool *pool = mpool_create(p);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	return pool;
}

static inline struct mpool_stats_sum mpool_test_stats(struct mpool *pool)
{
	struct mpool_stats_sum sum;

	mpool_stats_read(pool, &sum);
	return sum;
}

#endif /* _MPOOL_TEST_H */
