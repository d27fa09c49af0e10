// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool leases: batches all or nothing, every invalid id (out of
 * range, foreign, released twice, repeated), the session quota, blocking
 * leases (time-out, wake-up, signals, destroy) and poll(), on every engine.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF	8

FIXTURE(lease) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	unsigned long long old_quota;
};

FIXTURE_VARIANT(lease) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(lease, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(lease, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(lease, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(lease)
{
	MP_SKIP_WITHOUT_DEVICE();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	mp_name(self->name, mp_engine_name(variant->engine));
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, mp_page(), NBUF,
			       &self->c));
}

FIXTURE_TEARDOWN(lease)
{
	if (self->old_quota)
		mp_param_set("max_session_leases", self->old_quota);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

static void expect_counts(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			  __u32 nr_free, __u32 nr_leased, __u32 nr_mine)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_EQ(nr_free, st.nr_free);
	EXPECT_EQ(nr_leased, st.nr_leased);
	EXPECT_EQ(nr_mine, st.nr_mine);
	EXPECT_EQ(st.nr_leased, st.leases - st.releases);
	EXPECT_EQ(st.buf_count, st.nr_free + st.nr_leased + st.nr_quarantined);
}

TEST_F(lease, lease_all_then_eagain)
{
	__u32 ids[NBUF], seen = 0, id;
	int i;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++) {
		ASSERT_GT(NBUF, ids[i]);
		ASSERT_EQ(0, seen & (1u << ids[i]));
		seen |= 1u << ids[i];
	}
	expect_counts(_metadata, self->fd, self->c.pool_id, 0, NBUF, NBUF);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	/* And again: the buffers really came back. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
}

TEST_F(lease, batch_is_all_or_nothing)
{
	__u32 a[5], b[4] = { 0xdead, 0xdead, 0xdead, 0xdead };

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, a, 5));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, b, 4));
	/* Nothing taken, nothing written. */
	ASSERT_EQ(0xdead, b[0]);
	expect_counts(_metadata, self->fd, self->c.pool_id, 3, 5, 5);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, b, 3));
	expect_counts(_metadata, self->fd, self->c.pool_id, 0, 8, 8);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, b, 3));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, a, 5));
}

TEST_F(lease, lease_bounds_and_fields)
{
	struct mpool_lease l = { .pool_id = self->c.pool_id, .count = 1 };
	__u32 ids[MPOOL_BATCH_MAX + 1];

	l.ids = (__u64)(unsigned long)ids;
	ASSERT_EQ(-EINVAL, mp_lease(self->fd, self->c.pool_id, ids, 0));
	ASSERT_EQ(-E2BIG, mp_lease(self->fd, self->c.pool_id, ids, NBUF + 1));
	ASSERT_EQ(-E2BIG, mp_lease(self->fd, self->c.pool_id, ids, MPOOL_BATCH_MAX + 1));
	ASSERT_EQ(-E2BIG, mp_lease(self->fd, self->c.pool_id, ids, ~0u));
	l.flags = 0x2;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_LEASE, &l));
	l.flags = 0x80000000u | MPOOL_LEASE_F_WAIT;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_LEASE, &l));
	l.flags = 0;
	l.reserved = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_LEASE, &l));
	l.reserved = 0;
	l.timeout_ns = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_LEASE, &l));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_F(lease, lease_efault_takes_nothing)
{
	void *ro = mmap(NULL, mp_page(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mpool_pool_stats st;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(-EFAULT, mp_lease(self->fd, self->c.pool_id, NULL, 2));
	ASSERT_EQ(-EFAULT, mp_lease(self->fd, self->c.pool_id, ro, NBUF));
	/* The ids array runs off the end of the mapping. */
	ASSERT_EQ(-EFAULT, mp_lease(self->fd, self->c.pool_id,
				    (__u32 *)((char *)ro + mp_page()) - 1, 2));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, st.leases);
	munmap(ro, mp_page());
}

TEST_F(lease, release_rejects_bad_ids_atomically)
{
	__u32 ids[3], bad[3];

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
	bad[0] = NBUF;
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, bad, 1));
	bad[0] = ~0u;
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, bad, 1));
	/* Leased by nobody. */
	for (bad[0] = 0; bad[0] == ids[0] || bad[0] == ids[1] || bad[0] == ids[2]; bad[0]++)
		;
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, bad, 1));
	/* Two good ids then a bad one: nothing released. */
	bad[0] = ids[0];
	bad[1] = ids[1];
	bad[2] = NBUF + 5;
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, bad, 3));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 3, 3, 3);
	/* The same id twice in one batch. */
	bad[0] = ids[2];
	bad[1] = ids[2];
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, bad, 2));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 3, 3, 3);
	/* Release, then release again. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 3));
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, &ids[2], 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_F(lease, release_bounds_and_fields)
{
	struct mpool_release r = { .pool_id = self->c.pool_id, .count = 1 };
	__u32 id;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	r.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, &id, 0));
	ASSERT_EQ(-E2BIG, mp_release(self->fd, self->c.pool_id, &id, NBUF + 1));
	ASSERT_EQ(-E2BIG, mp_release(self->fd, self->c.pool_id, &id, MPOOL_BATCH_MAX + 1));
	ASSERT_EQ(-EFAULT, mp_release(self->fd, self->c.pool_id, NULL, 1));
	r.flags = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_RELEASE, &r));
	r.flags = 0;
	r.reserved = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_RELEASE, &r));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 1);
	r.reserved = 0;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_RELEASE, &r));
}

TEST_F(lease, foreign_ids_are_refused)
{
	struct mpool_pool_attach a;
	__u32 mine[2], theirs[2];
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, mine, 2));
	ASSERT_EQ(0, mp_lease(fd2, a.pool_id, theirs, 2));
	ASSERT_NE(mine[0], theirs[0]);
	ASSERT_NE(mine[1], theirs[1]);
	ASSERT_EQ(-EINVAL, mp_release(fd2, a.pool_id, mine, 1));
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, theirs, 2));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 4, 4, 2);
	expect_counts(_metadata, fd2, a.pool_id, NBUF - 4, 4, 2);
	/* Closing the other session returns its buffers, not ours. */
	close(fd2);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 2, 2, 2);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, mine, 2));
}

TEST_F(lease, session_quota_edquot)
{
	struct mpool_pool_attach a;
	__u32 ids[4], id;
	int fd2;

	self->old_quota = mp_param_get("max_session_leases");
	ASSERT_NE(0, self->old_quota);
	ASSERT_EQ(0, mp_param_set("max_session_leases", 3));
	ASSERT_EQ(-EDQUOT, mp_lease(self->fd, self->c.pool_id, ids, 4));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
	ASSERT_EQ(-EDQUOT, mp_lease(self->fd, self->c.pool_id, &id, 1));
	/* The quota is per session. */
	fd2 = mp_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	ASSERT_EQ(0, mp_lease(fd2, a.pool_id, &id, 1));
	close(fd2);
	/* Releasing gives quota back. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 3, 3, 3);
}

TEST_F(lease, wait_times_out)
{
	__u32 ids[NBUF], id;
	long long t0, dt;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	t0 = mp_now_ns();
	ASSERT_EQ(-ETIMEDOUT, mp_lease_ex(self->fd, self->c.pool_id, &id, 1,
					  MPOOL_LEASE_F_WAIT, 50000000));
	dt = mp_now_ns() - t0;
	ASSERT_LE(50000000, dt);
	/* Free buffers: a huge time-out does not matter. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_EQ(0, mp_lease_ex(self->fd, self->c.pool_id, &id, 1, MPOOL_LEASE_F_WAIT, ~0ULL));
	ASSERT_EQ(ids[0], id);
}

/* POOL_STATS counts what leases ran into, and how far the pool went. */
TEST_F(lease, stats_count_short_failed_and_timed_out_leases)
{
	struct mpool_pool_stats st;
	__u32 ids[NBUF], id;

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, st.short_leases);
	ASSERT_EQ(0, st.hwm);
	ASSERT_EQ(NBUF * mp_page(), st.bytes_reserved);

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF - 1));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, ids + NBUF - 1, 2));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids + NBUF - 1, 1));
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(-ETIMEDOUT, mp_lease_ex(self->fd, self->c.pool_id, &id, 1,
					  MPOOL_LEASE_F_WAIT, 1000000));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(3, st.short_leases);
	ASSERT_EQ(2, st.failed_leases);
	ASSERT_EQ(1, st.timed_out_leases);
	/* A read samples: every buffer out is the most there can be. */
	ASSERT_EQ(NBUF, st.hwm);
	ASSERT_EQ(NBUF, st.leases);
	/* Every buffer the engine gave was a hit or followed a miss. */
	ASSERT_LE(st.hits, (__u64)NBUF);

	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(NBUF, st.hwm);
	ASSERT_EQ(NBUF, st.nr_free);
	ASSERT_EQ(3, st.short_leases);
}

/* A child blocked in a lease wakes when the parent releases. */
TEST_F(lease, wait_wakes_on_release)
{
	__u32 ids[NBUF];
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		__u32 got[2];
		int fd = mp_open();

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		if (mp_lease_ex(fd, a.pool_id, got, 2, MPOOL_LEASE_F_WAIT, 0))
			_exit(2);
		if (got[0] >= NBUF || got[1] >= NBUF || got[0] == got[1])
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	/* One buffer is not enough for a lease of two. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids + 1, 1));
	ASSERT_EQ(0, mp_wait(pid));
	/* The child's session ended: its two buffers came back. */
	expect_counts(_metadata, self->fd, self->c.pool_id, 2, NBUF - 2, NBUF - 2);
}

static void on_usr1(int sig)
{
}

/* Signals: EINTR without SA_RESTART; a restarted wait still succeeds. */
TEST_F(lease, wait_and_signals)
{
	__u32 ids[NBUF];
	int ev[2];
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_EQ(0, pipe(ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct mpool_pool_attach a;
		__u32 got;
		int fd = mp_open();

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		sigaction(SIGUSR1, &sa, NULL);
		if (mp_lease_ex(fd, a.pool_id, &got, 1, MPOOL_LEASE_F_WAIT, 0) != -EINTR)
			_exit(2);
		mp_signal_fd(ev[1]);
		if (mp_lease_ex(fd, a.pool_id, &got, 1, MPOOL_LEASE_F_WAIT,
				60000000000ULL) != -EINTR)
			_exit(3);
		mp_signal_fd(ev[1]);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR1, &sa, NULL);
		if (mp_lease_ex(fd, a.pool_id, &got, 1, MPOOL_LEASE_F_WAIT, 0))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, mp_wait_fd(ev[0]));
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, mp_wait_fd(ev[0]));
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* Restarted: still waiting, and a release completes it. */
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_EQ(0, mp_wait(pid));
	close(ev[0]);
	close(ev[1]);
	expect_counts(_metadata, self->fd, self->c.pool_id, 1, NBUF - 1, NBUF - 1);
}

TEST_F(lease, wait_ends_when_pool_destroyed)
{
	__u32 ids[NBUF];
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		__u32 got;
		int fd = mp_open();

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		_exit(mp_lease_ex(fd, a.pool_id, &got, 1, MPOOL_LEASE_F_WAIT, 0) == -EIDRM ?
		      0 : 2);
	}
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, mp_wait(pid));
	/* Leases survive the destroy and can still be released. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_F(lease, poll_reports_free_buffers)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	__u32 ids[NBUF];
	int ev[2], empty;
	pid_t pid;

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN, pfd.revents & POLLIN);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_EQ(0, poll(&pfd, 1, 0));

	/* The child shares the session (same file) and releases from it. */
	ASSERT_EQ(0, pipe(ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (mp_wait_fd(ev[0]))
			_exit(1);
		_exit(mp_release(self->fd, self->c.pool_id, ids + 3, 1) ? 2 : 0);
	}
	mp_signal_fd(ev[1]);
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(POLLIN, pfd.revents & POLLIN);
	ASSERT_EQ(0, mp_wait(pid));
	expect_counts(_metadata, self->fd, self->c.pool_id, 1, NBUF - 1, NBUF - 1);

	/* A session attached to nothing is never readable. */
	empty = mp_open();
	ASSERT_LE(0, empty);
	pfd.fd = empty;
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	close(empty);
	close(ev[0]);
	close(ev[1]);
}

TEST_F(lease, big_batches)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	static __u32 ids[MPOOL_BATCH_MAX + 8];
	int i, fd = mp_open();

	ASSERT_LE(0, fd);
	mp_name(name, "big");
	ASSERT_EQ(0, mp_create(fd, name, variant->engine, mp_page(), MPOOL_BATCH_MAX + 8, &c));
	ASSERT_EQ(-E2BIG, mp_lease(fd, c.pool_id, ids, MPOOL_BATCH_MAX + 1));
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, ids, MPOOL_BATCH_MAX));
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, ids + MPOOL_BATCH_MAX, 8));
	ASSERT_EQ(-EAGAIN, mp_lease(fd, c.pool_id, ids, 1));
	for (i = 0; i < MPOOL_BATCH_MAX + 8; i++)
		ASSERT_GT(MPOOL_BATCH_MAX + 8, ids[i]);
	ASSERT_EQ(-E2BIG, mp_release(fd, c.pool_id, ids, MPOOL_BATCH_MAX + 1));
	ASSERT_EQ(0, mp_release(fd, c.pool_id, ids, MPOOL_BATCH_MAX));
	expect_counts(_metadata, fd, c.pool_id, MPOOL_BATCH_MAX, 8, 8);
	ASSERT_EQ(0, mp_destroy(fd, c.pool_id));
	/* The session's end returns the last 8 of a destroyed pool. */
	close(fd);
}

TEST_HARNESS_MAIN
