// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection sweep (model: tools/testing/selftests/iommu/
 * iommufd_fail_nth.c): for N = 1, 2, ... fail the Nth allocation or user
 * copy of one call through /proc/self/task/<tid>/fail-nth, until the call
 * gets through without reaching an Nth site. Every injected failure must
 * come back as a clean error with the counters where they were before;
 * every call that got through must have done its whole job.
 *
 * Needs CONFIG_FAULT_INJECTION (the debug kernel); SKIPs elsewhere.
 */
#define _GNU_SOURCE
#include <dirent.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF		4
#define MAX_NTH		2000
#define DEBUGFS		"/sys/kernel/debug/"

static bool have_fail_nth;

static int write_at(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -1;
	close(fd);
	return ret;
}

/*
 * Let every allocation be failed (by default sleeping ones are exempt) and
 * keep the injected failures out of the kernel log: the VM judge fails a
 * run on any stack trace, and a forced failure is not news.
 */
static __attribute__((constructor)) void setup_fault_injection(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", (int)gettid());
	if (access(path, W_OK))
		return;
	dir = opendir(DEBUGFS);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), DEBUGFS "%s/verbose", d->d_name);
		write_at(path, "0");
	}
	closedir(dir);
	if (write_at(DEBUGFS "failslab/ignore-gfp-wait", "N"))
		return;
	write_at(DEBUGFS "fail_page_alloc/ignore-gfp-wait", "N");
	write_at(DEBUGFS "fail_page_alloc/ignore-gfp-highmem", "N");
	have_fail_nth = true;
}

struct nth {
	int fd;
	unsigned int n;
};

static void nth_open(struct __test_metadata *_metadata, struct nth *nth)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", (int)gettid());
	nth->fd = open(path, O_RDWR);
	ASSERT_LE(0, nth->fd);
	nth->n = 0;
}

static void nth_arm(struct __test_metadata *_metadata, struct nth *nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth->n);

	ASSERT_EQ(len, pwrite(nth->fd, buf, len, 0));
}

/*
 * Disarm; true if the armed failure was injected (the counter ran down
 * inside the call). Reading the counter is itself a user copy, which can
 * consume the last count: that too means the call did not reach it.
 */
static bool nth_disarm(struct __test_metadata *_metadata, struct nth *nth)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(nth->fd, buf, sizeof(buf) - 1, 0);
	if (n < 0 && errno == EFAULT)
		strcpy(buf, "1\n");
	/* Disarming is a user copy too: once more if that was the one. */
	n = pwrite(nth->fd, "0", 1, 0);
	if (n != 1)
		n = pwrite(nth->fd, "0", 1, 0);
	ASSERT_EQ(1, n);
	return atoi(buf) == 0;
}

static bool clean_error(int ret)
{
	return ret == -ENOMEM || ret == -EFAULT;
}

FIXTURE(fail) {
	int fd;
	struct nth nth;
	struct mpool_info base;
};

FIXTURE_SETUP(fail)
{
	MP_SKIP_WITHOUT_DEVICE();
	if (!have_fail_nth)
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION) in this kernel");
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &self->base));
	nth_open(_metadata, &self->nth);
}

FIXTURE_TEARDOWN(fail)
{
	if (!have_fail_nth)
		return;
	close(self->nth.fd);
	close(self->fd);
}

static void expect_baseline(struct __test_metadata *_metadata, FIXTURE_DATA(fail) *self,
			    unsigned int extra_pools, __u64 extra_bytes)
{
	struct mpool_info info;

	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->base.nr_pools + extra_pools, info.nr_pools);
	ASSERT_EQ(self->base.bytes_used + extra_bytes, info.bytes_used);
}

/* The whole pool is free, nobody holds anything, every page is fenced. */
static void expect_pool_full(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			     char *map, size_t bufsz)
{
	struct mpool_pool_stats st;
	int i;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	ASSERT_EQ(NBUF, st.nr_free);
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(0, st.nr_mine);
	ASSERT_EQ(st.leases, st.releases);
	for (i = 0; map && i < NBUF; i++)
		ASSERT_EQ(SIGBUS, mp_read_sig(map + i * bufsz));
}

TEST_F_TIMEOUT(fail, create, 600)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	unsigned int injected = 0;
	__u32 ids[NBUF];
	bool hit;
	int ret, fd;

	for (self->nth.n = 1; self->nth.n < MAX_NTH; self->nth.n++) {
		/* A session per round: a destroyed pool lives as long as it. */
		fd = mp_open();
		ASSERT_LE(0, fd);
		mp_name(name, "fnc");
		memset(&c, 0, sizeof(c));
		nth_arm(_metadata, &self->nth);
		ret = mp_create(fd, name, MPOOL_ENG_PERCPU, 2 * mp_page(), NBUF, &c);
		hit = nth_disarm(_metadata, &self->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret)) TH_LOG("nth %u: %s", self->nth.n,
							     strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			expect_baseline(_metadata, self, 0, 0);
			/* Nothing was left behind: the name is free, the pool works. */
			ASSERT_EQ(-ENOENT, mp_attach(fd, name, NULL));
			ASSERT_EQ(0, mp_create(fd, name, MPOOL_ENG_PERCPU, 2 * mp_page(),
					       NBUF, &c));
		}
		expect_baseline(_metadata, self, 1, NBUF * 2 * mp_page());
		ASSERT_EQ(0, mp_lease(fd, c.pool_id, ids, NBUF));
		ASSERT_EQ(0, mp_release(fd, c.pool_id, ids, NBUF));
		ASSERT_EQ(0, mp_destroy(fd, c.pool_id));
		ASSERT_EQ(0, close(fd));
		expect_baseline(_metadata, self, 0, 0);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(5, injected);
	ksft_print_msg("create: %u failure sites injected\n", injected);
}

FIXTURE(fail_lease) {
	int fd;
	struct nth nth;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	char *map;
	size_t bufsz;
};

FIXTURE_VARIANT(fail_lease) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(fail_lease, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(fail_lease, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(fail_lease, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(fail_lease)
{
	__u32 ids[NBUF];
	int i;

	MP_SKIP_WITHOUT_DEVICE();
	if (!have_fail_nth)
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION) in this kernel");
	self->bufsz = 2 * mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	mp_name(self->name, "fnl");
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, self->bufsz, NBUF,
			       &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
	/* Dirty every buffer once, so that a lease that skipped zeroing shows. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++)
		memset(self->map + ids[i] * self->bufsz, 0xf0, self->bufsz);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	nth_open(_metadata, &self->nth);
}

FIXTURE_TEARDOWN(fail_lease)
{
	if (!have_fail_nth)
		return;
	close(self->nth.fd);
	munmap(self->map, self->c.mmap_len);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

TEST_F_TIMEOUT(fail_lease, lease_and_release, 600)
{
	unsigned int injected = 0;
	__u32 ids[3];
	bool hit, lease_hit = true, release_hit = true;
	int ret, i;

	for (self->nth.n = 1; self->nth.n < MAX_NTH && (lease_hit || release_hit);
	     self->nth.n++) {
		memset(ids, 0xff, sizeof(ids));
		if (lease_hit) {
			nth_arm(_metadata, &self->nth);
			ret = mp_lease(self->fd, self->c.pool_id, ids, 3);
			hit = nth_disarm(_metadata, &self->nth);
			if (ret) {
				ASSERT_TRUE(clean_error(ret)) TH_LOG("lease nth %u: %s",
								     self->nth.n,
								     strerror(-ret));
				ASSERT_TRUE(hit);
				injected++;
				expect_pool_full(_metadata, self->fd, self->c.pool_id, self->map,
						 self->bufsz);
				ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
			}
			lease_hit = hit;
		} else {
			ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
		}
		/* Whatever path it took, the lease is whole and zeroed. */
		for (i = 0; i < 3; i++) {
			ASSERT_GT(NBUF, ids[i]);
			ASSERT_TRUE(mp_all_zero(self->map + ids[i] * self->bufsz, self->bufsz));
			memset(self->map + ids[i] * self->bufsz, 0xf1, self->bufsz);
		}

		if (release_hit) {
			nth_arm(_metadata, &self->nth);
			ret = mp_release(self->fd, self->c.pool_id, ids, 3);
			hit = nth_disarm(_metadata, &self->nth);
			if (ret) {
				struct mpool_pool_stats st;

				ASSERT_TRUE(clean_error(ret)) TH_LOG("release nth %u: %s",
								     self->nth.n,
								     strerror(-ret));
				ASSERT_TRUE(hit);
				injected++;
				/* All or nothing: every lease is still held and mapped. */
				ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
				ASSERT_EQ(3, st.nr_mine);
				for (i = 0; i < 3; i++)
					ASSERT_EQ(0, mp_read_sig(self->map + ids[i] * self->bufsz));
				ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 3));
			}
			release_hit = hit;
		} else {
			ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 3));
		}
		expect_pool_full(_metadata, self->fd, self->c.pool_id, self->map, self->bufsz);
	}
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(1, injected);
	ksft_print_msg("lease/release: %u failure sites injected\n", injected);
}

/* The lowest free descriptor number: a leaked one would take it. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

/*
 * EXPORT under the sweep: a failure leaves the lease with the session,
 * mapped with its bytes, no dma-buf and no descriptor behind, the
 * counters unchanged; a success hands the buffer to the dma-buf whole.
 */
TEST_F_TIMEOUT(fail_lease, export, 600)
{
	struct mpool_pool_stats st0, st;
	unsigned int injected = 0;
	int ret, dfd, free_fd;
	char *p, v;
	__u32 id;
	bool hit;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	p = self->map + id * self->bufsz;
	for (self->nth.n = 1; self->nth.n < MAX_NTH; self->nth.n++) {
		memset(p, 0xf2, self->bufsz);
		ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st0));
		free_fd = next_fd();
		dfd = -1;
		nth_arm(_metadata, &self->nth);
		ret = mp_export(self->fd, self->c.pool_id, id, 0, &dfd);
		hit = nth_disarm(_metadata, &self->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret) || ret == -EMFILE)
				TH_LOG("nth %u: %s", self->nth.n, strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			ASSERT_EQ(free_fd, next_fd());
			ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
			ASSERT_EQ(1, st.nr_mine);
			ASSERT_EQ(1, st.nr_leased);
			ASSERT_EQ(0, st.nr_exported);
			ASSERT_EQ(st0.exports, st.exports);
			ASSERT_EQ(st0.nr_free, st.nr_free);
			ASSERT_EQ(0, mp_read_byte(p + self->bufsz - 1, &v));
			ASSERT_EQ((char)0xf2, v);
			continue;
		}
		ASSERT_LE(0, dfd);
		ASSERT_EQ(SIGBUS, mp_read_sig(p));
		ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
		ASSERT_EQ(0, st.nr_mine);
		ASSERT_EQ(1, st.nr_exported);
		ASSERT_EQ(0, close(dfd));
		if (!hit)
			break;
		/* A failure the call got past: sweep on with a new lease. */
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		p = self->map + id * self->bufsz;
	}
	expect_pool_full(_metadata, self->fd, self->c.pool_id, self->map, self->bufsz);
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(1, injected);
	ksft_print_msg("export: %u failure sites injected\n", injected);
}

/* Attach, and a session's own set-up, under the same sweep. */
TEST_F_TIMEOUT(fail_lease, open_attach_map, 600)
{
	unsigned int injected = 0;
	struct mpool_pool_attach a;
	bool hit;
	int fd, ret;
	char *m;

	for (self->nth.n = 1; self->nth.n < MAX_NTH; self->nth.n++) {
		nth_arm(_metadata, &self->nth);
		fd = mp_open();
		ret = fd < 0 ? -errno : mp_attach(fd, self->name, &a);
		hit = nth_disarm(_metadata, &self->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret) || ret == -ENFILE || ret == -EMFILE)
				TH_LOG("nth %u: %s", self->nth.n, strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			if (fd >= 0)
				close(fd);
			fd = mp_open();
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, mp_attach(fd, self->name, &a));
		}
		m = mp_map(fd, a.mmap_offset, a.mmap_len);
		ASSERT_NE(MAP_FAILED, m);
		munmap(m, a.mmap_len);
		close(fd);
		expect_pool_full(_metadata, self->fd, self->c.pool_id, self->map, self->bufsz);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(1, injected);
	ksft_print_msg("open/attach: %u failure sites injected\n", injected);
}

TEST_HARNESS_MAIN
