// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for mempool.ko, built as mempool_kunit.ko and loaded after
 * mempool.ko in the debug kernel; results are KTAP on the console.
 *
 * This file: the per-user accounting of /dev/mempool (kmod/user.c). The
 * ioctls that use it are tested from userspace, as a second uid, by the
 * kselftests.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/uidgid.h>

#include "../../kmod/user.h"

/* Far from any uid the VM uses, so that no real session shares the entry. */
#define MPOOL_TEST_UID	3000000000U

static void mpool_user_put_action(void *user)
{
	mpool_user_put(user);
}

static struct mpool_user *mpool_test_user(struct kunit *test, u32 uid)
{
	struct mpool_user *user = mpool_user_get(KUIDT_INIT(uid));

	KUNIT_ASSERT_FALSE(test, IS_ERR(user));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mpool_user_put_action, user), 0);
	return user;
}

static void mpool_user_one_entry_per_uid(struct kunit *test)
{
	struct mpool_user *a = mpool_test_user(test, MPOOL_TEST_UID);
	struct mpool_user *b = mpool_test_user(test, MPOOL_TEST_UID);
	struct mpool_user *c = mpool_test_user(test, MPOOL_TEST_UID + 1);

	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, a, c);
	KUNIT_EXPECT_TRUE(test, uid_eq(a->uid, KUIDT_INIT(MPOOL_TEST_UID)));
}

/* Up to the cap, not one more; nothing charged by a refusal. */
static void mpool_user_cap_refuses_without_charging(struct kunit *test)
{
	struct mpool_user *user = mpool_test_user(test, MPOOL_TEST_UID);
	enum mpool_user_res res;

	for (res = 0; res < MPOOL_NR_RES; res++) {
		u64 cap = mpool_user_cap(res);

		KUNIT_ASSERT_GT(test, cap, 0ULL);
		KUNIT_EXPECT_EQ(test, mpool_user_charge(user, res, cap - 1, false), 0);
		KUNIT_EXPECT_EQ(test, mpool_user_charge(user, res, 2, false), -EDQUOT);
		KUNIT_EXPECT_EQ(test, mpool_user_used(user, res), cap - 1);
		KUNIT_EXPECT_EQ(test, mpool_user_charge(user, res, 1, false), 0);
		KUNIT_EXPECT_EQ(test, mpool_user_charge(user, res, 1, false), -EDQUOT);
		KUNIT_EXPECT_EQ(test, mpool_user_charge(user, res, U64_MAX, false), -EDQUOT);
		KUNIT_EXPECT_EQ(test, mpool_user_used(user, res), cap);
		mpool_user_uncharge(user, res, cap);
		KUNIT_EXPECT_EQ(test, mpool_user_used(user, res), 0ULL);
	}
}

/* CAP_SYS_RESOURCE: counted, never refused. */
static void mpool_user_unlimited_is_counted(struct kunit *test)
{
	struct mpool_user *user = mpool_test_user(test, MPOOL_TEST_UID);
	u64 cap = mpool_user_cap(MPOOL_RES_POOLS);

	KUNIT_EXPECT_EQ(test, mpool_user_charge(user, MPOOL_RES_POOLS, cap + 5, true), 0);
	KUNIT_EXPECT_EQ(test, mpool_user_used(user, MPOOL_RES_POOLS), cap + 5);
	/* The same user without the capability is over its cap. */
	KUNIT_EXPECT_EQ(test, mpool_user_charge(user, MPOOL_RES_POOLS, 1, false), -EDQUOT);
	mpool_user_uncharge(user, MPOOL_RES_POOLS, cap + 5);
	KUNIT_EXPECT_EQ(test, mpool_user_used(user, MPOOL_RES_POOLS), 0ULL);
}

/* Users do not share caps. */
static void mpool_user_caps_are_per_user(struct kunit *test)
{
	struct mpool_user *a = mpool_test_user(test, MPOOL_TEST_UID);
	struct mpool_user *b = mpool_test_user(test, MPOOL_TEST_UID + 1);
	u64 cap = mpool_user_cap(MPOOL_RES_LEASES);

	KUNIT_ASSERT_EQ(test, mpool_user_charge(a, MPOOL_RES_LEASES, cap, false), 0);
	KUNIT_EXPECT_EQ(test, mpool_user_charge(a, MPOOL_RES_LEASES, 1, false), -EDQUOT);
	KUNIT_EXPECT_EQ(test, mpool_user_charge(b, MPOOL_RES_LEASES, cap, false), 0);
	mpool_user_uncharge(a, MPOOL_RES_LEASES, cap);
	mpool_user_uncharge(b, MPOOL_RES_LEASES, cap);
}

static struct kunit_case mpool_user_cases[] = {
	KUNIT_CASE(mpool_user_one_entry_per_uid),
	KUNIT_CASE(mpool_user_cap_refuses_without_charging),
	KUNIT_CASE(mpool_user_unlimited_is_counted),
	KUNIT_CASE(mpool_user_caps_are_per_user),
	{}
};

static struct kunit_suite mpool_user_suite = {
	.name = "mpool_user",
	.test_cases = mpool_user_cases,
};

kunit_test_suites(&mpool_user_suite);

MODULE_DESCRIPTION("KUnit tests for mempool.ko");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
