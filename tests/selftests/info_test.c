// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool basics: the device exists, keeps out who it should, answers
 * MPOOL_IOC_INFO, and refuses what the UAPI rules say it must refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mempool.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	MP_SKIP_WITHOUT_DEVICE();
	self->fd = open(MPOOL_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", MPOOL_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

/*
 * Who may open the node is the node's business (root:root 0600 as the module
 * makes it, root:mempool 0660 with udev/60-mempool.rules): whatever the
 * set-up, a user who is neither its owner nor in its group is refused.
 */
TEST_F(dev, outsider_gets_eacces)
{
	struct stat st;
	uid_t uid = 0;
	gid_t gid = 0;

	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	if (geteuid())
		SKIP(return, "needs root to open the device as another user");
	ASSERT_EQ(0, mp_outsider(MPOOL_DEVICE, &uid, &gid));
	EXPECT_EQ(-EACCES, mp_try_open_as(MPOOL_DEVICE, O_RDWR, uid, gid));
	EXPECT_EQ(-EACCES, mp_try_open_as(MPOOL_DEVICE, O_RDONLY, uid, gid));
}

TEST_F(dev, info_reports_version)
{
	struct mpool_info info = {};

	ASSERT_EQ(0, ioctl(self->fd, MPOOL_IOC_INFO, &info));
	ASSERT_EQ(MPOOL_API_VERSION, info.api_version);
	ASSERT_LT(0, info.max_pools);
}

TEST_F(dev, info_reports_features_and_limits)
{
	struct mpool_info info = {};

	ASSERT_EQ(0, ioctl(self->fd, MPOOL_IOC_INFO, &info));
	ASSERT_EQ(MPOOL_FEAT_POOLS | MPOOL_FEAT_WAIT,
		  info.features & (MPOOL_FEAT_POOLS | MPOOL_FEAT_WAIT));
	ASSERT_EQ(MPOOL_BATCH_MAX, info.max_batch);
	ASSERT_LE(sysconf(_SC_PAGESIZE), info.max_buf_size);
	ASSERT_EQ(0, info.max_buf_size % sysconf(_SC_PAGESIZE));
	ASSERT_LT(0, info.max_buf_count);
	ASSERT_LE(MPOOL_SESSION_POOLS_MAX, info.max_pools);
	ASSERT_EQ(mp_param_get("max_bytes"), info.max_bytes);
	ASSERT_EQ(mp_param_get("max_session_leases"), info.max_session_leases);
	ASSERT_GE(info.max_bytes, info.bytes_used);
	ASSERT_GE(info.max_pools, info.nr_pools);
	ASSERT_EQ(MPOOL_FEAT_USER_LIMITS | MPOOL_FEAT_LIFETIME,
		  info.features & (MPOOL_FEAT_USER_LIMITS | MPOOL_FEAT_LIFETIME));
	ASSERT_EQ(mp_param_get("max_user_pools"), info.max_user_pools);
	ASSERT_EQ(mp_param_get("max_user_bytes"), info.max_user_bytes);
	ASSERT_EQ(mp_param_get("max_user_leases"), info.max_user_leases);
	/* The defaults leave room for other users. */
	ASSERT_GT(info.max_pools, info.max_user_pools);
	ASSERT_GT(info.max_bytes, info.max_user_bytes);
	ASSERT_GE(info.bytes_used, info.user_bytes);
	ASSERT_GE(info.nr_pools, info.user_pools);
}

TEST_F(dev, info_rejects_nonzero_flags_and_reserved)
{
	struct mpool_info info = { .flags = 1 };

	ASSERT_EQ(-1, ioctl(self->fd, MPOOL_IOC_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	info.flags = 0;
	info.reserved = 0x80000000u;
	ASSERT_EQ(-1, ioctl(self->fd, MPOOL_IOC_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
}

/* A newer caller's longer struct: accepted if the tail is zero, else E2BIG. */
TEST_F(dev, info_longer_struct)
{
	struct {
		struct mpool_info info;
		__u64 future;
	} big = {};
	unsigned long cmd = _IOWR(MPOOL_IOC_MAGIC, _IOC_NR(MPOOL_IOC_INFO), big);

	ASSERT_EQ(0, ioctl(self->fd, cmd, &big));
	ASSERT_EQ(MPOOL_API_VERSION, big.info.api_version);
	ASSERT_EQ(0, big.future);
	big.future = 1;
	ASSERT_EQ(-1, ioctl(self->fd, cmd, &big));
	ASSERT_EQ(E2BIG, errno);
}

/* An older caller's shorter struct gets the prefix it knows. */
TEST_F(dev, info_shorter_struct)
{
	__u32 old[2] = { 0, 0xdeadbeef };
	unsigned long cmd = _IOWR(MPOOL_IOC_MAGIC, _IOC_NR(MPOOL_IOC_INFO), __u32);

	ASSERT_EQ(0, ioctl(self->fd, cmd, old));
	ASSERT_EQ(MPOOL_API_VERSION, old[0]);
	ASSERT_EQ(0xdeadbeef, old[1]);
}

TEST_F(dev, unknown_commands_enotty)
{
	struct mpool_info info = {};

	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(MPOOL_IOC_MAGIC, 0x7f, info), &info));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR('x', _IOC_NR(MPOOL_IOC_INFO), info), &info));
	ASSERT_EQ(ENOTTY, errno);
	/* Right number, wrong direction. */
	ASSERT_EQ(-1, ioctl(self->fd, _IOR(MPOOL_IOC_MAGIC, _IOC_NR(MPOOL_IOC_INFO), info),
			    &info));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(dev, bad_user_pointer_efault)
{
	ASSERT_EQ(-1, ioctl(self->fd, MPOOL_IOC_INFO, (void *)8));
	ASSERT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
