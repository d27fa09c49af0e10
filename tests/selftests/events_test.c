// SPDX-License-Identifier: GPL-2.0
/*
 * Thresholds and their event descriptors (MPOOL_IOC_POOL_EVENTS) on each
 * engine: the low and high watermarks and the lease-failure rate each fire
 * exactly once per crossing, counted through poll() and the records, not
 * while the pool hovers at the line, and again after re-arming; records
 * carry the counters of the moment; a full queue counts what it dropped;
 * a destroyed pool leaves its descriptors a last record and a clean
 * hang-up, and they hold nothing of it.
 *
 * Waiting for a record is poll() with a timeout; "no record" is poll()
 * with none, backed by the records' seq (a later extra record shows as a
 * wrong seq) and by the pool's event counters.
 */
#define _GNU_SOURCE
#include "mempool_cfg.h"
#include "kselftest_harness.h"

#include <pthread.h>
#include <sys/resource.h>

#define NBUF	8
#define WAIT_MS	5000
#define HELD_MAX	64

FIXTURE(ev) {
	long page;
	int fd;
	int efd;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	bool made, destroyed;
	/* Buffers held, a stack. */
	__u32 held[HELD_MAX];
	int nr_held;
	/* Leases this test made, for the records' counters. */
	__u64 leased;
	__u64 failed;
};

FIXTURE_VARIANT(ev) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(ev, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(ev, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(ev, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(ev)
{
	struct mpool_info info;

	self->fd = -1;
	self->efd = -1;
	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	if (!(info.features & MPOOL_FEAT_EVENTS))
		SKIP(return, "module without MPOOL_FEAT_EVENTS");
	mp_name(self->name, "ev");
	ASSERT_EQ(0, mp_create_cfg(self->fd, self->name, variant->engine, self->page, NBUF, 0,
				   MPOOL_ACCESS_OWNER, true, &self->c));
	self->made = true;
}

FIXTURE_TEARDOWN(ev)
{
	if (self->efd >= 0)
		close(self->efd);
	if (self->made && !self->destroyed)
		mp_destroy(self->fd, self->c.pool_id);
	if (self->fd >= 0)
		close(self->fd);
}

/* Lease @n more (0 or -errno), counting successes and failures. */
static int take(FIXTURE_DATA(ev) *self, int n)
{
	int ret;

	if (self->nr_held + n > HELD_MAX)
		abort();
	ret = mp_lease(self->fd, self->c.pool_id, self->held + self->nr_held, n);
	if (!ret) {
		self->nr_held += n;
		self->leased += n;
	} else if (ret == -EAGAIN || ret == -ETIMEDOUT) {
		self->failed++;
	}
	return ret;
}

/* Give the last @n back. */
static int give(FIXTURE_DATA(ev) *self, int n)
{
	int ret;

	if (n > self->nr_held)
		abort();
	ret = mp_release(self->fd, self->c.pool_id, self->held + self->nr_held - n, n);
	if (!ret)
		self->nr_held -= n;
	return ret;
}

static int free_now(FIXTURE_DATA(ev) *self)
{
	return NBUF - self->nr_held;
}

/* Exactly one record is waiting: read it into @ev. */
static void expect_one(struct __test_metadata *_metadata, int efd, struct mpool_event *ev)
{
	struct mpool_event buf[4];
	short rev;

	rev = mp_poll(efd, WAIT_MS);
	ASSERT_TRUE(rev & POLLIN) TH_LOG("no record within %d ms (revents %#x)", WAIT_MS, rev);
	ASSERT_EQ(1, mp_read_events(efd, buf, 4));
	*ev = buf[0];
	ASSERT_EQ(0, mp_poll(efd, 0) & POLLIN);
}

/* No record is waiting. */
static void expect_none(struct __test_metadata *_metadata, int efd, const char *when)
{
	struct mpool_event buf[4];
	short rev = mp_poll(efd, 0);
	int n = 0;

	if (rev & POLLIN)
		n = mp_read_events(efd, buf, 4);
	ASSERT_EQ(0, rev & POLLIN) TH_LOG("%s: %d unexpected record(s), first type %u value %u",
					 when, n, n > 0 ? buf[0].type : 0,
					 n > 0 ? buf[0].value : 0);
}

static void expect_record(struct __test_metadata *_metadata, const struct mpool_event *ev,
			  __u32 type, __u32 threshold, __u32 value, __u32 nr_free, __u64 seq,
			  __u64 leases, __u64 failed, long long t0)
{
	EXPECT_EQ(type, ev->type);
	EXPECT_EQ(threshold, ev->threshold);
	EXPECT_EQ(value, ev->value);
	EXPECT_EQ(nr_free, ev->nr_free);
	EXPECT_EQ(NBUF, ev->buf_count);
	EXPECT_EQ(seq, ev->seq);
	EXPECT_EQ(0, ev->lost);
	EXPECT_EQ(leases, ev->leases);
	EXPECT_EQ(failed, ev->failed_leases);
	EXPECT_LE(t0, (long long)ev->time_ns);
	EXPECT_GE(mp_now_ns(), (long long)ev->time_ns);
}

/* Take or give one buffer at a time until @target are free, expecting no record. */
static void walk_to(struct __test_metadata *_metadata, FIXTURE_DATA(ev) *self, int target)
{
	char when[64];

	while (free_now(self) != target) {
		if (free_now(self) > target) {
			ASSERT_EQ(0, take(self, 1));
		} else {
			ASSERT_EQ(0, give(self, 1));
		}
		snprintf(when, sizeof(when), "at %d free", free_now(self));
		expect_none(_metadata, self->efd, when);
	}
}

TEST_F(ev, low_watermark_fires_once_per_crossing)
{
	struct mpool_pool_stats st;
	struct mpool_pool_config cfg = {};
	struct mpool_event ev;
	long long t0;

	/* Fires below 4 free; re-arms at 4 + 2 = 6 free. */
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 4, 0, 0, 2));
	ASSERT_EQ(0, mp_config(self->fd, self->c.pool_id, 0, &cfg));
	ASSERT_EQ(4, cfg.low_watermark);
	ASSERT_EQ(2, cfg.hysteresis);
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	expect_none(_metadata, self->efd, "fresh descriptor");

	walk_to(_metadata, self, 4);		/* at the line, not below */
	t0 = mp_now_ns();
	ASSERT_EQ(0, take(self, 1));		/* 3 free: crossed */
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_LOW, 4, 3, 3, 1, self->leased, 0, t0);

	/* Hovering: 4, 3, 5, 3, 4, 2, 5, 3 free; never 6. */
	walk_to(_metadata, self, 4);
	walk_to(_metadata, self, 3);
	walk_to(_metadata, self, 5);
	walk_to(_metadata, self, 3);
	ASSERT_EQ(0, give(self, 1));
	ASSERT_EQ(0, take(self, 2));
	ASSERT_EQ(0, give(self, 3));
	ASSERT_EQ(0, take(self, 2));
	expect_none(_metadata, self->efd, "hovering");

	/* Exactly low + hysteresis re-arms; the next fall fires once more. */
	walk_to(_metadata, self, 6);
	walk_to(_metadata, self, 4);
	t0 = mp_now_ns();
	ASSERT_EQ(0, take(self, 1));
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_LOW, 4, 3, 3, 2, self->leased, 0, t0);

	/* A jump from full to 1 free in one lease: one record, value 1. */
	ASSERT_EQ(0, give(self, self->nr_held));
	expect_none(_metadata, self->efd, "back to full");
	t0 = mp_now_ns();
	ASSERT_EQ(0, take(self, NBUF - 1));
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_LOW, 4, 1, 1, 3, self->leased, 0, t0);

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(3, st.low_events);
	ASSERT_EQ(0, st.high_events);
	ASSERT_EQ(0, st.fail_events);
	ASSERT_EQ(4, st.low_watermark);
	ASSERT_EQ(0, st.high_watermark);
	ASSERT_EQ(0, st.fail_permille);
	ASSERT_EQ(2, st.hysteresis);
}

TEST_F(ev, high_watermark_fires_once_per_crossing)
{
	struct mpool_pool_stats st;
	struct mpool_event ev;
	long long t0;

	/* Set while 2 are free: fires above 5 free, re-arms at 5 - 2 = 3. */
	ASSERT_EQ(0, take(self, NBUF - 2));
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 0, 5, 0, 2));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);

	walk_to(_metadata, self, 5);
	t0 = mp_now_ns();
	ASSERT_EQ(0, give(self, 1));		/* 6 free */
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_HIGH, 5, 6, 6, 1, self->leased, 0, t0);

	/* Hovering between 4 and 8, never 3. */
	walk_to(_metadata, self, 5);
	walk_to(_metadata, self, 6);
	walk_to(_metadata, self, 4);
	walk_to(_metadata, self, 8);
	walk_to(_metadata, self, 4);
	ASSERT_EQ(0, give(self, 3));
	ASSERT_EQ(0, take(self, 3));
	expect_none(_metadata, self->efd, "hovering");

	walk_to(_metadata, self, 3);		/* re-armed */
	walk_to(_metadata, self, 5);
	t0 = mp_now_ns();
	ASSERT_EQ(0, give(self, 3));		/* 5 -> 8 free in one release */
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_HIGH, 5, 8, 8, 2, self->leased, 0, t0);

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(2, st.high_events);
	ASSERT_EQ(0, st.low_events);
	ASSERT_EQ(5, st.high_watermark);
	ASSERT_EQ(2, st.hysteresis);
}

/* Hysteresis 0 counts as 1: re-armed at low + 1, not at low. */
TEST_F(ev, hysteresis_zero_counts_as_one)
{
	struct mpool_event ev;
	long long t0;

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 4, 0, 0, 0));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	walk_to(_metadata, self, 4);
	t0 = mp_now_ns();
	ASSERT_EQ(0, take(self, 1));
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_LOW, 4, 3, 3, 1, self->leased, 0, t0);
	walk_to(_metadata, self, 4);
	walk_to(_metadata, self, 3);
	walk_to(_metadata, self, 4);
	walk_to(_metadata, self, 3);
	walk_to(_metadata, self, 5);
	walk_to(_metadata, self, 4);
	t0 = mp_now_ns();
	ASSERT_EQ(0, take(self, 1));
	expect_one(_metadata, self->efd, &ev);
	expect_record(_metadata, &ev, MPOOL_EVENT_LOW, 4, 3, 3, 2, self->leased, 0, t0);
}

/*
 * Fail one lease at a time (count 1 on an empty pool) until a record
 * comes: it must within two windows, carry the counters of that moment,
 * and come once however long the failures go on.
 */
static void fail_until_record(struct __test_metadata *_metadata, FIXTURE_DATA(ev) *self,
			      __u32 permille, __u64 seq, bool timed)
{
	struct mpool_event ev;
	__u32 id;
	int i, ret;

	for (i = 0; i < 2 * MPOOL_FAIL_WINDOW; i++) {
		if (timed && (i & 1))
			ret = mp_lease_ex(self->fd, self->c.pool_id, &id, 1, MPOOL_LEASE_F_WAIT,
					  1000);
		else
			ret = mp_lease(self->fd, self->c.pool_id, &id, 1);
		ASSERT_EQ((timed && (i & 1)) ? -ETIMEDOUT : -EAGAIN, ret);
		self->failed++;
		if (mp_poll(self->efd, 0) & POLLIN)
			break;
	}
	ASSERT_GT(2 * MPOOL_FAIL_WINDOW, i) TH_LOG("no MPOOL_EVENT_FAIL after %d failures", i);
	TH_LOG("MPOOL_EVENT_FAIL after %d failures in a row", i + 1);
	ASSERT_EQ(1, mp_read_events(self->efd, &ev, 1));
	EXPECT_EQ(MPOOL_EVENT_FAIL, ev.type);
	EXPECT_EQ(permille, ev.threshold);
	EXPECT_LE(permille, ev.value);
	EXPECT_GE(1000, ev.value);
	EXPECT_EQ(seq, ev.seq);
	EXPECT_EQ(0, ev.nr_free);
	EXPECT_EQ(NBUF, ev.buf_count);
	EXPECT_EQ(self->leased, ev.leases);
	EXPECT_EQ(self->failed, ev.failed_leases);
	EXPECT_EQ(0, ev.lost);
	expect_none(_metadata, self->efd, "right after MPOOL_EVENT_FAIL");
	/* Three more bad windows: nothing. */
	for (i = 0; i < 3 * MPOOL_FAIL_WINDOW; i++) {
		ASSERT_EQ(-EAGAIN, take(self, 1));
		expect_none(_metadata, self->efd, "still failing");
	}
}

TEST_F(ev, fail_rate_fires_once_per_bad_stretch)
{
	struct mpool_pool_stats st;
	struct mpool_pool_config cfg = {};
	int i;

	cfg.fail_permille = 1001;
	ASSERT_EQ(-EINVAL, mp_config(self->fd, self->c.pool_id, MPOOL_CONFIG_F_THRESHOLDS, &cfg));
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 0, 0, 500, 0));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);

	ASSERT_EQ(0, take(self, NBUF));
	fail_until_record(_metadata, self, 500, 1, false);

	/* Good windows re-arm it (no record for that)... */
	ASSERT_EQ(0, give(self, 1));
	for (i = 0; i < 3 * MPOOL_FAIL_WINDOW; i++) {
		ASSERT_EQ(0, take(self, 1));
		ASSERT_EQ(0, give(self, 1));
	}
	expect_none(_metadata, self->efd, "good windows");
	/* ...and the next bad stretch, EAGAIN and ETIMEDOUT mixed, fires once. */
	ASSERT_EQ(0, take(self, 1));
	fail_until_record(_metadata, self, 500, 2, true);

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	EXPECT_EQ(2, st.fail_events);
	EXPECT_EQ(0, st.low_events);
	EXPECT_EQ(500, st.fail_permille);
	EXPECT_EQ(self->failed, st.failed_leases + st.timed_out_leases);
	EXPECT_LE(1, st.timed_out_leases);
	EXPECT_LE(self->failed, st.short_leases);
	EXPECT_EQ(self->leased, st.leases);
}

/* Every descriptor of the pool gets each record, whichever session asked for it. */
TEST_F(ev, every_descriptor_gets_every_record)
{
	struct mpool_event ev[3];
	struct mpool_pool_attach at;
	int ro, e2, e3, i;

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 2, 0, 0, 1));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	e2 = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, e2);
	ASSERT_NE(self->efd, e2);
	ro = open(MPOOL_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, mp_attach(ro, self->name, &at));
	e3 = mp_events(ro, at.pool_id);
	ASSERT_LE(0, e3);
	/* The session that asked may go: the descriptor is the pool's. */
	close(ro);

	ASSERT_EQ(0, take(self, NBUF - 1));
	expect_one(_metadata, self->efd, &ev[0]);
	expect_one(_metadata, e2, &ev[1]);
	expect_one(_metadata, e3, &ev[2]);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(MPOOL_EVENT_LOW, ev[i].type);
		EXPECT_EQ(1, ev[i].seq);
		EXPECT_EQ(1, ev[i].value);
		EXPECT_EQ(ev[0].time_ns, ev[i].time_ns);
	}
	close(e3);
	close(e2);
}

/*
 * An event descriptor on the pool, and @crossings crossings of a low
 * watermark of 4 (below 4 fires, 5 re-arms), none of them read yet.
 */
static void cross_low(struct __test_metadata *_metadata, FIXTURE_DATA(ev) *self,
		      int crossings)
{
	int i;

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 4, 0, 0, 1));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, take(self, NBUF - 5));
	for (i = 0; i < crossings; i++) {
		ASSERT_EQ(0, take(self, 2));
		ASSERT_EQ(0, give(self, 2));
	}
}

/* MPOOL_EVENT_QUEUE records queue; what comes after is counted as lost. */
TEST_F(ev, a_full_queue_counts_what_it_drops)
{
	const int crossings = MPOOL_EVENT_QUEUE + 6;
	struct mpool_event ev[MPOOL_EVENT_QUEUE + 8];
	struct mpool_pool_stats st;
	int i, n;

	cross_low(_metadata, self, crossings);
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	n = mp_read_events(self->efd, ev, MPOOL_EVENT_QUEUE + 8);
	ASSERT_EQ(MPOOL_EVENT_QUEUE, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i + 1, ev[i].seq);
		EXPECT_EQ(0, ev[i].lost);
		EXPECT_EQ(MPOOL_EVENT_LOW, ev[i].type);
	}
	expect_none(_metadata, self->efd, "queue read empty");
	/* The next record says what was dropped, and its seq shows the gap. */
	ASSERT_EQ(0, take(self, 2));
	expect_one(_metadata, self->efd, &ev[0]);
	EXPECT_EQ(crossings + 1, ev[0].seq);
	EXPECT_EQ(crossings - MPOOL_EVENT_QUEUE, ev[0].lost);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	EXPECT_EQ(crossings + 1, st.low_events);
}

TEST_F(ev, descriptor_reads_as_documented)
{
	struct mpool_event ev[3];
	char small[sizeof(struct mpool_event) - 1];
	int fl, child_rc;
	pid_t pid;

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 6, 0, 0, 1));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(FD_CLOEXEC, fcntl(self->efd, F_GETFD) & FD_CLOEXEC);
	fl = fcntl(self->efd, F_GETFL);
	ASSERT_EQ(O_RDONLY, fl & O_ACCMODE);
	ASSERT_EQ(-1, write(self->efd, ev, sizeof(ev[0])));
	ASSERT_EQ(EBADF, errno);

	/* Empty and non-blocking: EAGAIN. */
	ASSERT_EQ(0, fcntl(self->efd, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ(-EAGAIN, mp_read_events(self->efd, ev, 1));

	/* One record queued: too small a buffer is EINVAL and takes nothing. */
	ASSERT_EQ(0, take(self, 3));			/* 5 free: below 6 */
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	ASSERT_EQ(-1, read(self->efd, small, sizeof(small)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_TRUE(mp_poll(self->efd, 0) & POLLIN);
	/* Room for one and a half: one whole record. */
	ASSERT_EQ(0, give(self, 3));
	ASSERT_EQ(0, take(self, 3));			/* a second record */
	ASSERT_EQ(sizeof(ev[0]), read(self->efd, ev, sizeof(ev[0]) + sizeof(ev[0]) / 2));
	ASSERT_EQ(1, ev[0].seq);
	ASSERT_EQ(1, mp_read_events(self->efd, ev, 3));
	ASSERT_EQ(2, ev[0].seq);
	ASSERT_EQ(-EAGAIN, mp_read_events(self->efd, ev, 1));

	/* Blocking: a reader sleeps until the next record. */
	ASSERT_EQ(0, fcntl(self->efd, F_SETFL, fl));
	ASSERT_EQ(0, give(self, 3));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_event got;

		if (read(self->efd, &got, sizeof(got)) != sizeof(got))
			_exit(1);
		_exit(got.seq == 3 && got.type == MPOOL_EVENT_LOW ? 0 : 2);
	}
	child_rc = mp_wait_blocked_in(pid, SYS_read);
	if (child_rc)
		kill(pid, SIGKILL);
	ASSERT_EQ(0, child_rc);
	ASSERT_EQ(0, take(self, 3));
	ASSERT_EQ(0, mp_wait(pid));
}

/*
 * Destroy: the descriptor gets MPOOL_EVENT_DESTROYED after what it had
 * queued, then hangs up: poll() says EPOLLHUP, read() returns 0. It pins
 * nothing: the pool's memory goes with its last session while the
 * descriptor stays open and keeps answering the same.
 */
TEST_F(ev, destroy_leaves_a_last_record_and_a_clean_hangup)
{
	struct mpool_event ev[4];
	struct mpool_info before, after;
	struct mpool_pool_attach at;
	long long t0;
	short rev;
	int s2, n;

	ASSERT_EQ(0, mp_info(self->fd, &before));
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 4, 0, 0, 1));
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	s2 = mp_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, mp_attach(s2, self->name, &at));

	ASSERT_EQ(0, take(self, NBUF - 2));		/* a LOW record, left unread */
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	t0 = mp_now_ns();
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	ASSERT_EQ(-EIDRM, mp_events(s2, at.pool_id));
	ASSERT_EQ(-EIDRM, mp_events(self->fd, self->c.pool_id));

	rev = mp_poll(self->efd, WAIT_MS);
	ASSERT_TRUE(rev & POLLIN);
	n = mp_read_events(self->efd, ev, 4);
	if (n == 1) {
		/* The last record may be queued a moment later: wait for it. */
		ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
		n += mp_read_events(self->efd, ev + 1, 3);
	}
	ASSERT_EQ(2, n);
	EXPECT_EQ(MPOOL_EVENT_LOW, ev[0].type);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(MPOOL_EVENT_DESTROYED, ev[1].type);
	EXPECT_EQ(0, ev[1].threshold);
	EXPECT_EQ(2, ev[1].seq);
	EXPECT_EQ(0, ev[1].lost);
	EXPECT_EQ(self->leased, ev[1].leases);
	EXPECT_LE(t0, (long long)ev[1].time_ns);

	/* Hung up: EPOLLHUP, no EPOLLIN, read 0 (no blocking), more than once. */
	rev = mp_poll(self->efd, 0);
	ASSERT_TRUE(rev & POLLHUP) TH_LOG("revents %#x", rev);
	ASSERT_EQ(0, rev & POLLIN);
	ASSERT_EQ(0, read(self->efd, ev, sizeof(ev)));
	ASSERT_EQ(0, read(self->efd, ev, sizeof(ev)));

	/* Its leases end with the sessions; the memory goes; the descriptor stays. */
	ASSERT_EQ(0, give(self, self->nr_held));
	close(s2);
	close(self->fd);
	self->fd = -1;
	self->made = false;
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &after));
	ASSERT_EQ(before.bytes_used - NBUF * self->page, after.bytes_used);
	ASSERT_EQ(before.nr_pools - 1, after.nr_pools);
	rev = mp_poll(self->efd, 0);
	ASSERT_TRUE(rev & POLLHUP);
	ASSERT_EQ(0, read(self->efd, ev, sizeof(ev)));
	ASSERT_EQ(0, close(self->efd));
	self->efd = -1;
}

/* A descriptor with nothing queued when the pool goes: the record, then hang-up. */
TEST_F(ev, destroy_with_nothing_queued)
{
	struct mpool_event ev[2];
	int n;

	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, mp_poll(self->efd, 0));
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	n = mp_read_events(self->efd, ev, 2);
	ASSERT_EQ(1, n);
	EXPECT_EQ(MPOOL_EVENT_DESTROYED, ev[0].type);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(NBUF, ev[0].nr_free);
	ASSERT_TRUE(mp_poll(self->efd, 0) & POLLHUP);
	ASSERT_EQ(0, read(self->efd, ev, sizeof(ev)));
}

TEST_F(ev, events_refusals)
{
	struct mpool_pool_events e = { .pool_id = self->c.pool_id, .flags = 1 };

	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	e.flags = 0;
	e.record_size = MPOOL_EVENT_SIZE_VER0 - 8;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	e.record_size = 4096 + 8;
	ASSERT_EQ(-E2BIG, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	ASSERT_EQ(-ENOENT, mp_events(self->fd, 0xdead));
}

/* A reader built against a longer record gets that size, its tail zeroed. */
TEST_F(ev, longer_records_have_a_zeroed_tail)
{
	struct mpool_pool_events e = {
		.pool_id = self->c.pool_id, .record_size = sizeof(struct mpool_event) + 8,
	};
	struct {
		struct mpool_event ev;
		__u64 future;
	} rec[2];

	memset(rec, 0xee, sizeof(rec));
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	self->efd = e.fd;
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 2, 0, 0, 1));
	ASSERT_EQ(0, take(self, NBUF - 1));
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	/* Not even one record of the size asked for fits. */
	ASSERT_EQ(-1, read(self->efd, rec, sizeof(rec[0].ev)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(sizeof(rec[0]), read(self->efd, rec, sizeof(rec)));
	EXPECT_EQ(MPOOL_EVENT_LOW, rec[0].ev.type);
	EXPECT_EQ(1, rec[0].ev.nr_free);
	EXPECT_EQ(NBUF - 1, rec[0].ev.leases);
	EXPECT_EQ(0, rec[0].future);
	EXPECT_EQ(0xeeeeeeeeu, rec[1].ev.type);
}

/*
 * A pool whose queue is full when it is destroyed: the descriptor still
 * gets MPOOL_EVENT_DESTROYED after the records it queued, and that record
 * counts what was dropped, then hangs up.
 */
TEST_F(ev, destroy_with_a_full_queue_still_says_so)
{
	const int crossings = MPOOL_EVENT_QUEUE + 3;
	struct mpool_event ev[MPOOL_EVENT_QUEUE + 8];
	int i, n;

	cross_low(_metadata, self, crossings);
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);
	n = mp_read_events(self->efd, ev, MPOOL_EVENT_QUEUE + 8);
	ASSERT_EQ(MPOOL_EVENT_QUEUE + 1, n);
	for (i = 0; i < MPOOL_EVENT_QUEUE; i++) {
		EXPECT_EQ(MPOOL_EVENT_LOW, ev[i].type);
		EXPECT_EQ(i + 1, ev[i].seq);
	}
	EXPECT_EQ(MPOOL_EVENT_DESTROYED, ev[n - 1].type);
	EXPECT_EQ(crossings + 1, ev[n - 1].seq);
	EXPECT_EQ(crossings - MPOOL_EVENT_QUEUE, ev[n - 1].lost);
	ASSERT_TRUE(mp_poll(self->efd, 0) & POLLHUP);
	ASSERT_EQ(0, read(self->efd, ev, sizeof(ev)));
}

/*
 * Extreme thresholds: every field at its largest accepted value works,
 * one above is refused and changes nothing; a hysteresis larger than the
 * pool keeps a watermark from re-arming until thresholds are set again;
 * a high watermark at buf_count can never fire.
 */
TEST_F(ev, thresholds_at_the_extremes)
{
	struct mpool_pool_config cfg;
	struct mpool_pool_stats st;
	struct mpool_event ev;
	int i;

	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(-EINVAL, mp_thresholds(self->fd, self->c.pool_id, NBUF + 1, 0, 0, 1));
	ASSERT_EQ(-EINVAL, mp_thresholds(self->fd, self->c.pool_id, 1, NBUF + 1, 0, 1));
	ASSERT_EQ(-EINVAL, mp_thresholds(self->fd, self->c.pool_id, 1, 0, 1001, 1));
	ASSERT_EQ(-EINVAL, mp_thresholds(self->fd, self->c.pool_id, 1, 0, 0, NBUF + 1));
	ASSERT_EQ(-EINVAL, mp_thresholds(self->fd, self->c.pool_id, ~0u, ~0u, ~0u, ~0u));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, mp_config(self->fd, self->c.pool_id, 0, &cfg));
	EXPECT_EQ(0, cfg.low_watermark);
	EXPECT_EQ(0, cfg.high_watermark);
	EXPECT_EQ(0, cfg.fail_permille);
	expect_none(_metadata, self->efd, "after refusals");

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, NBUF, NBUF, 1000, NBUF));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, mp_config(self->fd, self->c.pool_id, 0, &cfg));
	EXPECT_EQ(NBUF, cfg.low_watermark);
	EXPECT_EQ(NBUF, cfg.high_watermark);
	EXPECT_EQ(1000, cfg.fail_permille);
	EXPECT_EQ(NBUF, cfg.hysteresis);
	expect_none(_metadata, self->efd, "all free, nothing crossed");

	/* Below NBUF fires once; back to all free cannot re-arm it (needs 2 * NBUF). */
	ASSERT_EQ(0, take(self, 1));
	expect_one(_metadata, self->efd, &ev);
	EXPECT_EQ(MPOOL_EVENT_LOW, ev.type);
	EXPECT_EQ(NBUF - 1, ev.value);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, give(self, 1));
		ASSERT_EQ(0, take(self, 1));
	}
	ASSERT_EQ(0, give(self, 1));
	expect_none(_metadata, self->efd, "hysteresis above the pool");

	/* 1000 per mille: only a window with every lease failing fires. */
	ASSERT_EQ(0, take(self, NBUF));
	for (i = 0; i < MPOOL_FAIL_WINDOW - 1; i++)
		ASSERT_EQ(-EAGAIN, take(self, 1));
	expect_none(_metadata, self->efd, "15 failures and a success");
	for (i = 0; i < MPOOL_FAIL_WINDOW; i++)
		ASSERT_EQ(-EAGAIN, take(self, 1));
	expect_one(_metadata, self->efd, &ev);
	EXPECT_EQ(MPOOL_EVENT_FAIL, ev.type);
	EXPECT_EQ(1000, ev.value);
	ASSERT_EQ(0, give(self, NBUF));

	/* Setting them again re-arms: with 7 free, LOW fires at once. */
	ASSERT_EQ(0, take(self, 1));
	expect_none(_metadata, self->efd, "still not re-armed");
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, NBUF, NBUF, 1000, NBUF));
	expect_one(_metadata, self->efd, &ev);
	EXPECT_EQ(MPOOL_EVENT_LOW, ev.type);
	ASSERT_EQ(0, give(self, 1));
	expect_none(_metadata, self->efd, "a high watermark at buf_count");
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	EXPECT_EQ(2, st.low_events);
	EXPECT_EQ(0, st.high_events);
	EXPECT_EQ(1, st.fail_events);
}

/*
 * Record sizes that are no multiple of anything: each read returns whole
 * records of exactly that size, the tail past what the kernel knows
 * zeroed; a buffer the kernel cannot write loses no record; the largest
 * size accepted works.
 */
TEST_F(ev, odd_record_sizes_and_hostile_buffers)
{
	const size_t odd = sizeof(struct mpool_event) + 1;
	struct mpool_pool_events e = { .pool_id = self->c.pool_id, .record_size = odd };
	unsigned char buf[3 * 4096], *ro, *two;
	struct mpool_event ev;
	int big;

	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	self->efd = e.fd;
	e.record_size = 4096;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));
	big = e.fd;
	e.record_size = sizeof(struct mpool_event) - 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, &e));

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 4, 0, 0, 1));
	ASSERT_EQ(0, take(self, NBUF - 3));		/* LOW, seq 1 */
	ASSERT_EQ(0, give(self, NBUF - 3));
	ASSERT_EQ(0, take(self, NBUF - 3));		/* LOW, seq 2 */
	ASSERT_TRUE(mp_poll(self->efd, WAIT_MS) & POLLIN);

	/* Read-only memory: EFAULT, and the record stays. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(-1, read(self->efd, ro, 4096));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, read(big, ro, 4096));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, syscall(SYS_read, self->efd, NULL, odd));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, read(self->efd, buf, odd - 1));
	ASSERT_EQ(EINVAL, errno);

	/* Room for two and a bit: two records of odd bytes, each tail zeroed. */
	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(2 * odd, read(self->efd, buf, 2 * odd + 3));
	memcpy(&ev, buf, sizeof(ev));
	EXPECT_EQ(MPOOL_EVENT_LOW, ev.type);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(0, buf[odd - 1]);
	memcpy(&ev, buf + odd, sizeof(ev));
	EXPECT_EQ(2, ev.seq);
	EXPECT_EQ(0, buf[2 * odd - 1]);
	EXPECT_EQ(0xee, buf[2 * odd]);

	/* A record that would end in read-only memory: the first one only. */
	two = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + 4096, 4096, PROT_READ));
	memset(two, 0xee, 4096);
	/* big: one record is the whole first page, the second cannot be written. */
	ASSERT_EQ(4096, read(big, two, 2 * 4096));
	memcpy(&ev, two, sizeof(ev));
	EXPECT_EQ(1, ev.seq);
	EXPECT_TRUE(mp_all_zero(two + sizeof(ev), 4096 - sizeof(ev)));
	ASSERT_EQ(4096, read(big, two, 4096));
	memcpy(&ev, two, sizeof(ev));
	EXPECT_EQ(2, ev.seq);
	ASSERT_EQ(0, munmap(two, 2 * 4096));
	ASSERT_EQ(0, munmap(ro, 4096));
	close(big);
}

/*
 * Destroy racing everything an event descriptor does: a thread blocked in
 * read(), another in poll(), a third leasing and releasing so that both
 * watermarks keep firing. Each descriptor must end with the DESTROYED
 * record, nothing after it, seq increasing, then EOF and EPOLLHUP; and it
 * must keep answering so after the pool's memory is gone.
 */
#define EVR_ROUNDS	25

struct evr {
	int fd, efd_read, efd_poll;
	__u32 pool_id;
	volatile int cycles;
	/* Results, per descriptor: [0] the reader, [1] the poller. */
	int destroyed[2], after[2], disorder[2], errs[2];
	__u64 last_seq[2];
};

static void evr_record(struct evr *x, int who, const struct mpool_event *ev)
{
	if (x->destroyed[who])
		x->after[who]++;
	if (ev->seq <= x->last_seq[who])
		x->disorder[who]++;
	x->last_seq[who] = ev->seq;
	if (ev->type == MPOOL_EVENT_DESTROYED)
		x->destroyed[who]++;
}

static void *evr_reader(void *arg)
{
	struct evr *x = arg;
	struct mpool_event ev[8];
	int n, i, k;

	for (k = 0; k < 100000; k++) {
		n = read(x->efd_read, ev, sizeof(ev));
		if (n <= 0) {
			if (n < 0)
				x->errs[0]++;
			break;
		}
		for (i = 0; i < n / (int)sizeof(ev[0]); i++)
			evr_record(x, 0, &ev[i]);
	}
	return NULL;
}

static void *evr_poller(void *arg)
{
	struct evr *x = arg;
	struct mpool_event ev[8];
	struct pollfd p = { .fd = x->efd_poll, .events = POLLIN };
	int n, i, k;

	for (k = 0; k < 100000; k++) {
		if (poll(&p, 1, WAIT_MS) != 1) {
			x->errs[1]++;
			break;
		}
		n = read(x->efd_poll, ev, sizeof(ev));
		if (n < 0) {
			x->errs[1]++;
			break;
		}
		for (i = 0; i < n / (int)sizeof(ev[0]); i++)
			evr_record(x, 1, &ev[i]);
		if (!n) {
			if (!(p.revents & POLLHUP))
				x->errs[1]++;
			break;
		}
	}
	return NULL;
}

static void *evr_leaser(void *arg)
{
	struct evr *x = arg;
	__u32 ids[2];
	int k, ret;

	for (k = 0; k < 1000000; k++) {
		ret = mp_lease(x->fd, x->pool_id, ids, 2);
		if (ret == -EIDRM)
			break;
		if (!ret)
			mp_release(x->fd, x->pool_id, ids, 2);
		__atomic_add_fetch(&x->cycles, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST_F(ev, destroy_races_readers_pollers_and_crossings)
{
	struct mpool_info i0, i1;
	int round, w;

	ASSERT_EQ(0, mp_info(self->fd, &i0));
	for (round = 0; round < EVR_ROUNDS; round++) {
		char name[MPOOL_POOL_NAME_MAX];
		struct mpool_pool_create c;
		struct mpool_event ev[2];
		pthread_t th[3];
		struct evr x = {};
		long long t0;

		mp_name(name, "evr");
		x.fd = mp_open();
		ASSERT_LE(0, x.fd);
		ASSERT_EQ(0, mp_create_cfg(x.fd, name, variant->engine, self->page, NBUF, 0,
					   MPOOL_ACCESS_OWNER, true, &c));
		x.pool_id = c.pool_id;
		/* Two buffers out crosses both lines, both ways, every cycle. */
		ASSERT_EQ(0, mp_thresholds(x.fd, c.pool_id, NBUF - 1, NBUF - 1, 0, 1));
		x.efd_read = mp_events(x.fd, c.pool_id);
		ASSERT_LE(0, x.efd_read);
		x.efd_poll = mp_events(x.fd, c.pool_id);
		ASSERT_LE(0, x.efd_poll);
		ASSERT_EQ(0, pthread_create(&th[0], NULL, evr_reader, &x));
		ASSERT_EQ(0, pthread_create(&th[1], NULL, evr_poller, &x));
		ASSERT_EQ(0, pthread_create(&th[2], NULL, evr_leaser, &x));
		t0 = mp_now_ns();
		while (__atomic_load_n(&x.cycles, __ATOMIC_RELAXED) < round % 16 + 1 &&
		       mp_now_ns() - t0 < 2000000000LL)
			sched_yield();
		ASSERT_EQ(0, mp_destroy(x.fd, c.pool_id));
		for (w = 0; w < 3; w++)
			ASSERT_EQ(0, pthread_join(th[w], NULL));
		for (w = 0; w < 2; w++) {
			EXPECT_EQ(1, x.destroyed[w]) TH_LOG("round %d fd %d", round, w);
			EXPECT_EQ(0, x.after[w]) TH_LOG("round %d fd %d: record after DESTROYED",
							round, w);
			EXPECT_EQ(0, x.disorder[w]) TH_LOG("round %d fd %d: seq out of order",
							   round, w);
			EXPECT_EQ(0, x.errs[w]) TH_LOG("round %d fd %d", round, w);
		}
		/* The pool's memory goes with its session; the descriptors stay hung up. */
		ASSERT_EQ(0, close(x.fd));
		ASSERT_EQ(0, read(x.efd_read, ev, sizeof(ev)));
		ASSERT_TRUE(mp_poll(x.efd_poll, 0) & POLLHUP);
		ASSERT_EQ(0, read(x.efd_poll, ev, sizeof(ev)));
		close(x.efd_read);
		close(x.efd_poll);
	}
	ASSERT_EQ(0, mp_info(self->fd, &i1));
	ASSERT_EQ(i0.bytes_used, i1.bytes_used);
	ASSERT_EQ(i0.nr_pools, i1.nr_pools);
}

/*
 * POOL_EVENTS when no descriptor is left (EMFILE), and with its argument
 * in read-only memory (EFAULT once the descriptor exists): neither leaves
 * a descriptor behind, and the pool's events still reach a descriptor
 * made afterwards.
 */
TEST_F(ev, events_with_no_descriptor_left_or_nowhere_to_say_it)
{
	struct mpool_pool_events *ro;
	struct rlimit old, lim;
	struct mpool_event ev;
	int fds[128], n = 0, d, next;

	/* The argument is readable but not writable: EFAULT, no fd installed. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ro->pool_id = self->c.pool_id;
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	next = dup(0);
	ASSERT_LE(0, next);
	close(next);
	ASSERT_EQ(-EFAULT, mp_ioctl(self->fd, MPOOL_IOC_POOL_EVENTS, ro));
	d = dup(0);
	ASSERT_EQ(next, d);
	close(d);
	ASSERT_EQ(0, munmap(ro, 4096));

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = 64;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	while (n < 128) {
		d = dup(self->fd);
		if (d < 0)
			break;
		fds[n++] = d;
	}
	ASSERT_EQ(EMFILE, errno);
	ASSERT_LT(0, n);
	ASSERT_EQ(-EMFILE, mp_events(self->fd, self->c.pool_id));
	close(fds[--n]);
	self->efd = mp_events(self->fd, self->c.pool_id);
	ASSERT_LE(0, self->efd);
	while (n)
		close(fds[--n]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));

	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 2, 0, 0, 1));
	ASSERT_EQ(0, take(self, NBUF - 1));
	expect_one(_metadata, self->efd, &ev);
	EXPECT_EQ(MPOOL_EVENT_LOW, ev.type);
	EXPECT_EQ(1, ev.seq);
}

TEST_HARNESS_MAIN
