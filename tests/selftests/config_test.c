// SPDX-License-Identifier: GPL-2.0
/*
 * MPOOL_IOC_POOL_CONFIG on each engine: resizing (growing while buffers
 * are leased and mapped shows the new buffers through the mappings that
 * already exist, shrinking takes free buffers only), its bounds and
 * refusals, and draining (buffers another CPU's cache holds become
 * leasable in one all-or-nothing lease), with POOL_STATS consistent after
 * every step.
 */
#define _GNU_SOURCE
#include "mempool_cfg.h"
#include "kselftest_harness.h"

#include <pthread.h>

#define MAXN	64

FIXTURE(cfg) {
	long page;
	int fd;
	struct mpool_info info;
	char names[4][MPOOL_POOL_NAME_MAX];
	__u32 ids[4];
	int nr;
};

FIXTURE_VARIANT(cfg) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(cfg, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(cfg, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(cfg, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(cfg)
{
	self->fd = -1;
	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &self->info));
	if (!(self->info.features & MPOOL_FEAT_CONFIG))
		SKIP(return, "module without MPOOL_FEAT_CONFIG");
}

FIXTURE_TEARDOWN(cfg)
{
	int i;

	for (i = 0; i < self->nr; i++)
		mp_destroy(self->fd, self->ids[i]);
	if (self->fd >= 0)
		close(self->fd);
}

/* A pool of the variant's engine in the fixture's session, destroyed at teardown. */
static int make(FIXTURE_DATA(cfg) *self, __u32 engine, __u32 count, __u32 max,
		struct mpool_pool_create *c)
{
	int ret;

	if (self->nr == 4)
		abort();
	mp_name(self->names[self->nr], "cfg");
	ret = mp_create_cfg(self->fd, self->names[self->nr], engine, self->page, count, max,
			    MPOOL_ACCESS_OWNER, true, c);
	if (!ret)
		self->ids[self->nr++] = c->pool_id;
	return ret;
}

/* POOL_STATS agrees with itself and with what the test expects. */
static void check_stats(struct __test_metadata *_metadata, int fd, __u32 pool_id, long page,
			__u32 buf_count, __u32 nr_leased, __u32 nr_mine)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_EQ(buf_count, st.buf_count);
	EXPECT_EQ(nr_leased, st.nr_leased);
	EXPECT_EQ(nr_mine, st.nr_mine);
	EXPECT_EQ(buf_count - nr_leased, st.nr_free);
	EXPECT_EQ(0, st.nr_quarantined);
	EXPECT_EQ(st.buf_count, st.nr_free + st.nr_leased + st.nr_quarantined);
	EXPECT_EQ(st.nr_leased, st.leases - st.releases);
	EXPECT_EQ((__u64)buf_count * page, st.bytes_reserved);
}

/* Fill buffer @id of a mapping with a byte of its own. */
static void paint(char *map, long page, __u32 id, unsigned char salt)
{
	memset(map + (size_t)id * page, (int)(id * 7 + salt) & 0xff, page);
}

static bool painted(const char *map, long page, __u32 id, unsigned char salt)
{
	const unsigned char *p = (const unsigned char *)map + (size_t)id * page;
	unsigned char want = (id * 7 + salt) & 0xff;
	long i;

	for (i = 0; i < page; i++) {
		if (p[i] != want)
			return false;
	}
	return true;
}

TEST_F(cfg, create_reports_the_whole_window)
{
	struct mpool_pool_create c, fixed;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	struct mpool_pool_config cfg;
	char name[MPOOL_POOL_NAME_MAX];
	int s2;

	ASSERT_EQ(0, make(self, variant->engine, 4, 16, &c));
	ASSERT_EQ(16 * self->page, c.mmap_len);
	ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
	ASSERT_EQ(4, st.buf_count);
	ASSERT_EQ(16, st.max_buf_count);
	ASSERT_EQ(16 * self->page, st.mmap_len);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 4, 0, 0);
	/* Another session attaches to the same window. */
	s2 = mp_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, mp_attach(s2, self->names[0], &at));
	ASSERT_EQ(4, at.buf_count);
	ASSERT_EQ(16 * self->page, at.mmap_len);
	close(s2);
	/* No flag: the settings, read back. */
	memset(&cfg, 0xff, sizeof(cfg));
	cfg.reserved = 0;
	ASSERT_EQ(0, mp_config(self->fd, c.pool_id, 0, &cfg));
	ASSERT_EQ(4, cfg.buf_count);
	ASSERT_EQ(MPOOL_ACCESS_OWNER, cfg.access);
	ASSERT_EQ(0, cfg.low_watermark);
	ASSERT_EQ(0, cfg.high_watermark);
	ASSERT_EQ(0, cfg.fail_permille);

	/* max_buf_count 0: buf_count, a pool that cannot grow. */
	ASSERT_EQ(0, make(self, variant->engine, 3, 0, &fixed));
	ASSERT_EQ(3 * self->page, fixed.mmap_len);
	ASSERT_EQ(0, mp_stats(self->fd, fixed.pool_id, &st));
	ASSERT_EQ(3, st.max_buf_count);

	/* max_buf_count below buf_count, or above the module's cap. */
	mp_name(name, "cfgbad");
	ASSERT_EQ(-EINVAL, mp_create_cfg(self->fd, name, variant->engine, self->page, 4, 3,
					 0, true, NULL));
	if (self->info.max_buf_count < 0xffffffffu)
		ASSERT_EQ(-EINVAL, mp_create_cfg(self->fd, name, variant->engine, self->page, 1,
						 self->info.max_buf_count + 1, 0, true, NULL));
	ASSERT_EQ(-ENOENT, mp_attach(self->fd, name, NULL));
}

/*
 * Grow while every buffer is leased and mapped, in two sessions: the new
 * buffers are leasable, have ids below max_buf_count and show through the
 * mappings made before the resize; the old ones keep their bytes.
 */
TEST_F(cfg, grow_while_leased_and_mapped)
{
	__u32 old[4], new1[6], new2[6], now, extra;
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_info i0, i1;
	bool seen[16] = {};
	char *m1, *m2;
	int s2, i;

	ASSERT_EQ(0, make(self, variant->engine, 4, 16, &c));
	s2 = mp_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, mp_attach(s2, self->names[0], &at));
	m1 = mp_map(self->fd, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, m1);
	m2 = mp_map(s2, at.mmap_offset, at.mmap_len);
	ASSERT_NE(MAP_FAILED, m2);

	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, old, 4));
	for (i = 0; i < 4; i++) {
		ASSERT_GT(4, old[i]);
		ASSERT_FALSE(seen[old[i]]);
		seen[old[i]] = true;
		paint(m1, self->page, old[i], 1);
	}
	/* Ids 4..15 do not exist yet: nothing there to touch. */
	ASSERT_EQ(SIGBUS, mp_read_sig(m1 + 4 * self->page));
	ASSERT_EQ(SIGBUS, mp_read_sig(m2 + 15 * self->page));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c.pool_id, &extra, 1));

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 10, &now));
	ASSERT_EQ(10, now);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used + 6 * self->page, i1.bytes_used);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 10, 4, 4);

	/* Session 1 leases the six new ones through its old mapping. */
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, new1, 6));
	for (i = 0; i < 6; i++) {
		ASSERT_GT(16, new1[i]);
		ASSERT_FALSE(seen[new1[i]]) TH_LOG("id %u handed out twice", new1[i]);
		seen[new1[i]] = true;
		ASSERT_TRUE(mp_all_zero(m1 + (size_t)new1[i] * self->page, self->page));
		paint(m1, self->page, new1[i], 2);
	}
	for (i = 0; i < 6; i++)
		ASSERT_TRUE(painted(m1, self->page, new1[i], 2));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(painted(m1, self->page, old[i], 1));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c.pool_id, &extra, 1));

	/* To the top; session 2 leases those through its own old mapping. */
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 16, &now));
	ASSERT_EQ(16, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 16, 10, 10);
	ASSERT_EQ(0, mp_lease(s2, at.pool_id, new2, 6));
	for (i = 0; i < 6; i++) {
		ASSERT_GT(16, new2[i]);
		ASSERT_FALSE(seen[new2[i]]) TH_LOG("id %u handed out twice", new2[i]);
		seen[new2[i]] = true;
		ASSERT_TRUE(mp_all_zero(m2 + (size_t)new2[i] * self->page, self->page));
		paint(m2, self->page, new2[i], 3);
		/* Not session 1's lease: not visible through its mapping. */
		ASSERT_EQ(SIGBUS, mp_read_sig(m1 + (size_t)new2[i] * self->page));
	}
	for (i = 0; i < 6; i++)
		ASSERT_TRUE(painted(m2, self->page, new2[i], 3));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(painted(m1, self->page, old[i], 1));
	ASSERT_EQ(-EAGAIN, mp_lease(s2, at.pool_id, &extra, 1));
	ASSERT_EQ(-EINVAL, mp_resize(self->fd, c.pool_id, 17, NULL));
	check_stats(_metadata, self->fd, c.pool_id, self->page, 16, 16, 10);

	/* Everything goes back. */
	ASSERT_EQ(0, mp_release(s2, at.pool_id, new2, 6));
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, new1, 6));
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, old, 4));
	check_stats(_metadata, self->fd, c.pool_id, self->page, 16, 0, 0);
	ASSERT_EQ(0, munmap(m2, at.mmap_len));
	ASSERT_EQ(0, munmap(m1, c.mmap_len));
	close(s2);
}

/*
 * Shrink to 1 with three buffers leased: only free buffers go, buf_count
 * says how many stayed; the leased ones keep their bytes and can be
 * released whatever their ids; then the pool shrinks to 1 and grows back.
 */
TEST_F(cfg, shrink_takes_only_free_buffers)
{
	__u32 held[3], all[16], now, k;
	struct mpool_pool_create c;
	struct mpool_info i0, i1;
	char *m;
	int i;

	ASSERT_EQ(0, make(self, variant->engine, 8, 8, &c));
	m = mp_map(self->fd, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, held, 3));
	for (i = 0; i < 3; i++)
		paint(m, self->page, held[i], 9);

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	TH_LOG("shrinking to 1 with 3 leased left %u", now);
	ASSERT_LE(3, now);
	ASSERT_GE(8, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, now, 3, 3);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used - (8 - now) * self->page, i1.bytes_used);
	/* Drained, every free buffer can go: exactly the leased ones stay. */
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	ASSERT_EQ(3, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 3, 3, 3);
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(painted(m, self->page, held[i], 9));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c.pool_id, &k, 1));

	/* Their ids may be above buf_count now: still theirs to give back. */
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, held, 3));
	check_stats(_metadata, self->fd, c.pool_id, self->page, 3, 0, 0);
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	ASSERT_EQ(1, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 1, 0, 0);
	/* More than buf_count but not max_buf_count: short, not too big. */
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c.pool_id, all, 2));
	ASSERT_EQ(-E2BIG, mp_lease(self->fd, c.pool_id, all, 9));
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, all, 1));
	ASSERT_GT(8, all[0]);
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, all, 1));

	/* And back up: eight distinct ids below max_buf_count, all usable. */
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 8, &now));
	ASSERT_EQ(8, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 8, 0, 0);
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, all, 8));
	for (i = 0; i < 8; i++) {
		ASSERT_GT(8, all[i]);
		ASSERT_TRUE(mp_all_zero(m + (size_t)all[i] * self->page, self->page));
		paint(m, self->page, all[i], 4);
	}
	for (i = 0; i < 8; i++)
		ASSERT_TRUE(painted(m, self->page, all[i], 4));
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, all, 8));
	ASSERT_EQ(0, munmap(m, c.mmap_len));
}

TEST_F(cfg, resize_bounds_and_refusals)
{
	struct mpool_pool_create c, fixed;
	struct mpool_pool_config cfg;
	struct mpool_pool_attach at;
	__u32 now;
	int ro, s2;

	ASSERT_EQ(0, make(self, variant->engine, 4, 8, &c));
	ASSERT_EQ(-EINVAL, mp_resize(self->fd, c.pool_id, 0, NULL));
	ASSERT_EQ(-EINVAL, mp_resize(self->fd, c.pool_id, 9, NULL));
	ASSERT_EQ(-EINVAL, mp_resize(self->fd, c.pool_id, 0xffffffffu, NULL));
	check_stats(_metadata, self->fd, c.pool_id, self->page, 4, 0, 0);
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 4, &now));
	ASSERT_EQ(4, now);
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 8, &now));
	ASSERT_EQ(8, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 8, 0, 0);

	/* Created without max_buf_count: cannot grow, may shrink and come back. */
	ASSERT_EQ(0, make(self, variant->engine, 4, 0, &fixed));
	ASSERT_EQ(-EINVAL, mp_resize(self->fd, fixed.pool_id, 5, NULL));
	ASSERT_EQ(0, mp_resize(self->fd, fixed.pool_id, 2, &now));
	ASSERT_EQ(2, now);
	ASSERT_EQ(0, mp_resize(self->fd, fixed.pool_id, 4, &now));
	ASSERT_EQ(4, now);
	check_stats(_metadata, self->fd, fixed.pool_id, self->page, 4, 0, 0);

	/* Unknown flags, reserved field, unknown pool. */
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(-EINVAL, mp_config(self->fd, c.pool_id, MPOOL_CONFIG_F_ALL + 1, &cfg));
	memset(&cfg, 0, sizeof(cfg));
	cfg.reserved = 1;
	ASSERT_EQ(-EINVAL, mp_config(self->fd, c.pool_id, 0, &cfg));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(-ENOENT, mp_config(self->fd, 0xdead, 0, &cfg));

	/* A read-only session reads, does not change. */
	ro = open(MPOOL_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, mp_attach(ro, self->names[0], &at));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, mp_config(ro, at.pool_id, 0, &cfg));
	ASSERT_EQ(8, cfg.buf_count);
	ASSERT_EQ(-EBADF, mp_resize(ro, at.pool_id, 4, NULL));
	ASSERT_EQ(-EBADF, mp_drain(ro, at.pool_id, NULL));

	/* A destroyed pool takes no change. */
	s2 = mp_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, mp_attach(s2, self->names[0], &at));
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	ASSERT_EQ(-EIDRM, mp_resize(s2, at.pool_id, 4, NULL));
	ASSERT_EQ(-EIDRM, mp_drain(s2, at.pool_id, NULL));
	ASSERT_EQ(-EIDRM, mp_thresholds(s2, at.pool_id, 1, 0, 0, 0));
	ASSERT_EQ(-EIDRM, mp_set_access(s2, at.pool_id, MPOOL_ACCESS_ALL));
	close(s2);
	close(ro);
}

/* The idle buffers every CPU's cache holds, per debugfs (-1: not known). */
static long long cached_total(const char *pool)
{
	char path[256], *buf, *line;
	long long total = 0;
	int cpu, n;
	char cached[32];

	snprintf(path, sizeof(path), MP_DBG_DIR "/u.%s/percpu", pool);
	buf = mp_slurp(path);
	if (!buf)
		return -1;
	line = strchr(buf, '\n');	/* past the header */
	while (line && *++line) {
		n = sscanf(line, "%d %31s", &cpu, cached);
		if (n == 2 && cached[0] != '-')
			total += strtoll(cached, NULL, 10);
		line = strchr(line, '\n');
	}
	free(buf);
	return total;
}

/*
 * Lease everything on one CPU, give it back on another: the percpu engine
 * keeps those buffers in the second CPU's cache. A drain gathers them
 * (drained says how many), and one lease of every free buffer succeeds.
 */
TEST_F(cfg, drain_then_lease_every_free_buffer)
{
	const __u32 n = 48;
	__u32 ids[MAXN], drained, extra;
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	long long before, after;
	int cpus[2], ncpu, i;

	ncpu = mp_cpus(cpus, 2);
	ASSERT_LE(1, ncpu);
	ASSERT_EQ(0, make(self, variant->engine, n, 0, &c));
	ASSERT_EQ(0, mp_pin(cpus[0]));
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, ids, n));
	if (ncpu > 1) {
		ASSERT_EQ(0, mp_pin(cpus[1]));
	} else {
		TH_LOG("one CPU: releasing on the same CPU");
	}
	/* One at a time: what a cache fills up with. */
	for (i = 0; i < (int)n; i++)
		ASSERT_EQ(0, mp_release(self->fd, c.pool_id, &ids[i], 1));
	ASSERT_EQ(0, mp_pin(cpus[0]));
	check_stats(_metadata, self->fd, c.pool_id, self->page, n, 0, 0);

	before = cached_total(self->names[0]);
	TH_LOG("%s: %lld buffers in CPU caches before the drain", mp_engine_name(variant->engine),
	       before);
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, &drained));
	after = cached_total(self->names[0]);
	if (before >= 0) {
		/* Drained: what the caches held (no quarantine here). */
		ASSERT_EQ(before, drained);
		ASSERT_EQ(0, after);
	}
	if (variant->engine != MPOOL_ENG_PERCPU)
		ASSERT_EQ(0, drained);
	check_stats(_metadata, self->fd, c.pool_id, self->page, n, 0, 0);

	/* All or nothing, all of it, on the first CPU. */
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, ids, n));
	check_stats(_metadata, self->fd, c.pool_id, self->page, n, n, n);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c.pool_id, &extra, 1));
	ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
	ASSERT_EQ(0, st.nr_free);

	/* Released on the first CPU this time: a second drain, and again. */
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, ids, n));
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, &drained));
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, &drained));
	ASSERT_EQ(0, drained);
	if (before >= 0)
		ASSERT_EQ(0, cached_total(self->names[0]));
	ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, ids, n));
	ASSERT_EQ(0, mp_release(self->fd, c.pool_id, ids, n));
}

/*
 * Hostile races on resize. Worker processes, each a session of its own
 * with its whole window mapped, lease, check the buffer reads as zeros,
 * paint it with the worker's own byte, release it and check it is gone
 * from their mapping; a second thread of each reads random pages of the
 * window all along, where only zeros or the worker's own byte may ever
 * show. Meanwhile the owner resizes the pool up and down (and drains)
 * as fast as it can. Afterwards every counter must add up.
 */
#define RACE_WORKERS	3
#define RACE_MAX	32
#define RACE_ROUNDS	1000
#define RACE_MS		500
#define RACE_CAP	200000

struct race_shared {
	volatile int stop;
	volatile int ready;
	/* Per worker: what went wrong. */
	int not_zero[RACE_WORKERS];	/* a new lease showed old bytes */
	int foreign[RACE_WORKERS];	/* another worker's byte seen */
	int kept[RACE_WORKERS];		/* readable after release */
	int bad_id[RACE_WORKERS];	/* an id out of range or given twice */
	int lease_err[RACE_WORKERS];	/* neither 0 nor EAGAIN */
	int release_err[RACE_WORKERS];
	int leases[RACE_WORKERS];
};

/* A probe any thread can make: SIGBUS and SIGSEGV jump back per thread. */
static __thread sigjmp_buf race_env;

static void race_handler(int sig)
{
	siglongjmp(race_env, sig);
}

static void race_handlers(void)
{
	struct sigaction sa = { .sa_handler = race_handler, .sa_flags = SA_NODEFER };

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* The byte at @p, or -signal. */
static int race_read(volatile unsigned char *p)
{
	int sig = sigsetjmp(race_env, 1);

	if (sig)
		return -sig;
	return *p;
}

struct race_worker {
	struct race_shared *sh;
	int w, fd;
	__u32 pool_id;
	unsigned char *map;
	long page;
	volatile int done;
};

static void *race_toucher(void *arg)
{
	struct race_worker *rw = arg;
	unsigned int seed = rw->w * 7919 + 1;
	unsigned char tag = 0x10 + rw->w;
	long n;
	int v;

	for (n = 0; n < RACE_CAP * 8 && !rw->done; n++) {
		__u32 id = rand_r(&seed) % RACE_MAX;
		unsigned char *p = rw->map + (size_t)id * rw->page;
		long off = rand_r(&seed) % rw->page;

		v = race_read(p + off);
		if (v > 0 && v != tag)
			__atomic_add_fetch(&rw->sh->foreign[rw->w], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int race_worker_run(struct race_worker *rw)
{
	struct race_shared *sh = rw->sh;
	unsigned char tag = 0x10 + rw->w;
	unsigned int seed = rw->w + 100;
	bool mine[RACE_MAX] = {};
	__u32 ids[2], n, i;
	pthread_t th;
	long it;
	int ret;

	race_handlers();
	if (pthread_create(&th, NULL, race_toucher, rw))
		return 2;
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (it = 0; it < RACE_CAP && !sh->stop; it++) {
		n = 1 + rand_r(&seed) % 2;
		ret = mp_lease(rw->fd, rw->pool_id, ids, n);
		if (ret == -EAGAIN)
			continue;
		if (ret) {
			sh->lease_err[rw->w]++;
			continue;
		}
		sh->leases[rw->w] += n;
		for (i = 0; i < n; i++) {
			unsigned char *p = rw->map + (size_t)ids[i] * rw->page;

			if (ids[i] >= RACE_MAX || mine[ids[i]]) {
				sh->bad_id[rw->w]++;
				continue;
			}
			mine[ids[i]] = true;
			if (!mp_all_zero(p, rw->page))
				sh->not_zero[rw->w]++;
			memset(p, tag, rw->page);
			if (p[rw->page - 1] != tag || p[0] != tag)
				sh->foreign[rw->w]++;
		}
		if (mp_release(rw->fd, rw->pool_id, ids, n)) {
			sh->release_err[rw->w]++;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (ids[i] >= RACE_MAX)
				continue;
			mine[ids[i]] = false;
			if (race_read(rw->map + (size_t)ids[i] * rw->page) != -SIGBUS)
				sh->kept[rw->w]++;
		}
	}
	rw->done = 1;
	pthread_join(th, NULL);
	return 0;
}

TEST_F(cfg, resize_races_lease_fault_release)
{
	struct race_shared *sh;
	struct mpool_pool_create c;
	struct mpool_info i0, i1;
	pid_t pids[RACE_WORKERS];
	unsigned int seed = 42;
	__u32 now = 8, want, old;
	long long t0;
	int w, r, drains = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, mp_info(self->fd, &i0));
	ASSERT_EQ(0, make(self, variant->engine, 8, RACE_MAX, &c));

	for (w = 0; w < RACE_WORKERS; w++) {
		pids[w] = fork();
		ASSERT_LE(0, pids[w]);
		if (!pids[w]) {
			struct race_worker rw = { .sh = sh, .w = w, .page = self->page };
			struct mpool_pool_attach at;

			rw.fd = mp_open();
			if (rw.fd < 0 || mp_attach(rw.fd, self->names[0], &at))
				_exit(3);
			rw.pool_id = at.pool_id;
			rw.map = mp_map(rw.fd, at.mmap_offset, at.mmap_len);
			if (rw.map == MAP_FAILED)
				_exit(4);
			_exit(race_worker_run(&rw));
		}
	}
	/* Bounded: a worker that failed early must not hang us. */
	t0 = mp_now_ns();
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < RACE_WORKERS &&
	       mp_now_ns() - t0 < 5000000000LL)
		sched_yield();

	t0 = mp_now_ns();
	for (r = 0; r < RACE_ROUNDS && mp_now_ns() - t0 < RACE_MS * 1000000LL; r++) {
		want = 1 + rand_r(&seed) % RACE_MAX;
		old = now;
		ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, want, &now))
			TH_LOG("round %d: resize %u -> %u", r, old, want);
		if (want >= old) {
			ASSERT_EQ(want, now);
		} else {
			ASSERT_TRUE(now >= want && now <= old)
				TH_LOG("%u -> %u: %u", old, want, now);
		}
		if (!(r % 8)) {
			ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, NULL));
			drains++;
		}
	}
	sh->stop = 1;
	for (w = 0; w < RACE_WORKERS; w++)
		ASSERT_EQ(0, mp_wait(pids[w])) TH_LOG("worker %d", w);
	TH_LOG("%d resizes, %d drains; leases %d %d %d", r, drains, sh->leases[0],
	       sh->leases[1], sh->leases[2]);
	for (w = 0; w < RACE_WORKERS; w++) {
		EXPECT_EQ(0, sh->not_zero[w]) TH_LOG("worker %d saw old bytes", w);
		EXPECT_EQ(0, sh->foreign[w]) TH_LOG("worker %d saw another's bytes", w);
		EXPECT_EQ(0, sh->kept[w]) TH_LOG("worker %d kept a released buffer", w);
		EXPECT_EQ(0, sh->bad_id[w]) TH_LOG("worker %d got a bad id", w);
		EXPECT_EQ(0, sh->lease_err[w]);
		EXPECT_EQ(0, sh->release_err[w]);
	}

	/* Quiet now: every counter adds up, and the memory is what is held. */
	check_stats(_metadata, self->fd, c.pool_id, self->page, now, 0, 0);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used + (__u64)now * self->page, i1.bytes_used);
	/* Every buffer is free: all can go but one, and all can come back. */
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	ASSERT_EQ(1, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 1, 0, 0);
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, RACE_MAX, &now));
	ASSERT_EQ(RACE_MAX, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, RACE_MAX, 0, 0);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used + (__u64)RACE_MAX * self->page, i1.bytes_used);
	munmap(sh, sizeof(*sh));
}

/*
 * A pool destroyed while another session of its owner resizes it and
 * leases from it: the resize and the lease see EIDRM (never a crash, a
 * grow of a destroyed pool, or a charge left behind), and once the
 * sessions are gone so is every byte.
 */
#define DESTROY_ROUNDS	25

TEST_F(cfg, destroy_races_resize_and_lease)
{
	struct mpool_info i0, i1;
	int round;

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	for (round = 0; round < DESTROY_ROUNDS; round++) {
		char name[MPOOL_POOL_NAME_MAX];
		struct mpool_pool_create c;
		int s, go[2], r;
		pid_t pid;

		mp_name(name, "cfgd");
		s = mp_open();
		ASSERT_LE(0, s);
		ASSERT_EQ(0, mp_create_cfg(s, name, variant->engine, self->page, 2, 16,
					   MPOOL_ACCESS_OWNER, false, &c));
		ASSERT_EQ(0, pipe(go));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct mpool_pool_attach at;
			unsigned int seed = round;
			__u32 id, now;
			bool gone = false;
			char *m;
			int fd, ret;
			long it;

			close(go[0]);
			fd = mp_open();
			if (fd < 0 || mp_attach(fd, name, &at))
				_exit(3);
			m = mp_map(fd, at.mmap_offset, at.mmap_len);
			if (m == MAP_FAILED)
				_exit(4);
			mp_signal_fd(go[1]);
			for (it = 0; it < RACE_CAP && !gone; it++) {
				ret = mp_resize(fd, at.pool_id, 1 + rand_r(&seed) % 16, &now);
				if (ret == -EIDRM)
					gone = true;
				else if (ret)
					_exit(5);
				ret = mp_lease(fd, at.pool_id, &id, 1);
				if (ret == -EIDRM) {
					gone = true;
				} else if (!ret) {
					if (id >= 16 || !mp_all_zero(m + (size_t)id * self->page,
								   self->page))
						_exit(6);
					memset(m + (size_t)id * self->page, 0x5a, self->page);
					if (mp_release(fd, at.pool_id, &id, 1))
						_exit(7);
				} else if (ret != -EAGAIN) {
					_exit(8);
				}
			}
			/* Destroyed: nothing can be leased or grown again. */
			if (!gone || mp_resize(fd, at.pool_id, 16, NULL) != -EIDRM ||
			    mp_lease(fd, at.pool_id, &id, 1) != -EIDRM)
				_exit(9);
			_exit(0);
		}
		close(go[1]);
		ASSERT_EQ(0, mp_wait_fd(go[0]));
		close(go[0]);
		/* A few resizes of our own, then the pool goes under the child. */
		for (r = 0; r < round % 4; r++)
			ASSERT_EQ(0, mp_resize(s, c.pool_id, 1 + (r * 5) % 16, NULL));
		ASSERT_EQ(0, mp_destroy(s, c.pool_id));
		ASSERT_EQ(-EIDRM, mp_resize(s, c.pool_id, 4, NULL));
		ASSERT_EQ(0, mp_wait(pid)) TH_LOG("round %d", round);
		close(s);
	}
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used, i1.bytes_used);
	ASSERT_EQ(i0.nr_pools, i1.nr_pools);
	ASSERT_EQ(i0.user_bytes, i1.user_bytes);
	ASSERT_EQ(i0.user_pools, i1.user_pools);
}

/*
 * Sessions that end holding leases and mappings (their process exits, or
 * is killed) while the owner resizes: the session's end returns every
 * lease as a release would, a shrink never takes a buffer still leased or
 * mapped, and the counters add up afterwards.
 */
#define END_ROUNDS	30

TEST_F(cfg, resize_races_sessions_ending_with_leases)
{
	struct mpool_pool_create c;
	struct mpool_info i0, i1;
	unsigned int seed = 7;
	__u32 now = 8, want;
	pid_t pids[2];
	int round, k, rc;

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	ASSERT_EQ(0, make(self, variant->engine, 8, RACE_MAX, &c));
	for (round = 0; round < END_ROUNDS; round++) {
		for (k = 0; k < 2; k++) {
			pids[k] = fork();
			ASSERT_LE(0, pids[k]);
			if (!pids[k]) {
				struct mpool_pool_attach at;
				__u32 ids[4], i;
				char *m;
				int fd, ret;

				close(self->fd);
				fd = mp_open();
				if (fd < 0 || mp_attach(fd, self->names[0], &at))
					_exit(3);
				m = mp_map(fd, at.mmap_offset, at.mmap_len);
				if (m == MAP_FAILED)
					_exit(4);
				ret = mp_lease(fd, at.pool_id, ids, 1 + (round + k) % 4);
				if (ret && ret != -EAGAIN)
					_exit(5);
				for (i = 0; !ret && i < 1 + (round + k) % 4u; i++) {
					char *p = m + (size_t)ids[i] * self->page;

					if (ids[i] >= RACE_MAX || !mp_all_zero(p, self->page))
						_exit(6);
					memset(p, 0x33, self->page);
				}
				/* Killed with its leases, or gone by exit. */
				if (k)
					raise(SIGKILL);
				_exit(0);
			}
		}
		want = 1 + rand_r(&seed) % RACE_MAX;
		ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, want, &now));
		for (k = 0; k < 2; k++) {
			rc = mp_wait(pids[k]);
			ASSERT_EQ(k ? 128 + SIGKILL : 0, rc) TH_LOG("round %d child %d", round, k);
		}
	}
	/* Every session is gone: its leases with it. */
	check_stats(_metadata, self->fd, c.pool_id, self->page, now, 0, 0);
	ASSERT_EQ(0, mp_drain(self->fd, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	ASSERT_EQ(1, now);
	check_stats(_metadata, self->fd, c.pool_id, self->page, 1, 0, 0);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used + self->page, i1.bytes_used);
	ASSERT_EQ(i0.user_leases, i1.user_leases);
}

/*
 * A lease waiting (MPOOL_LEASE_F_WAIT) for more buffers than the pool
 * holds: a grow wakes it with buffers that are zeroed and its own; a
 * shrink does not take what it waits for from under it; a destroy wakes
 * it with EIDRM.
 */
TEST_F(cfg, waiters_follow_resize_and_destroy)
{
	struct mpool_pool_create c;
	__u32 ids[4], now;
	pid_t pid;
	int rc;

	ASSERT_EQ(0, make(self, variant->engine, 2, 8, &c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *m = mp_map(self->fd, c.mmap_offset, c.mmap_len);
		int i;

		if (m == MAP_FAILED)
			_exit(3);
		if (mp_lease_ex(self->fd, c.pool_id, ids, 4, MPOOL_LEASE_F_WAIT, 0))
			_exit(4);
		for (i = 0; i < 4; i++) {
			if (ids[i] >= 8 || !mp_all_zero(m + (size_t)ids[i] * self->page,
							 self->page))
				_exit(5);
		}
		_exit(mp_release(self->fd, c.pool_id, ids, 4) ? 6 : 0);
	}
	rc = mp_wait_blocked_in_ioctl(pid);
	if (rc)
		kill(pid, SIGKILL);
	ASSERT_EQ(0, rc);
	/* Shrinking while it waits: still waiting, nothing taken. */
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 1, &now));
	ASSERT_LE(1, now);
	ASSERT_EQ(0, mp_resize(self->fd, c.pool_id, 4, &now));
	ASSERT_EQ(4, now);
	ASSERT_EQ(0, mp_wait(pid));
	check_stats(_metadata, self->fd, c.pool_id, self->page, 4, 0, 0);

	/* Waiting for more than there is when the pool goes: EIDRM. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		rc = mp_lease_ex(self->fd, c.pool_id, ids, 8, MPOOL_LEASE_F_WAIT, 0);
		_exit(rc == -EIDRM ? 0 : 7);
	}
	rc = mp_wait_blocked_in_ioctl(pid);
	if (rc)
		kill(pid, SIGKILL);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	ASSERT_EQ(0, mp_wait(pid));
	self->nr = 0;
}

/*
 * Two sessions of the owner reconfigure one pool at once (resize, drain,
 * thresholds, access) while a third reads it back: POOL_CONFIG serializes
 * them, so that whatever order they ran in, the pool ends consistent and
 * charged for exactly what it holds.
 */
#define CONC_ROUNDS	150

TEST_F(cfg, concurrent_config_from_two_sessions)
{
	struct mpool_pool_create c;
	struct mpool_pool_config cfg;
	struct mpool_pool_stats st;
	struct mpool_info i0, i1;
	pid_t pids[3];
	int k;

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	ASSERT_EQ(0, make(self, variant->engine, 4, RACE_MAX, &c));
	for (k = 0; k < 3; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (!pids[k]) {
			struct mpool_pool_config x;
			struct mpool_pool_attach at;
			struct mpool_pool_stats s;
			unsigned int seed = k + 1;
			int fd, r, ret;

			fd = mp_open();
			if (fd < 0 || mp_attach(fd, self->names[0], &at))
				_exit(3);
			for (r = 0; r < CONC_ROUNDS; r++) {
				memset(&x, 0, sizeof(x));
				if (k == 2) {
					if (mp_config(fd, at.pool_id, 0, &x) ||
					    x.buf_count < 1 || x.buf_count > RACE_MAX ||
					    mp_stats(fd, at.pool_id, &s) ||
					    s.buf_count < 1 || s.buf_count > RACE_MAX)
						_exit(4);
					continue;
				}
				x.buf_count = 1 + rand_r(&seed) % RACE_MAX;
				x.access = rand_r(&seed) % 3;
				x.low_watermark = rand_r(&seed) % (RACE_MAX + 1);
				x.high_watermark = rand_r(&seed) % (RACE_MAX + 1);
				x.fail_permille = rand_r(&seed) % 1001;
				x.hysteresis = rand_r(&seed) % (RACE_MAX + 1);
				ret = mp_config(fd, at.pool_id, 1 + rand_r(&seed) % MPOOL_CONFIG_F_ALL,
						&x);
				if (ret || x.buf_count < 1 || x.buf_count > RACE_MAX)
					_exit(5);
			}
			_exit(0);
		}
	}
	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, mp_wait(pids[k])) TH_LOG("child %d", k);

	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, mp_config(self->fd, c.pool_id, 0, &cfg));
	ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
	ASSERT_EQ(cfg.buf_count, st.buf_count);
	ASSERT_EQ(cfg.access, st.access);
	ASSERT_EQ(cfg.low_watermark, st.low_watermark);
	check_stats(_metadata, self->fd, c.pool_id, self->page, st.buf_count, 0, 0);
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used + (__u64)st.buf_count * self->page, i1.bytes_used);
	ASSERT_EQ(i0.user_bytes + (__u64)st.buf_count * self->page, i1.user_bytes);
}

TEST_HARNESS_MAIN
