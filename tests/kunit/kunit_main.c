// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for mempool.ko, built as mempool_kunit.ko and loaded after
 * mempool.ko in the debug kernel; results are KTAP on the console.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <uapi/linux/mempool.h>

#include "../../kmod/internal.h"

static void mpool_info_reports_version(struct kunit *test)
{
	struct mpool_info info = {};

	KUNIT_ASSERT_EQ(test, mpool_ioctl_info(NULL, &info), 0);
	KUNIT_EXPECT_EQ(test, info.api_version, MPOOL_API_VERSION);
	KUNIT_EXPECT_GT(test, info.max_pools, 0U);
}

static void mpool_info_rejects_reserved(struct kunit *test)
{
	struct mpool_info info = { .flags = 1 };

	KUNIT_EXPECT_EQ(test, mpool_ioctl_info(NULL, &info), -EINVAL);
	info.flags = 0;
	info.reserved = 1;
	KUNIT_EXPECT_EQ(test, mpool_ioctl_info(NULL, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, info.api_version, 0U);
}

static struct kunit_case mpool_chardev_cases[] = {
	KUNIT_CASE(mpool_info_reports_version),
	KUNIT_CASE(mpool_info_rejects_reserved),
	{}
};

static struct kunit_suite mpool_chardev_suite = {
	.name = "mpool_chardev",
	.test_cases = mpool_chardev_cases,
};

kunit_test_suites(&mpool_chardev_suite);

MODULE_DESCRIPTION("KUnit tests for mempool.ko");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
