/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mempool.ko KUnit suites: every engine as a KUnit
 * parameter, pool parameters named after the running case, and pools that
 * are destroyed when the test ends, however it ends.
 */
#ifndef _MPOOL_TEST_H
#define _MPOOL_TEST_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
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

/* A pool a helper made, to be destroyed at the end of the test. */
struct mpool_test_pool {
	struct mpool *pool;
	char name[MPOOL_NAME_MAX];
};

/*
 * The test's end, passed or failed: destroy the pool unless the test did.
 * Tests may destroy their pools themselves, so this must not do it again:
 * a destroyed pool gives up its name, and a lookup that finds this very
 * pool under it proves it is still ours. Without this, a failed assertion
 * would leave the pool named, and a later case creating the same name
 * would fail with -EEXIST too.
 */
static inline void mpool_test_pool_release(void *arg)
{
	struct mpool_test_pool *tp = arg;
	struct mpool *found = mpool_lookup(tp->name);

	if (!found)
		return;
	if (found == tp->pool)
		mpool_destroy(found);
	mpool_unref(found);
}

/* Have @pool, a named pool the test holds, destroyed when the test ends. */
static inline void mpool_test_own(struct kunit *test, struct mpool *pool)
{
	struct mpool_test_pool *tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);

	if (!tp) {
		mpool_destroy(pool);
		KUNIT_FAIL_AND_ABORT(test, "no memory to track pool %s", mpool_name(pool));
	}
	tp->pool = pool;
	strscpy(tp->name, mpool_name(pool), sizeof(tp->name));
	/* On failure it has run already: the pool is gone. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mpool_test_pool_release, tp), 0);
}

/* mpool_create(), destroyed at the end of the test if the test did not. */
static inline struct mpool *mpool_test_create(struct kunit *test,
					      const struct mpool_params *p)
{
	struct mpool *pool = mpool_create(p);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	mpool_test_own(test, pool);
	return pool;
}

/*
 * mpool_lookup_or_create(), with the same safety net: a pool the test
 * still finds under its name at the end lost track of a reference, and
 * is destroyed so that its name cannot outlive the test.
 */
static inline struct mpool *mpool_test_lookup_or_create(struct kunit *test,
							const struct mpool_params *p)
{
	struct mpool *pool = mpool_lookup_or_create(p);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	mpool_test_own(test, pool);
	return pool;
}

/*
 * mpool_create() that the test expects to fail: its error, or 0 if it
 * built a pool after all. Such a pool is destroyed at once, so that it
 * cannot hold its name against the checks that follow in the same test.
 */
static inline long mpool_test_create_err(const struct mpool_params *p)
{
	struct mpool *pool = mpool_create(p);

	if (IS_ERR(pool))
		return PTR_ERR(pool);
	mpool_destroy(pool);
	return 0;
}

static inline struct mpool_stats_sum mpool_test_stats(struct mpool *pool)
{
	struct mpool_stats_sum sum;

	mpool_stats_read(pool, &sum);
	return sum;
}

#endif /* _MPOOL_TEST_H */
