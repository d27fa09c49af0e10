// SPDX-License-Identifier: GPL-2.0
/*
 * libmempool, linked from its static archive: the API's error codes, the
 * mapping helpers, and above all the per-thread magazines: that they batch
 * system calls (counted twice: by wrapping ioctl() at link time, and by the
 * library's own counters, both checked against the kernel's lease totals
 * seen from a separate session), that a thread's exit, a fork() and
 * mpl_close() return exactly what they should, and that threads never get
 * the same buffer at once.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include <mempool.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF	256
#define BATCH	16

/* Built with -Wl,--wrap=ioctl: every ioctl() of the library lands here. */
static atomic_ulong nr_lease_ioctls, nr_release_ioctls;

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == MPOOL_IOC_LEASE)
		atomic_fetch_add(&nr_lease_ioctls, 1);
	else if (req == MPOOL_IOC_RELEASE)
		atomic_fetch_add(&nr_release_ioctls, 1);
	return __real_ioctl(fd, req, arg);
}

FIXTURE(lib) {
	struct mpl_dev *dev;
	struct mpl_pool *pool;
	char name[MPOOL_POOL_NAME_MAX];
	/* A raw session of our own: the kernel's view of the pool. */
	int obs;
	__u32 obs_id;
	struct mpool_pool_stats st0;
};

FIXTURE_VARIANT(lib) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(lib, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(lib, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(lib, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(lib)
{
	struct mpool_pool_attach a;
	struct mpl_pool_config cfg = {
		.name = self->name, .engine = variant->engine, .buf_size = mp_page(),
		.buf_count = NBUF, .node = -1,
	};

	MP_SKIP_WITHOUT_DEVICE();
	mp_name(self->name, "lib");
	ASSERT_EQ(0, mpl_open(NULL, &self->dev));
	ASSERT_EQ(0, mpl_pool_create(self->dev, &cfg, &self->pool));
	ASSERT_EQ(0, mpl_set_batch(self->pool, BATCH));
	self->obs = mp_open();
	ASSERT_LE(0, self->obs);
	ASSERT_EQ(0, mp_attach(self->obs, self->name, &a));
	self->obs_id = a.pool_id;
	ASSERT_EQ(0, mp_stats(self->obs, self->obs_id, &self->st0));
	atomic_store(&nr_lease_ioctls, 0);
	atomic_store(&nr_release_ioctls, 0);
}

FIXTURE_TEARDOWN(lib)
{
	mp_destroy(self->obs, self->obs_id);
	close(self->obs);
	mpl_close(self->dev);
}

/* Pool-wide, as the kernel counts: leases and releases since setup. */
static void kernel_view(struct __test_metadata *_metadata, FIXTURE_DATA(lib) *self,
			__u64 *leases, __u64 *releases, __u32 *nr_leased)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(self->obs, self->obs_id, &st));
	*leases = st.leases - self->st0.leases;
	*releases = st.releases - self->st0.releases;
	*nr_leased = st.nr_leased;
}

static __u32 lib_nr_mine(struct __test_metadata *_metadata, struct mpl_pool *pool)
{
	struct mpool_pool_stats st;

	EXPECT_EQ(0, mpl_pool_stats(pool, &st));
	return st.nr_mine;
}

TEST_F(lib, magazine_batches_system_calls)
{
	const unsigned int n = 10 * BATCH;
	uint32_t ids[10 * BATCH];
	struct mpl_counters c;
	__u64 leases, releases;
	__u32 nr_leased;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, mpl_get(self->pool, &ids[i], 0));
		for (j = 0; j < i; j++)
			ASSERT_NE(ids[j], ids[i]);
	}
	/* One refill per BATCH buffers, and nothing more. */
	EXPECT_EQ(n / BATCH, atomic_load(&nr_lease_ioctls));
	EXPECT_EQ(0, atomic_load(&nr_release_ioctls));
	kernel_view(_metadata, self, &leases, &releases, &nr_leased);
	EXPECT_EQ(n, leases);
	EXPECT_EQ(n, nr_leased);

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, mpl_put(self->pool, ids[i]));
	/*
	 * The magazine fills to 2 * BATCH, then gives BATCH back each time:
	 * (n - 2 * BATCH) / BATCH releases, and 2 * BATCH buffers kept.
	 */
	EXPECT_EQ(n / BATCH - 2, atomic_load(&nr_release_ioctls));
	EXPECT_EQ(2 * BATCH, lib_nr_mine(_metadata, self->pool));
	ASSERT_EQ(0, mpl_flush(self->pool));
	EXPECT_EQ(n / BATCH - 1, atomic_load(&nr_release_ioctls));

	kernel_view(_metadata, self, &leases, &releases, &nr_leased);
	EXPECT_EQ(n, leases);
	EXPECT_EQ(n, releases);
	EXPECT_EQ(0, nr_leased);

	/* The library's own counters agree with both. */
	mpl_pool_counters(self->pool, &c);
	EXPECT_EQ(atomic_load(&nr_lease_ioctls), c.lease_calls);
	EXPECT_EQ(atomic_load(&nr_release_ioctls), c.release_calls);
	EXPECT_EQ(leases, c.leased);
	EXPECT_EQ(releases, c.released);
	EXPECT_EQ(n, c.gets);
	EXPECT_EQ(n, c.puts);
}

TEST_F(lib, one_at_a_time_costs_one_call_per_batch)
{
	uint32_t id;
	char *buf;
	int i;

	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, mpl_get(self->pool, &id, 0));
		buf = mpl_buf(self->pool, id);
		ASSERT_NE(NULL, buf);
		ASSERT_EQ(0, mp_write_byte(buf, (char)i));
		ASSERT_EQ(0, mpl_put(self->pool, id));
	}
	EXPECT_EQ(1, atomic_load(&nr_lease_ioctls));
	EXPECT_EQ(0, atomic_load(&nr_release_ioctls));
	EXPECT_EQ(BATCH, lib_nr_mine(_metadata, self->pool));
	ASSERT_EQ(0, mpl_flush(self->pool));
	EXPECT_EQ(1, atomic_load(&nr_release_ioctls));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
}

struct thread_job {
	struct mpl_pool *pool;
	unsigned int get, put;	/* take @get, give @put of them back */
	uint32_t ids[BATCH];
	int err;
};

static void *get_put_exit(void *arg)
{
	struct thread_job *job = arg;
	unsigned int i;

	for (i = 0; i < job->get && !job->err; i++)
		job->err = mpl_get(job->pool, &job->ids[i], 0);
	for (i = 0; i < job->put && !job->err; i++)
		job->err = mpl_put(job->pool, job->ids[i]);
	return NULL;
}

TEST_F(lib, thread_exit_returns_its_magazine)
{
	struct thread_job job = { .pool = self->pool, .get = 5, .put = 2 };
	struct mpl_counters c;
	pthread_t t;
	unsigned int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, get_put_exit, &job));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, job.err);
	/* The magazine's share came back; the 3 the thread kept did not. */
	EXPECT_EQ(3, lib_nr_mine(_metadata, self->pool));
	EXPECT_EQ(1, atomic_load(&nr_lease_ioctls));
	EXPECT_EQ(1, atomic_load(&nr_release_ioctls));
	mpl_pool_counters(self->pool, &c);
	EXPECT_EQ(5, c.gets);
	EXPECT_EQ(2, c.puts);

	/* Another thread's buffers may go back through this one's magazine. */
	for (i = 2; i < 5; i++)
		ASSERT_EQ(0, mpl_put(self->pool, job.ids[i]));
	ASSERT_EQ(0, mpl_flush(self->pool));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
}

/* Exit code bits of the fork() child below. */
#define CHILD_GET	0x01
#define CHILD_STOLE	0x02
#define CHILD_NO_LEASE	0x04
#define CHILD_WRITE	0x08
#define CHILD_SHARED	0x10
#define CHILD_PUT	0x20

TEST_F(lib, fork_child_starts_with_an_empty_magazine)
{
	uint32_t parent_ids[BATCH], id;
	int i, j, code;
	char *buf;
	pid_t pid;

	/* Fill this thread's magazine: BATCH buffers cached, one call. */
	ASSERT_EQ(0, mpl_get(self->pool, &id, 0));
	ASSERT_EQ(0, mpl_put(self->pool, id));
	ASSERT_EQ(BATCH, lib_nr_mine(_metadata, self->pool));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned long calls = atomic_load(&nr_lease_ioctls);

		code = 0;
		if (mpl_get(self->pool, &id, 0))
			code |= CHILD_GET;
		/* A fresh lease, not one of the parent's cached buffers. */
		if (atomic_load(&nr_lease_ioctls) != calls + 1)
			code |= CHILD_NO_LEASE;
		if (lib_nr_mine(_metadata, self->pool) != 2 * BATCH)
			code |= CHILD_SHARED;
		/* The parent's mapping is not inherited: this maps again. */
		buf = mpl_buf(self->pool, id);
		if (!buf || mp_write_byte(buf, 'c'))
			code |= CHILD_WRITE;
		if (mpl_put(self->pool, id))
			code |= CHILD_PUT;
		/* exit(), not _exit(): the library gives the magazine back. */
		exit(code);
	}
	ASSERT_EQ(0, mp_wait(pid));
	EXPECT_EQ(BATCH, lib_nr_mine(_metadata, self->pool));

	/* The parent's magazine is intact: BATCH gets, no system call. */
	for (i = 0; i < BATCH; i++) {
		ASSERT_EQ(0, mpl_get(self->pool, &parent_ids[i], 0));
		for (j = 0; j < i; j++)
			ASSERT_NE(parent_ids[j], parent_ids[i]);
		buf = mpl_buf(self->pool, parent_ids[i]);
		ASSERT_NE(NULL, buf);
		ASSERT_EQ(0, mp_write_byte(buf, 'p'));
	}
	EXPECT_EQ(1, atomic_load(&nr_lease_ioctls));
	ASSERT_EQ(0, mpl_release(self->pool, parent_ids, BATCH));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
}

TEST_F(lib, close_returns_every_lease)
{
	__u64 leases, releases;
	uint32_t ids[4], id;
	__u32 nr_leased;
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, mpl_get(self->pool, &id, 0));
	ASSERT_EQ(0, mpl_lease(self->pool, ids, 4, 0, 0));
	ASSERT_NE(NULL, mpl_buf(self->pool, ids[0]));
	kernel_view(_metadata, self, &leases, &releases, &nr_leased);
	EXPECT_EQ(BATCH + 4, nr_leased);

	/* Mapped, so mpl_close() must unmap for the session to end. */
	ASSERT_EQ(0, mpl_close(self->dev));
	self->dev = NULL;
	kernel_view(_metadata, self, &leases, &releases, &nr_leased);
	EXPECT_EQ(0, nr_leased);
	EXPECT_EQ(leases, releases);
}

TEST_F(lib, put_refuses_bad_and_double_ids)
{
	uint32_t id;

	ASSERT_EQ(0, mpl_get(self->pool, &id, 0));
	ASSERT_EQ(0, mpl_put(self->pool, id));
	EXPECT_EQ(-EINVAL, mpl_put(self->pool, id));
	EXPECT_EQ(-EINVAL, mpl_put(self->pool, NBUF));
	/* Released behind the magazine's back, it would be handed out again. */
	EXPECT_EQ(-EINVAL, mpl_release(self->pool, &id, 1));
	ASSERT_EQ(0, mpl_flush(self->pool));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
	EXPECT_EQ(-EINVAL, mpl_get(self->pool, &id, 0x80));
	EXPECT_EQ(-EINVAL, mpl_lease(self->pool, &id, 1, 0x80, 0));
}

TEST_F(lib, export_and_import_keep_the_books)
{
	uint32_t id, cached, back;
	struct mpool_pool_stats st;
	char *buf, *p;
	int fd;

	ASSERT_EQ(0, mpl_lease(self->pool, &id, 1, 0, 0));
	buf = mpl_buf(self->pool, id);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x6d, mp_page());
	EXPECT_EQ(-EINVAL, mpl_export(self->pool, id, 0x4, &fd));
	EXPECT_EQ(-EINVAL, mpl_export(self->pool, id, 0, NULL));
	ASSERT_EQ(0, mpl_export(self->pool, id, MPL_EXPORT_RDONLY, &fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(SIGBUS, mp_read_sig(buf));
	EXPECT_EQ(-EINVAL, mpl_release(self->pool, &id, 1));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
	p = mmap(NULL, mp_page(), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ((char)0x6d, p[mp_page() - 1]);
	EXPECT_EQ(-EBUSY, mpl_import(self->pool, fd, &back));
	ASSERT_EQ(0, munmap(p, mp_page()));
	ASSERT_EQ(0, mpl_import(self->pool, fd, &back));
	ASSERT_EQ(id, back);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ((char)0x6d, buf[0]);
	ASSERT_EQ(0, mpl_release(self->pool, &id, 1));

	/* A buffer in the magazine is not the program's to export. */
	ASSERT_EQ(0, mpl_get(self->pool, &cached, 0));
	ASSERT_EQ(0, mpl_put(self->pool, cached));
	EXPECT_EQ(-EINVAL, mpl_export(self->pool, cached, 0, &fd));
	ASSERT_EQ(0, mpl_flush(self->pool));
	ASSERT_EQ(0, mp_stats(self->obs, self->obs_id, &st));
	EXPECT_EQ(0, st.nr_exported);
	EXPECT_EQ(self->st0.exports + 1, st.exports);
	EXPECT_EQ(self->st0.imports + 1, st.imports);
}

TEST_F(lib, zero_flag_clears_a_recycled_buffer)
{
	uint32_t id, again;
	char *buf;

	ASSERT_EQ(0, mpl_get(self->pool, &id, 0));
	buf = mpl_buf(self->pool, id);
	ASSERT_NE(NULL, buf);
	EXPECT_TRUE(mp_all_zero(buf, mp_page()));
	memset(buf, 0xab, mp_page());
	ASSERT_EQ(0, mpl_put(self->pool, id));

	/* Last in, first out: the same buffer, still dirty... */
	ASSERT_EQ(0, mpl_get(self->pool, &again, 0));
	ASSERT_EQ(id, again);
	EXPECT_EQ((char)0xab, buf[mp_page() - 1]);
	ASSERT_EQ(0, mpl_put(self->pool, again));
	/* ...unless asked. */
	ASSERT_EQ(0, mpl_get(self->pool, &again, MPL_ZERO));
	ASSERT_EQ(id, again);
	EXPECT_TRUE(mp_all_zero(buf, mp_page()));
	ASSERT_EQ(0, mpl_put(self->pool, again));
}

TEST_F(lib, map_addresses_round_trip)
{
	uint32_t ids[2];
	void *base;
	char *b;

	ASSERT_EQ(0, mpl_lease(self->pool, ids, 2, 0, 0));
	ASSERT_EQ(0, mpl_map(self->pool, &base));
	b = mpl_buf(self->pool, ids[1]);
	EXPECT_EQ((char *)base + (size_t)ids[1] * mp_page(), b);
	EXPECT_EQ(ids[1], mpl_buf_id(self->pool, b + 5));
	EXPECT_EQ(-EINVAL, mpl_buf_id(self->pool, (char *)base - 1));
	errno = 0;
	EXPECT_EQ(NULL, mpl_buf(self->pool, NBUF));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mp_write_byte(b, 1));
	/* Released: the mapping of that buffer is revoked. */
	ASSERT_EQ(0, mpl_release(self->pool, ids, 2));
	EXPECT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(0, mpl_unmap(self->pool));
	EXPECT_EQ(-EINVAL, mpl_buf_id(self->pool, b));
}

TEST_F(lib, errors_are_negative_errno)
{
	struct mpl_pool_config cfg = {
		.name = self->name, .engine = variant->engine, .buf_size = mp_page(),
		.buf_count = 4, .node = -1,
	};
	struct mpl_pool *p;
	struct mpl_dev *d;
	uint32_t ids[2];

	EXPECT_EQ(-ENOENT, mpl_open("/dev/no-such-mempool", &d));
	EXPECT_EQ(-ENOENT, mpl_pool_attach(self->dev, "no-such-pool", &p));
	EXPECT_EQ(-EINVAL, mpl_pool_attach(self->dev, "bad name!", &p));
	EXPECT_EQ(-EINVAL, mpl_pool_attach(self->dev, "", &p));
	EXPECT_EQ(-EEXIST, mpl_pool_create(self->dev, &cfg, &p));
	cfg.name = "a-name-that-is-far-too-long";
	EXPECT_EQ(-EINVAL, mpl_pool_create(self->dev, &cfg, &p));
	EXPECT_EQ(-EINVAL, mpl_lease(self->pool, ids, 0, 0, 0));
	EXPECT_EQ(-E2BIG, mpl_lease(self->pool, ids, NBUF + 1, 0, 0));
	EXPECT_EQ(-EINVAL, mpl_set_batch(self->pool, 0));
	EXPECT_EQ(-EINVAL, mpl_set_batch(self->pool, MPL_BATCH_MAX + 1));
	EXPECT_NE(NULL, strstr(mpl_strerror(-EAGAIN), "free"));
	EXPECT_NE(NULL, strstr(mpl_strerror(EIDRM), "destroyed"));
	EXPECT_STREQ("Bad file descriptor", mpl_strerror(-EBADF));
	EXPECT_EQ(MPOOL_ENG_LOCKFREE, mpl_engine_parse("lockfree"));
	EXPECT_EQ(-EINVAL, mpl_engine_parse("slab"));
	EXPECT_STREQ(mpl_engine_name(variant->engine), mp_engine_name(variant->engine));
}

TEST_F(lib, attach_reuses_or_makes_handles)
{
	struct mpool_pool_stats st;
	struct mpl_pool *p, *q;
	struct mpl_dev *d;
	uint32_t id;

	/* Already attached in this session: the same handle. */
	ASSERT_EQ(0, mpl_pool_attach(self->dev, self->name, &p));
	EXPECT_EQ(self->pool, p);
	EXPECT_STREQ(self->name, mpl_pool_name(p));
	EXPECT_EQ(NBUF, mpl_pool_buf_count(p));
	EXPECT_EQ(mp_page(), mpl_pool_buf_size(p));
	EXPECT_EQ(variant->engine, mpl_pool_engine(p));

	ASSERT_EQ(0, mpl_open(NULL, &d));
	ASSERT_EQ(0, mpl_pool_attach(d, self->name, &q));
	EXPECT_NE(self->pool, q);
	ASSERT_EQ(0, mpl_pool_stats(q, &st));
	EXPECT_EQ(3, st.nr_sessions);	/* the fixture's, the observer's, d */
	/* Sessions are separate: d cannot give back what self->dev leased. */
	ASSERT_EQ(0, mpl_lease(self->pool, &id, 1, 0, 0));
	EXPECT_EQ(-EINVAL, mpl_release(q, &id, 1));
	ASSERT_EQ(0, mpl_close(d));
	ASSERT_EQ(0, mpl_release(self->pool, &id, 1));
	/* A destroyed pool's handle stays; leasing from it is refused. */
	ASSERT_EQ(0, mpl_pool_destroy(self->pool));
	EXPECT_EQ(-EIDRM, mpl_pool_destroy(self->pool));
	EXPECT_EQ(-EIDRM, mpl_get(self->pool, &id, 0));
}

/* MPL_POOL_SESSION: the pool goes with the creator's last session. */
TEST_F(lib, session_pool_ends_with_its_session)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpl_pool_config cfg = {
		.name = name, .engine = variant->engine, .buf_size = mp_page(),
		.buf_count = 2, .node = -1, .flags = MPL_POOL_SESSION,
	};
	struct mpool_pool_stats st;
	struct mpl_pool *p, *q;
	struct mpl_dev *d;

	mp_name(name, "libsess");
	ASSERT_EQ(0, mpl_open(NULL, &d));
	cfg.flags = 0x80;
	EXPECT_EQ(-EINVAL, mpl_pool_create(d, &cfg, &p));
	cfg.flags = MPL_POOL_SESSION;
	ASSERT_EQ(0, mpl_pool_create(d, &cfg, &p));
	ASSERT_EQ(0, mpl_pool_stats(p, &st));
	EXPECT_EQ(MPOOL_CREATE_F_SESSION, st.create_flags & MPOOL_CREATE_F_SESSION);
	EXPECT_EQ(geteuid(), st.owner_uid);
	ASSERT_EQ(0, mpl_close(d));
	EXPECT_EQ(-ENOENT, mpl_pool_attach(self->dev, name, &q));
	/* The fixture's pool is persistent: it is still there. */
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(0, st.create_flags & MPOOL_CREATE_F_SESSION);
	EXPECT_EQ(0, st.state);
}

struct waiter {
	struct mpl_pool *pool;
	atomic_int tid;
	uint32_t id;
	int err;
};

static void *wait_for_one(void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->tid, gettid());
	w->err = mpl_get(w->pool, &w->id, MPL_WAIT);
	return NULL;
}

TEST_F(lib, short_pool_fails_fast_or_waits)
{
	struct mpl_pool_config cfg = {
		.engine = variant->engine, .buf_size = mp_page(), .buf_count = 8, .node = -1,
	};
	struct waiter w = { 0 };
	char name[MPOOL_POOL_NAME_MAX];
	struct mpl_pool *small;
	unsigned long before;
	uint32_t ids[8], id;
	pthread_t t;
	int i;

	mp_name(name, "small");
	cfg.name = name;
	ASSERT_EQ(0, mpl_pool_create(self->dev, &cfg, &small));
	ASSERT_EQ(0, mpl_set_batch(small, 3));
	/* 3 + 3, then 2 left: the batch shrinks to what the pool has. */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, mpl_get(small, &ids[i], 0));
	before = atomic_load(&nr_lease_ioctls);
	EXPECT_EQ(-EAGAIN, mpl_get(small, &id, 0));
	/* Halving: 3, 2, 1: a bounded number of tries. */
	EXPECT_EQ(3, atomic_load(&nr_lease_ioctls) - before);

	w.pool = small;
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_for_one, &w));
	while (!atomic_load(&w.tid))
		sched_yield();
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(atomic_load(&w.tid)));
	ASSERT_EQ(0, mpl_release(small, &ids[5], 1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, w.err);
	EXPECT_EQ(ids[5], w.id);
	ASSERT_EQ(0, mpl_pool_destroy(small));
}

#define NTHREADS	4
#define NOPS		20000
#define HOLD		8

struct stress {
	struct mpl_pool *pool;
	atomic_int owner[NBUF];	/* thread number + 1, or 0 */
	atomic_int errors;
};

struct stress_arg {
	struct stress *s;
	int me;
};

static void *stress_thread(void *arg)
{
	struct stress_arg *a = arg;
	struct stress *s = a->s;
	unsigned int seed = a->me, held = 0, i;
	uint32_t ids[HOLD];

	for (i = 0; i < NOPS; i++) {
		if (held < HOLD && (!held || rand_r(&seed) % 2)) {
			if (mpl_get(s->pool, &ids[held], 0) ||
			    atomic_exchange(&s->owner[ids[held]], a->me + 1))
				atomic_fetch_add(&s->errors, 1);
			held++;
		} else {
			/* Give back a random one, not just the newest. */
			uint32_t k = rand_r(&seed) % held, id = ids[k];

			ids[k] = ids[--held];
			if (atomic_exchange(&s->owner[id], 0) != a->me + 1 ||
			    mpl_put(s->pool, id))
				atomic_fetch_add(&s->errors, 1);
		}
	}
	while (held) {
		atomic_store(&s->owner[ids[--held]], 0);
		if (mpl_put(s->pool, ids[held]))
			atomic_fetch_add(&s->errors, 1);
	}
	/* The magazine goes back at thread exit. */
	return NULL;
}

TEST_F(lib, threads_never_share_a_buffer)
{
	static struct stress s;
	struct stress_arg args[NTHREADS];
	pthread_t t[NTHREADS];
	struct mpl_counters c;
	int i;

	memset(&s, 0, sizeof(s));
	s.pool = self->pool;
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct stress_arg){ .s = &s, .me = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stress_thread, &args[i]));
	}
	for (i = 0; i < NTHREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	EXPECT_EQ(0, atomic_load(&s.errors));
	EXPECT_EQ(0, lib_nr_mine(_metadata, self->pool));
	mpl_pool_counters(self->pool, &c);
	EXPECT_EQ(c.gets, c.puts);
	EXPECT_EQ(c.leased, c.released);
	/* Most gets and puts never reached the kernel. */
	EXPECT_GT(c.gets / 4, c.lease_calls + c.release_calls);
}

/* A session-scoped pool of @count buffers that may grow to @max, in @d. */
static int opts_pool(struct mpl_dev *d, char name[MPOOL_POOL_NAME_MAX], __u32 engine,
		     uint32_t count, uint32_t max, uint32_t access, struct mpl_pool **p)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = MPL_POOL_SESSION, .access = access,
		 .max_buf_count = max);

	mp_name(name, "libopts");
	return mpl_pool_create_opts(d, name, engine, mp_page(), count, &opts, p);
}

TEST_F(lib, create_opts_sets_access_and_room_to_grow)
{
	struct {
		struct mpl_pool_opts o;
		uint64_t newer;
	} big = { .o = { .sz = sizeof(big) }, .newer = 1 };
	struct mpl_pool_opts tiny = { .sz = 2 };
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_stats st;
	struct mpl_pool *p;
	struct mpl_dev *d;

	ASSERT_EQ(0, mpl_open(NULL, &d));
	mp_name(name, "libopts");
	/* A newer caller's field this library does not know, set: refused. */
	EXPECT_EQ(-E2BIG, mpl_pool_create_opts(d, name, variant->engine, mp_page(), 4, &big.o,
					       &p));
	EXPECT_EQ(-EINVAL, mpl_pool_create_opts(d, name, variant->engine, mp_page(), 4, &tiny,
						&p));
	EXPECT_EQ(-EINVAL, opts_pool(d, name, variant->engine, 16, 8, MPOOL_ACCESS_OWNER, &p));
	EXPECT_EQ(-EINVAL, opts_pool(d, name, variant->engine, 16, 32, 7, &p));

	ASSERT_EQ(0, opts_pool(d, name, variant->engine, 16, 64, MPOOL_ACCESS_ALL, &p));
	EXPECT_EQ(16, mpl_pool_buf_count(p));
	EXPECT_EQ(64, mpl_pool_max_buf_count(p));
	ASSERT_EQ(0, mpl_pool_stats(p, &st));
	EXPECT_EQ(16, st.buf_count);
	EXPECT_EQ(64, st.max_buf_count);
	EXPECT_EQ(MPOOL_ACCESS_ALL, st.access);
	EXPECT_EQ(64 * mp_page(), st.mmap_len);
	EXPECT_EQ(getegid(), st.owner_gid);

	/* The fixture's pool, made the old way: owner only, cannot grow. */
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(MPOOL_ACCESS_OWNER, st.access);
	EXPECT_EQ(NBUF, st.max_buf_count);
	EXPECT_EQ(NBUF, mpl_pool_max_buf_count(self->pool));
	EXPECT_EQ(-EINVAL, mpl_pool_resize(self->pool, NBUF + 1, NULL));

	EXPECT_STREQ("group", mpl_access_name(MPOOL_ACCESS_GROUP));
	EXPECT_STREQ("unknown", mpl_access_name(3));
	EXPECT_EQ(MPOOL_ACCESS_ALL, mpl_access_parse("all"));
	EXPECT_EQ(-EINVAL, mpl_access_parse("world"));
	EXPECT_STREQ("low", mpl_event_name(MPOOL_EVENT_LOW));
	EXPECT_STREQ("destroyed", mpl_event_name(MPOOL_EVENT_DESTROYED));
	ASSERT_EQ(0, mpl_close(d));
	/* Session-scoped: gone with its session. */
	EXPECT_EQ(-ENOENT, mpl_pool_attach(self->dev, name, &p));
}

/* MPL_POOL_HUGE reaches the kernel: one PMD maps the first 2 MiB touched. */
TEST_F(lib, create_opts_huge_maps_by_pmd)
{
	MPL_OPTS(mpl_pool_opts, o, .flags = MPL_POOL_SESSION | MPL_POOL_HUGE);
	const uint64_t sz = 2UL << 20;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_stats st;
	struct mpool_info info;
	struct mpl_pool *p;
	unsigned char *b;
	void *base;
	uint32_t id;

	ASSERT_EQ(0, mpl_info(self->dev, &info));
	if (!(info.features & MPOOL_FEAT_HUGE))
		SKIP(return, "no MPOOL_FEAT_HUGE");
	mp_name(name, "libhuge");
	EXPECT_EQ(-EINVAL, mpl_pool_create_opts(self->dev, name, variant->engine, mp_page(), 2,
						&o, &p));
	ASSERT_EQ(0, mpl_pool_create_opts(self->dev, name, variant->engine, sz, 2, &o, &p));
	ASSERT_EQ(0, mpl_pool_stats(p, &st));
	EXPECT_EQ(MPOOL_CREATE_F_HUGE, st.create_flags & MPOOL_CREATE_F_HUGE);
	ASSERT_EQ(0, mpl_map(p, &base));
	ASSERT_EQ(0, mpl_lease(p, &id, 1, 0, 0));
	b = mpl_buf(p, id);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, (uintptr_t)b % sz);
	b[0] = 1;
	b[sz - 1] = 2;
	ASSERT_EQ(0, mpl_pool_stats(p, &st));
	EXPECT_EQ(1, st.pmd_maps);
	EXPECT_EQ(0, st.pte_misaligned + st.pte_disabled + st.pte_other);
	EXPECT_EQ(0, mpl_release(p, &id, 1));
}

TEST_F(lib, resize_grows_into_the_mapping_and_shrinks_free_buffers_only)
{
	char name[MPOOL_POOL_NAME_MAX], v;
	struct mpool_pool_stats st;
	uint32_t ids[32], now;
	struct mpl_pool *p;
	struct mpl_dev *d;
	unsigned int i, j;
	char *b;

	ASSERT_EQ(0, mpl_open(NULL, &d));
	ASSERT_EQ(0, opts_pool(d, name, variant->engine, 16, 64, MPOOL_ACCESS_OWNER, &p));
	ASSERT_EQ(0, mpl_lease(p, ids, 16, 0, 0));
	for (i = 0; i < 16; i++) {
		b = mpl_buf(p, ids[i]);
		ASSERT_NE(NULL, b);
		ASSERT_EQ(0, mp_write_byte(b, 'a' + i));
	}
	EXPECT_EQ(-EAGAIN, mpl_lease(p, &ids[16], 1, 0, 0));

	ASSERT_EQ(0, mpl_pool_resize(p, 32, &now));
	EXPECT_EQ(32, now);
	EXPECT_EQ(32, mpl_pool_buf_count(p));
	ASSERT_EQ(0, mpl_lease(p, &ids[16], 16, 0, 0));
	for (i = 16; i < 32; i++) {
		ASSERT_GT(64, ids[i]);
		for (j = 0; j < i; j++)
			ASSERT_NE(ids[j], ids[i]);
		/* The new buffers show in the mapping made before the resize. */
		b = mpl_buf(p, ids[i]);
		ASSERT_NE(NULL, b);
		ASSERT_EQ(0, mp_read_byte(b, &v));
		EXPECT_EQ(0, v);
		ASSERT_EQ(0, mp_write_byte(b, 'x'));
	}
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, mp_read_byte(mpl_buf(p, ids[i]), &v));
		EXPECT_EQ('a' + i, v);
	}

	/* Shrinking takes free buffers only: none is free now. */
	ASSERT_EQ(0, mpl_pool_resize(p, 8, &now));
	EXPECT_EQ(32, now);
	ASSERT_EQ(0, mpl_release(p, &ids[8], 24));
	ASSERT_EQ(0, mpl_pool_resize(p, 8, &now));
	EXPECT_EQ(8, now);
	ASSERT_EQ(0, mpl_pool_stats(p, &st));
	EXPECT_EQ(8, st.buf_count);
	EXPECT_EQ(0, st.nr_free);
	EXPECT_EQ(8, st.nr_leased);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, mp_read_byte(mpl_buf(p, ids[i]), &v));
		EXPECT_EQ('a' + i, v);
	}
	EXPECT_EQ(-EINVAL, mpl_pool_resize(p, 65, NULL));
	EXPECT_EQ(-EINVAL, mpl_pool_resize(p, 0, NULL));
	ASSERT_EQ(0, mpl_close(d));
}

TEST_F(lib, drain_leaves_every_buffer_leasable)
{
	uint32_t ids[NBUF], drained = ~0U;
	struct mpool_pool_stats st;

	/* Through the engine and back: the percpu one keeps them per CPU. */
	ASSERT_EQ(0, mpl_lease(self->pool, ids, BATCH, 0, 0));
	ASSERT_EQ(0, mpl_release(self->pool, ids, BATCH));
	ASSERT_EQ(0, mpl_pool_drain(self->pool, &drained));
	EXPECT_GE(NBUF, drained);
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(NBUF, st.nr_free);
	EXPECT_EQ(NBUF, st.buf_count);
	ASSERT_EQ(0, mpl_lease(self->pool, ids, NBUF, 0, 0));
	ASSERT_EQ(0, mpl_release(self->pool, ids, NBUF));
}

TEST_F(lib, thresholds_round_trip_whatever_the_callers_size)
{
	MPL_OPTS(mpl_thresholds, t, .low_watermark = 10, .high_watermark = 200,
		 .fail_permille = 500, .hysteresis = 4);
	struct {
		struct mpl_thresholds t;
		uint32_t newer, pad;
	} big = { .t = { .sz = sizeof(big) }, .newer = 1 };
	struct mpl_thresholds back = { .sz = sizeof(back) }, old;
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mpl_pool_set_thresholds(self->pool, &t));
	ASSERT_EQ(0, mpl_pool_get_thresholds(self->pool, &back));
	EXPECT_EQ(sizeof(back), back.sz);
	EXPECT_EQ(10, back.low_watermark);
	EXPECT_EQ(200, back.high_watermark);
	EXPECT_EQ(500, back.fail_permille);
	EXPECT_EQ(4, back.hysteresis);
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(10, st.low_watermark);
	EXPECT_EQ(200, st.high_watermark);
	EXPECT_EQ(500, st.fail_permille);
	EXPECT_EQ(4, st.hysteresis);

	/* A caller built before hysteresis existed: it is neither read nor written. */
	memset(&old, 0xa5, sizeof(old));
	old.sz = offsetof(struct mpl_thresholds, hysteresis);
	ASSERT_EQ(0, mpl_pool_get_thresholds(self->pool, &old));
	EXPECT_EQ(offsetof(struct mpl_thresholds, hysteresis), old.sz);
	EXPECT_EQ(10, old.low_watermark);
	EXPECT_EQ(500, old.fail_permille);
	EXPECT_EQ(0xa5a5a5a5, old.hysteresis);
	old.low_watermark = 20;
	ASSERT_EQ(0, mpl_pool_set_thresholds(self->pool, &old));
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(20, st.low_watermark);
	EXPECT_GE(1, st.hysteresis);

	EXPECT_EQ(-E2BIG, mpl_pool_set_thresholds(self->pool, &big.t));
	EXPECT_EQ(-EINVAL, mpl_pool_set_thresholds(self->pool, NULL));
	t.fail_permille = 1001;
	EXPECT_EQ(-EINVAL, mpl_pool_set_thresholds(self->pool, &t));
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(20, st.low_watermark);
}

/* Wait (at most 10 s: a missing event fails) and read what is queued. */
static int next_events(int efd, struct mpool_event *ev, unsigned int max)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return -ETIMEDOUT;
	return mpl_event_read(efd, ev, sizeof(ev[0]), max);
}

TEST_F(lib, low_watermark_fires_once_per_crossing_and_hangs_up_on_destroy)
{
	MPL_OPTS(mpl_thresholds, t, .low_watermark = NBUF / 2, .hysteresis = 8);
	struct mpool_pool_stats st;
	struct pollfd pfd;
	struct mpool_event ev[4];
	uint32_t ids[NBUF];
	int efd;

	ASSERT_EQ(0, mpl_pool_set_thresholds(self->pool, &t));
	ASSERT_EQ(0, mpl_pool_events(self->pool, &efd));
	EXPECT_EQ(-EINVAL, mpl_event_read(efd, ev, 8, 1));

	/* One below the line. */
	ASSERT_EQ(0, mpl_lease(self->pool, ids, NBUF / 2 + 1, 0, 0));
	ASSERT_EQ(1, next_events(efd, ev, 4));
	EXPECT_EQ(MPOOL_EVENT_LOW, ev[0].type);
	EXPECT_EQ(NBUF / 2, ev[0].threshold);
	EXPECT_EQ(NBUF / 2 - 1, ev[0].value);
	EXPECT_EQ(NBUF / 2 - 1, ev[0].nr_free);
	EXPECT_EQ(NBUF, ev[0].buf_count);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(0, ev[0].lost);
	/* Leases so far: the one that crossed may not be counted yet. */
	EXPECT_LE(self->st0.leases, ev[0].leases);
	EXPECT_GE(self->st0.leases + NBUF / 2 + 1, ev[0].leases);

	/* Hovering: back up by less than the hysteresis, and down again. */
	ASSERT_EQ(0, mpl_release(self->pool, &ids[NBUF / 2 - 3], 4));
	ASSERT_EQ(0, mpl_lease(self->pool, &ids[NBUF / 2 - 3], 4, 0, 0));
	/* Back to low + hysteresis re-arms it; the next fall fires again. */
	ASSERT_EQ(0, mpl_release(self->pool, &ids[NBUF / 2 - 8], 9));
	ASSERT_EQ(0, mpl_lease(self->pool, &ids[NBUF / 2 - 8], 9, 0, 0));
	/* Exactly one record more: the hovering made none. */
	ASSERT_EQ(1, next_events(efd, ev, 4));
	EXPECT_EQ(MPOOL_EVENT_LOW, ev[0].type);
	EXPECT_EQ(2, ev[0].seq);
	EXPECT_EQ(NBUF / 2 - 1, ev[0].nr_free);
	EXPECT_LE(self->st0.leases + NBUF / 2 + 1 + 4, ev[0].leases);
	EXPECT_GE(self->st0.leases + NBUF / 2 + 1 + 4 + 9, ev[0].leases);
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(2, st.low_events);

	/* Destroyed: one last record, then a hang-up and end of file. */
	ASSERT_EQ(0, mpl_pool_destroy(self->pool));
	ASSERT_EQ(1, next_events(efd, ev, 4));
	EXPECT_EQ(MPOOL_EVENT_DESTROYED, ev[0].type);
	EXPECT_EQ(3, ev[0].seq);
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	EXPECT_EQ(0, mpl_event_read(efd, ev, sizeof(ev[0]), 4));
	EXPECT_EQ(-EIDRM, mpl_pool_events(self->pool, &efd));
	close(efd);
}

TEST_F(lib, stats_writes_no_more_than_the_caller_has)
{
	const size_t v0 = MPOOL_POOL_STATS_SIZE_VER0;
	union {
		struct mpool_pool_stats st;
		unsigned char b[sizeof(struct mpool_pool_stats) + 16];
	} u;
	size_t i;

	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, mpl_pool_stats_size(self->pool, &u.st, v0));
	EXPECT_EQ(NBUF, u.st.buf_count);
	EXPECT_EQ(0, strncmp(self->name, u.st.name, MPOOL_POOL_NAME_MAX));
	for (i = v0; i < sizeof(u) && u.b[i] == 0x5a; i++)
		;
	EXPECT_EQ(sizeof(u), i) TH_LOG("byte %zu written", i);

	/* What programs built before the size-passing macro call: the same. */
	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, (mpl_pool_stats)(self->pool, &u.st));
	EXPECT_EQ(NBUF, u.st.buf_count);
	for (i = v0; i < sizeof(u) && u.b[i] == 0x5a; i++)
		;
	EXPECT_EQ(sizeof(u), i) TH_LOG("byte %zu written", i);

	/* The macro: the whole struct this program knows, and not a byte more. */
	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &u.st));
	EXPECT_EQ(NBUF, u.st.max_buf_count);
	for (i = sizeof(u.st); i < sizeof(u) && u.b[i] == 0x5a; i++)
		;
	EXPECT_EQ(sizeof(u), i);

	/* A program newer than library and module: its tail reads as zero. */
	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, mpl_pool_stats_size(self->pool, &u.st, sizeof(u)));
	EXPECT_EQ(NBUF, u.st.buf_count);
	for (i = sizeof(u.st); i < sizeof(u) && !u.b[i]; i++)
		;
	EXPECT_EQ(sizeof(u), i);
	EXPECT_EQ(-EINVAL, mpl_pool_stats_size(self->pool, &u.st, v0 - 8));
}

TEST_F(lib, read_only_session_looks_but_does_not_touch)
{
	struct mpl_thresholds t = { .sz = sizeof(t) };
	struct mpool_pool_stats st;
	struct mpl_pool *q;
	struct mpl_dev *d;
	uint32_t id;
	int efd;

	EXPECT_EQ(-EINVAL, mpl_open_flags(NULL, 0x80, &d));
	ASSERT_EQ(0, mpl_open_flags(NULL, MPL_OPEN_RDONLY, &d));
	ASSERT_EQ(0, mpl_pool_attach(d, self->name, &q));
	ASSERT_EQ(0, mpl_pool_stats(q, &st));
	EXPECT_EQ(NBUF, st.buf_count);
	EXPECT_EQ(0, mpl_pool_get_thresholds(q, &t));
	ASSERT_EQ(0, mpl_pool_events(q, &efd));
	EXPECT_EQ(0, close(efd));
	EXPECT_EQ(-EBADF, mpl_lease(q, &id, 1, 0, 0));
	EXPECT_EQ(-EBADF, mpl_pool_resize(q, NBUF, NULL));
	EXPECT_EQ(-EBADF, mpl_pool_drain(q, NULL));
	EXPECT_EQ(-EBADF, mpl_pool_set_thresholds(q, &t));
	EXPECT_EQ(-EBADF, mpl_pool_destroy(q));
	ASSERT_EQ(0, mpl_close(d));
	ASSERT_EQ(0, mpl_pool_stats(self->pool, &st));
	EXPECT_EQ(0, st.state);
}

TEST_HARNESS_MAIN
