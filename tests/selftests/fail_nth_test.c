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
#include <poll.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF		4
#define GROW		6
#define NLIST		32
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

static void lease_setup(struct __test_metadata *_metadata, FIXTURE_DATA(fail_lease) *self,
			__u32 engine)
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
	ASSERT_EQ(0, mp_create(self->fd, self->name, engine, self->bufsz, NBUF,
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

static void lease_teardown(FIXTURE_DATA(fail_lease) *self)
{
	if (!have_fail_nth)
		return;
	close(self->nth.fd);
	munmap(self->map, self->c.mmap_len);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

FIXTURE_SETUP(fail_lease)
{
	lease_setup(_metadata, self, variant->engine);
}

FIXTURE_TEARDOWN(fail_lease)
{
	lease_teardown(self);
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

/* Descriptors open now: one leaked by a failed call shows here. */
static int nr_fds(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static int mp_config(int fd, struct mpool_pool_config *cfg)
{
	return mp_ioctl(fd, MPOOL_IOC_POOL_CONFIG, cfg);
}

static int mp_events(int fd, __u32 pool_id, int *efd)
{
	struct mpool_pool_events e = { .pool_id = pool_id, .fd = -1 };
	int ret = mp_ioctl(fd, MPOOL_IOC_POOL_EVENTS, &e);

	if (!ret)
		*efd = e.fd;
	return ret;
}

/* Entries a little longer than ours: the tail's zeroing is swept too. */
#define ENTRY_SIZE	(sizeof(struct mpool_pool_entry) + 16)

static int mp_list(int fd, void *entries, __u32 *count, __u32 *total)
{
	struct mpool_pool_list l = {
		.entry_size = ENTRY_SIZE, .entries = (__u64)(unsigned long)entries,
		.count = *count,
	};
	int ret = mp_ioctl(fd, MPOOL_IOC_POOL_LIST, &l);

	if (!ret) {
		*count = l.count;
		*total = l.total;
	}
	return ret;
}

/*
 * The sweeps of what no engine takes part in (the session, the dma-buf,
 * the event hub, the registry): on one pool, of the percpu engine.
 */
FIXTURE(fail_pool) {
	FIXTURE_DATA(fail_lease) l;
};

FIXTURE_SETUP(fail_pool)
{
	lease_setup(_metadata, &self->l, MPOOL_ENG_PERCPU);
}

FIXTURE_TEARDOWN(fail_pool)
{
	lease_teardown(&self->l);
}

/*
 * IMPORT under the sweep: a failure leaves the buffer with the dma-buf (it
 * still maps with its bytes, and a later import takes it), the counters
 * unchanged; a success makes it this session's lease, bytes and all, and
 * leaves the dma-buf empty.
 */
TEST_F_TIMEOUT(fail_pool, import, 600)
{
	FIXTURE_DATA(fail_lease) *l = &self->l;
	struct mpool_pool_stats st0, st;
	unsigned int injected = 0;
	int ret, dfd;
	__u32 id, got;
	char *p, *m, v;
	bool hit;

	for (l->nth.n = 1; l->nth.n < MAX_NTH; l->nth.n++) {
		ASSERT_EQ(0, mp_lease(l->fd, l->c.pool_id, &id, 1));
		p = l->map + id * l->bufsz;
		memset(p, 0xf3, l->bufsz);
		ASSERT_EQ(0, mp_export(l->fd, l->c.pool_id, id, 0, &dfd));
		ASSERT_EQ(0, mp_stats(l->fd, l->c.pool_id, &st0));
		got = ~0U;
		nth_arm(_metadata, &l->nth);
		ret = mp_import(l->fd, l->c.pool_id, dfd, &got);
		hit = nth_disarm(_metadata, &l->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret)) TH_LOG("nth %u: %s", l->nth.n,
							     strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			ASSERT_EQ(0, mp_stats(l->fd, l->c.pool_id, &st));
			ASSERT_EQ(0, st.nr_mine);
			ASSERT_EQ(0, st.nr_leased);
			ASSERT_EQ(1, st.nr_exported);
			ASSERT_EQ(st0.imports, st.imports);
			ASSERT_EQ(st0.nr_free, st.nr_free);
			ASSERT_EQ(SIGBUS, mp_read_sig(p));
			/* The dma-buf still holds the buffer, bytes and all. */
			m = mmap(NULL, l->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
			ASSERT_NE(MAP_FAILED, m);
			ASSERT_EQ(0, mp_read_byte(m + l->bufsz - 1, &v));
			ASSERT_EQ((char)0xf3, v);
			ASSERT_EQ(0, munmap(m, l->bufsz));
			ASSERT_EQ(0, mp_import(l->fd, l->c.pool_id, dfd, &got));
		}
		ASSERT_EQ(id, got);
		ASSERT_EQ(0, mp_stats(l->fd, l->c.pool_id, &st));
		ASSERT_EQ(1, st.nr_mine);
		ASSERT_EQ(1, st.nr_leased);
		ASSERT_EQ(0, st.nr_exported);
		ASSERT_EQ(st0.imports + 1, st.imports);
		ASSERT_EQ(st0.nr_free, st.nr_free);
		ASSERT_EQ(0, mp_read_byte(p + l->bufsz - 1, &v));
		ASSERT_EQ((char)0xf3, v);
		ASSERT_EQ(0, mp_write_byte(p, 1));
		/* The dma-buf holds nothing any more. */
		ASSERT_EQ(MAP_FAILED, mmap(NULL, l->bufsz, PROT_READ, MAP_SHARED, dfd, 0));
		ASSERT_EQ(ENODEV, errno);
		ASSERT_EQ(0, close(dfd));
		ASSERT_EQ(0, mp_release(l->fd, l->c.pool_id, &id, 1));
		expect_pool_full(_metadata, l->fd, l->c.pool_id, l->map, l->bufsz);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, l->nth.n);
	ASSERT_LT(1, injected);
	ksft_print_msg("import: N=%u, %u failure sites injected\n", l->nth.n,
		       injected);
}

/* Open the event descriptor, then see it work: quiet, then one record. */
static void expect_events_work(struct __test_metadata *_metadata, FIXTURE_DATA(fail_lease) *l,
			       int efd)
{
	struct mpool_pool_config cfg = {
		.pool_id = l->c.pool_id, .flags = MPOOL_CONFIG_F_THRESHOLDS,
	};
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	struct mpool_event ev[2];

	ASSERT_EQ(0, poll(&pfd, 1, 0));
	/* All free, above a high watermark of 1: it fires at once. */
	cfg.high_watermark = 1;
	ASSERT_EQ(0, mp_config(l->fd, &cfg));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(sizeof(ev[0]), read(efd, ev, sizeof(ev)));
	ASSERT_EQ(MPOOL_EVENT_HIGH, ev[0].type);
	ASSERT_EQ(1, ev[0].threshold);
	ASSERT_EQ(NBUF, ev[0].nr_free);
	ASSERT_EQ(NBUF, ev[0].buf_count);
	ASSERT_EQ(0, ev[0].lost);
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	cfg.high_watermark = 0;
	ASSERT_EQ(0, mp_config(l->fd, &cfg));
}

/*
 * POOL_EVENTS under the sweep: a failure leaves no descriptor behind; a
 * success gives one that delivers the pool's events, and its end.
 */
TEST_F_TIMEOUT(fail_pool, events, 600)
{
	FIXTURE_DATA(fail_lease) *l = &self->l;
	struct pollfd pfd = { .events = POLLIN };
	unsigned int injected = 0;
	int ret, efd, fds;
	struct mpool_event ev;
	bool hit;

	for (l->nth.n = 1; l->nth.n < MAX_NTH; l->nth.n++) {
		fds = nr_fds();
		ASSERT_LT(0, fds);
		efd = -1;
		nth_arm(_metadata, &l->nth);
		ret = mp_events(l->fd, l->c.pool_id, &efd);
		hit = nth_disarm(_metadata, &l->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret) || ret == -ENFILE || ret == -EMFILE)
				TH_LOG("nth %u: %s", l->nth.n, strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			ASSERT_EQ(fds, nr_fds());
			ASSERT_EQ(0, mp_events(l->fd, l->c.pool_id, &efd));
		}
		ASSERT_EQ(fds + 1, nr_fds());
		expect_events_work(_metadata, l, efd);
		if (!hit)
			break;
		ASSERT_EQ(0, close(efd));
		ASSERT_EQ(fds, nr_fds());
		expect_pool_full(_metadata, l->fd, l->c.pool_id, l->map, l->bufsz);
	}
	ASSERT_GT(MAX_NTH, l->nth.n);
	ASSERT_LT(1, injected);
	/* The last one sees the pool go: a record, then a hang-up. */
	ASSERT_EQ(0, munmap(l->map, l->c.mmap_len));
	l->map = NULL;
	ASSERT_EQ(0, mp_destroy(l->fd, l->c.pool_id));
	pfd.fd = efd;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(sizeof(ev), read(efd, &ev, sizeof(ev)));
	ASSERT_EQ(MPOOL_EVENT_DESTROYED, ev.type);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLHUP, pfd.revents & (POLLHUP | POLLIN));
	ASSERT_EQ(0, read(efd, &ev, sizeof(ev)));
	ASSERT_EQ(0, close(efd));
	ksft_print_msg("events: N=%u, %u failure sites injected\n", l->nth.n,
		       injected);
}

/* One entry of POOL_LIST's reply, against what POOL_STATS says. */
static void expect_listed(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			  const unsigned char *entries, __u32 count)
{
	const struct mpool_pool_entry *e;
	struct mpool_pool_stats st;
	__u32 i, found = 0;
	size_t k;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	for (i = 0; i < count; i++) {
		e = (const void *)(entries + i * ENTRY_SIZE);
		for (k = sizeof(*e); k < ENTRY_SIZE; k++)
			ASSERT_EQ(0, entries[i * ENTRY_SIZE + k]);
		if (strncmp(e->name, st.name, sizeof(e->name)))
			continue;
		found++;
		ASSERT_EQ(st.engine, e->engine);
		ASSERT_EQ(st.create_flags, e->create_flags);
		ASSERT_EQ(st.buf_size, e->buf_size);
		ASSERT_EQ(st.buf_count, e->buf_count);
		ASSERT_EQ(st.owner_uid, e->owner_uid);
		ASSERT_EQ(st.nr_free, e->nr_free);
		ASSERT_EQ(st.nr_quarantined, e->nr_quarantined);
		ASSERT_EQ(st.nr_sessions, e->nr_sessions);
		ASSERT_EQ(st.access, e->access);
	}
	ASSERT_EQ(1, found);
}

/*
 * POOL_LIST under the sweep: a failure changes nothing and the next call
 * works; a success lists every pool right, each entry's tail zeroed and
 * nothing written past the entries it counts.
 */
TEST_F_TIMEOUT(fail_pool, list, 600)
{
	FIXTURE_DATA(fail_lease) *l = &self->l;
	static unsigned char entries[NLIST * ENTRY_SIZE];
	struct mpool_pool_create c2, c3;
	unsigned int injected = 0;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_info info0, info;
	__u32 count, total, ids[2], i;
	int ret;
	bool hit;

	/* Three pools that differ, one of them with buffers out. */
	mp_name(name, "fnl2");
	ASSERT_EQ(0, mp_create_ex(l->fd, name, MPOOL_ENG_RING, mp_page(), 3, 0,
				  MPOOL_ACCESS_ALL, &c2));
	mp_name(name, "fnl3");
	ASSERT_EQ(0, mp_create_ex(l->fd, name, MPOOL_ENG_LOCKFREE, 3 * mp_page(), 5,
				  MPOOL_CREATE_F_SESSION, MPOOL_ACCESS_GROUP, &c3));
	ASSERT_EQ(0, mp_lease(l->fd, c3.pool_id, ids, 2));
	ASSERT_EQ(0, mp_info(l->fd, &info0));
	for (l->nth.n = 1; l->nth.n < MAX_NTH; l->nth.n++) {
		memset(entries, 0xa5, sizeof(entries));
		count = NLIST;
		nth_arm(_metadata, &l->nth);
		ret = mp_list(l->fd, entries, &count, &total);
		hit = nth_disarm(_metadata, &l->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret)) TH_LOG("nth %u: %s", l->nth.n,
							     strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			ASSERT_EQ(0, mp_info(l->fd, &info));
			ASSERT_EQ(info0.nr_pools, info.nr_pools);
			ASSERT_EQ(info0.bytes_used, info.bytes_used);
			memset(entries, 0xa5, sizeof(entries));
			count = NLIST;
			ASSERT_EQ(0, mp_list(l->fd, entries, &count, &total));
		}
		ASSERT_LE(3, total);
		ASSERT_GE(NLIST, total);
		ASSERT_EQ(total, count);
		for (i = count * ENTRY_SIZE; i < sizeof(entries); i++)
			ASSERT_EQ(0xa5, entries[i]);
		expect_listed(_metadata, l->fd, l->c.pool_id, entries, count);
		expect_listed(_metadata, l->fd, c2.pool_id, entries, count);
		expect_listed(_metadata, l->fd, c3.pool_id, entries, count);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, l->nth.n);
	ASSERT_LT(1, injected);
	ASSERT_EQ(0, mp_release(l->fd, c3.pool_id, ids, 2));
	ASSERT_EQ(0, mp_destroy(l->fd, c3.pool_id));
	ASSERT_EQ(0, mp_destroy(l->fd, c2.pool_id));
	ksft_print_msg("list: N=%u, %u failure sites injected\n", l->nth.n,
		       injected);
}

/*
 * A pool of NBUF / 2 buffers that may grow to GROW, mapped whole: the
 * resize sweeps.
 */
FIXTURE(fail_resize) {
	int fd;
	struct nth nth;
	struct mpool_info base;
	struct mpool_pool_create c;
	char *map;
	size_t bufsz;
};

FIXTURE_VARIANT(fail_resize) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(fail_resize, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(fail_resize, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(fail_resize, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(fail_resize)
{
	char name[MPOOL_POOL_NAME_MAX];

	MP_SKIP_WITHOUT_DEVICE();
	if (!have_fail_nth)
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION) in this kernel");
	self->bufsz = 2 * mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &self->base));
	mp_name(name, "fnr");
	memset(&self->c, 0, sizeof(self->c));
	memcpy(self->c.name, name, sizeof(self->c.name));
	self->c.engine = variant->engine;
	self->c.buf_size = self->bufsz;
	self->c.buf_count = NBUF / 2;
	self->c.max_buf_count = GROW;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
	nth_open(_metadata, &self->nth);
}

FIXTURE_TEARDOWN(fail_resize)
{
	if (!have_fail_nth)
		return;
	close(self->nth.fd);
	munmap(self->map, self->c.mmap_len);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

/*
 * The pool holds @count buffers and every count agrees: POOL_STATS, the
 * device's and the user's bytes; @count distinct ids below max_buf_count
 * lease, each zeroed and mapped, and not one more. Dirties them, so that
 * a buffer a later resize hands out unzeroed shows.
 */
static void expect_size(struct __test_metadata *_metadata, FIXTURE_DATA(fail_resize) *self,
			__u32 count)
{
	struct mpool_pool_stats st;
	struct mpool_info info;
	__u32 ids[GROW], more, seen = 0, i;
	char *p;

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(count, st.buf_count);
	ASSERT_EQ(count, st.nr_free);
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(GROW, st.max_buf_count);
	ASSERT_EQ((__u64)count * self->bufsz, st.bytes_reserved);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->base.nr_pools + 1, info.nr_pools);
	ASSERT_EQ(self->base.bytes_used + (__u64)count * self->bufsz, info.bytes_used);
	ASSERT_EQ(self->base.user_bytes + (__u64)count * self->bufsz, info.user_bytes);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, count));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &more, 1));
	for (i = 0; i < count; i++) {
		ASSERT_GT(GROW, ids[i]);
		ASSERT_FALSE(seen & 1U << ids[i]);
		seen |= 1U << ids[i];
		p = self->map + ids[i] * self->bufsz;
		ASSERT_EQ(0, mp_read_sig(p));
		ASSERT_TRUE(mp_all_zero(p, self->bufsz));
		memset(p, 0xf4, self->bufsz);
	}
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, count));
	/* Nothing of a buffer out of the pool is mapped. */
	for (i = 0; i < GROW; i++) {
		if (!(seen & 1U << i))
			ASSERT_EQ(SIGBUS, mp_read_sig(self->map + i * self->bufsz));
	}
}

static int resize(FIXTURE_DATA(fail_resize) *self, __u32 flags, __u32 count,
		  struct mpool_pool_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pool_id = self->c.pool_id;
	cfg->flags = flags;
	cfg->buf_count = count;
	return mp_config(self->fd, cfg);
}

/*
 * POOL_CONFIG writes its reply back after the change (uapi: a change is
 * absolute, and an -EFAULT on the reply means it was made): that failure
 * alone may leave the pool changed, and only into what the call asked for
 * in full, as nothing else failed. True if it did; the pool is checked.
 */
static bool reply_lost(struct __test_metadata *_metadata, FIXTURE_DATA(fail_resize) *self,
		       int ret, __u32 before, __u32 asked, unsigned int *lost)
{
	struct mpool_pool_stats st;

	EXPECT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	if (st.buf_count == before)
		return false;
	EXPECT_EQ(-EFAULT, ret);
	EXPECT_EQ(asked, st.buf_count);
	expect_size(_metadata, self, asked);
	(*lost)++;
	return true;
}

/*
 * Growing under the sweep: a failure adds nothing and charges nothing; a
 * success may stop short (memory ran out part way), and then the pool
 * holds just what buf_count says, every count agreeing.
 */
TEST_F_TIMEOUT(fail_resize, grow, 600)
{
	unsigned int injected = 0, partial = 0, lost = 0;
	struct mpool_pool_config cfg;
	bool hit;
	int ret;

	expect_size(_metadata, self, NBUF / 2);
	for (self->nth.n = 1; self->nth.n < MAX_NTH; self->nth.n++) {
		nth_arm(_metadata, &self->nth);
		ret = resize(self, MPOOL_CONFIG_F_RESIZE, GROW, &cfg);
		hit = nth_disarm(_metadata, &self->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret)) TH_LOG("nth %u: %s", self->nth.n,
							     strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			if (reply_lost(_metadata, self, ret, NBUF / 2, GROW, &lost))
				goto shrink;
			expect_size(_metadata, self, NBUF / 2);
			continue;
		}
		ASSERT_LT(NBUF / 2, cfg.buf_count) TH_LOG("nth %u", self->nth.n);
		ASSERT_GE(GROW, cfg.buf_count);
		if (cfg.buf_count < GROW) {
			ASSERT_TRUE(hit);
			partial++;
		}
		expect_size(_metadata, self, cfg.buf_count);
shrink:
		ASSERT_EQ(0, resize(self, MPOOL_CONFIG_F_RESIZE, NBUF / 2, &cfg));
		ASSERT_EQ(NBUF / 2, cfg.buf_count);
		expect_size(_metadata, self, NBUF / 2);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(1, injected);
	/* Every new buffer but the first is an allocation that can stop it short. */
	ASSERT_LE(GROW - NBUF / 2 - 1, partial);
	ASSERT_EQ(1, lost);
	ksft_print_msg("grow: N=%u, %u failure sites injected, %u stopped short\n",
		       self->nth.n, injected, partial);
}

/*
 * Shrinking and draining under the sweep: all or nothing, a failure leaves
 * every buffer where it was.
 */
TEST_F_TIMEOUT(fail_resize, shrink_and_drain, 600)
{
	unsigned int injected = 0, lost = 0;
	struct mpool_pool_config cfg;
	__u32 ids[GROW];
	bool hit;
	int ret;

	for (self->nth.n = 1; self->nth.n < MAX_NTH; self->nth.n++) {
		ASSERT_EQ(0, resize(self, MPOOL_CONFIG_F_RESIZE, GROW, &cfg));
		ASSERT_EQ(GROW, cfg.buf_count);
		/* Buffers in CPU caches, for the drain to gather. */
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, GROW));
		ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, GROW));
		nth_arm(_metadata, &self->nth);
		ret = resize(self, MPOOL_CONFIG_F_RESIZE | MPOOL_CONFIG_F_DRAIN, NBUF / 2,
			     &cfg);
		hit = nth_disarm(_metadata, &self->nth);
		if (ret) {
			ASSERT_TRUE(clean_error(ret)) TH_LOG("nth %u: %s", self->nth.n,
							     strerror(-ret));
			ASSERT_TRUE(hit);
			injected++;
			if (!reply_lost(_metadata, self, ret, GROW, NBUF / 2, &lost))
				expect_size(_metadata, self, GROW);
			continue;
		}
		ASSERT_EQ(NBUF / 2, cfg.buf_count);
		expect_size(_metadata, self, NBUF / 2);
		if (!hit)
			break;
	}
	ASSERT_GT(MAX_NTH, self->nth.n);
	ASSERT_LT(1, injected);
	ASSERT_EQ(1, lost);
	ksft_print_msg("shrink/drain: N=%u, %u failure sites injected\n", self->nth.n,
		       injected);
}

TEST_HARNESS_MAIN
