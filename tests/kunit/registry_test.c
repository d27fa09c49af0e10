// SPDX-License-Identifier: GPL-2.0
/*
 * The registry: unique names, lookups that take references, and a pool's
 * lifetime across destroy, lookups and shared lookup_or_create users.
 */
#include <kunit/test.h>
#include <linux/err.h>

#include "mpool_test.h"

KUNIT_ARRAY_PARAM(mpool_engine, mpool_test_engines, mpool_test_engine_desc);

static void registry_duplicate_name(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "dup", 64, 16, 0);
	struct mpool *pool;

	pool = mpool_test_create(test, p);
	KUNIT_EXPECT_EQ(test, mpool_test_create_err(p), -EEXIST);
	/* Whatever else differs. */
	p->engine = (p->engine + 1) % MPOOL_NR_ENGINES;
	p->obj_size = 4096;
	KUNIT_EXPECT_EQ(test, mpool_test_create_err(p), -EEXIST);
	mpool_destroy(pool);

	/* Reusable once destroyed. */
	pool = mpool_test_create(test, p);
	mpool_destroy(pool);
}

static void registry_lookup_refs(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "lookup", 64, 16, 4);
	struct mpool *pool, *found;
	unsigned int base;
	void *obj;

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	pool = mpool_test_create(test, p);
	KUNIT_EXPECT_EQ(test, kref_read(&pool->kref), 1U);
	KUNIT_EXPECT_STREQ(test, mpool_name(pool), p->name);
	KUNIT_EXPECT_EQ(test, mpool_obj_size(pool), (size_t)64);

	found = mpool_lookup(p->name);
	KUNIT_EXPECT_PTR_EQ(test, found, pool);
	KUNIT_EXPECT_EQ(test, kref_read(&pool->kref), 2U);
	KUNIT_EXPECT_NULL(test, mpool_lookup("no-such-pool"));
	KUNIT_EXPECT_NULL(test, mpool_lookup(NULL));
	mpool_ref(pool);
	KUNIT_EXPECT_EQ(test, kref_read(&pool->kref), 3U);
	mpool_unref(pool);

	/* Destroy unnames the pool; the lookup's reference keeps it working. */
	mpool_destroy(pool);
	KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
	obj = mpool_alloc(found, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	mpool_free(found, obj);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base + 1);

	/* The last reference frees it. */
	mpool_unref(found);
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);

	/* No-ops, like kfree(NULL). */
	mpool_destroy(NULL);
	mpool_destroy(ERR_PTR(-ENOMEM));
}

static void registry_name_reuse_while_held(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "reuse", 64, 16, 0);
	struct mpool *old, *held, *new;

	old = mpool_test_create(test, p);
	held = mpool_lookup(p->name);
	KUNIT_ASSERT_PTR_EQ(test, held, old);
	mpool_destroy(old);

	new = mpool_test_create(test, p);
	KUNIT_EXPECT_PTR_NE(test, new, held);
	KUNIT_EXPECT_PTR_EQ(test, mpool_lookup(p->name), new);
	mpool_unref(new);
	mpool_unref(held);
	mpool_destroy(new);
	KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
}

static void registry_lookup_or_create(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "shared", 128, 32, 0);
	struct mpool_params other;
	struct mpool *a, *b;
	unsigned int base;

	mpool_wait_for_frees();
	base = mpool_nr_pools();
	a = mpool_test_lookup_or_create(test, p);
	/* Asserted: the unrefs below count on these references. */
	b = mpool_lookup_or_create(p);
	KUNIT_ASSERT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, kref_read(&a->kref), 2U);

	/* Same name, different objects: refused. */
	other = *p;
	other.obj_size = 256;
	KUNIT_EXPECT_EQ(test, PTR_ERR(mpool_lookup_or_create(&other)), -EEXIST);
	/* Tuning may differ. */
	other = *p;
	other.init_objs = 8;
	other.grow_pct = 10;
	b = mpool_lookup_or_create(&other);
	KUNIT_ASSERT_PTR_EQ(test, b, a);
	mpool_unref(b);
	KUNIT_EXPECT_EQ(test, PTR_ERR(mpool_lookup_or_create(NULL)), -EINVAL);

	/* The last user's unref frees the pool and its name. */
	mpool_unref(a);
	KUNIT_ASSERT_PTR_EQ(test, mpool_lookup(p->name), a);
	mpool_unref(a);
	mpool_unref(a);
	KUNIT_EXPECT_NULL(test, mpool_lookup(p->name));
	mpool_wait_for_frees();
	KUNIT_EXPECT_EQ(test, mpool_nr_pools(), base);

	a = mpool_test_create(test, p);
	mpool_destroy(a);
}

static struct kunit_case mpool_registry_cases[] = {
	KUNIT_CASE_PARAM(registry_duplicate_name, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(registry_lookup_refs, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(registry_name_reuse_while_held, mpool_engine_gen_params),
	KUNIT_CASE_PARAM(registry_lookup_or_create, mpool_engine_gen_params),
	{}
};

static struct kunit_suite mpool_registry_suite = {
	.name = "mpool_registry",
	.test_cases = mpool_registry_cases,
};

kunit_test_suites(&mpool_registry_suite);
