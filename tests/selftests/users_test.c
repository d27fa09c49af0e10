// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool as several users share it: per-user caps on pools, bytes
 * and leases (EDQUOT for the user at its cap, nobody else affected), pool
 * lifetimes (persistent, session-scoped), and quarantined memory that
 * stays charged after its pool is gone.
 *
 * The test runs as root and opens the device as other users through a
 * node of its own that anyone may open: the module judges a session by the
 * credentials it was opened with, so switching the euid around open() is
 * enough, and root's own sessions (CAP_SYS_RESOURCE) are not capped.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include "mempool_cfg.h"
#include "kselftest_harness.h"

#define UID_A	4001
#define UID_B	4002
#define NODE	"/tmp/mempool-users"

static const char *const params[] = {
	"max_user_pools", "max_user_bytes", "max_user_leases", "max_bytes",
};

#define MAX_NAMES	8
#define MPOOL_MAX_LIST	256

FIXTURE(users) {
	unsigned long long saved[4];
	long page;
	int root;
	/* Every name a test may create, removed by the teardown whatever happened. */
	char names[MAX_NAMES][MPOOL_POOL_NAME_MAX];
	int nr_names;
};

/* A fresh pool name, destroyed by the teardown if the test left it. */
static const char *new_name(FIXTURE_DATA(users) *self, const char *tag)
{
	if (self->nr_names == MAX_NAMES)
		abort();
	mp_name(self->names[self->nr_names], tag);
	return self->names[self->nr_names++];
}

/* Root destroys @name, whoever made it (CAP_SYS_ADMIN); ENOENT is fine. */
static void destroy_by_name(const char *name)
{
	struct mpool_pool_attach a;
	int fd = mp_open();

	if (fd < 0)
		return;
	if (!mp_attach(fd, name, &a))
		mp_destroy(fd, a.pool_id);
	close(fd);
}

FIXTURE_SETUP(users)
{
	struct stat sb;
	size_t i;

	MP_SKIP_WITHOUT_DEVICE();
	if (geteuid())
		SKIP(return, "needs root to open the device as other users");
	self->page = mp_page();
	ASSERT_EQ(0, stat(MPOOL_DEVICE, &sb));
	unlink(NODE);
	ASSERT_EQ(0, mknod(NODE, S_IFCHR | 0600, sb.st_rdev));
	ASSERT_EQ(0, chmod(NODE, 0666));	/* not cut by the umask */
	for (i = 0; i < 4; i++)
		self->saved[i] = mp_param_get(params[i]);
	self->root = mp_open();
	ASSERT_LE(0, self->root);
}

FIXTURE_TEARDOWN(users)
{
	size_t i;

	if (geteuid())
		return;
	for (i = 0; i < (size_t)self->nr_names; i++)
		destroy_by_name(self->names[i]);
	for (i = 0; i < 4; i++)
		mp_param_set(params[i], self->saved[i]);
	close(self->root);
	unlink(NODE);
}

/* A session of user @uid: opened with that euid, whoever uses it later. */
static int open_as(uid_t uid)
{
	int fd, err;

	if (seteuid(uid))
		return -1;
	fd = open(NODE, O_RDWR | O_CLOEXEC);
	err = errno;
	if (seteuid(0))
		abort();
	errno = err;
	return fd;
}

static struct mpool_info info_of(int fd)
{
	struct mpool_info info;

	if (mp_info(fd, &info))
		memset(&info, 0xff, sizeof(info));
	return info;
}

/*
 * A ring pool @name in @fd's session: 0 or -errno. Open to every user:
 * these tests share pools across users to see who is charged.
 */
static int create(int fd, const char *name, long buf_size, __u32 count, __u32 flags,
		  struct mpool_pool_create *out)
{
	return mp_create_ex(fd, name, MPOOL_ENG_RING, buf_size, count, flags,
			    MPOOL_ACCESS_ALL, out);
}

TEST_F(users, pools_cap_is_per_user)
{
	const char *n[5];
	struct mpool_info info;
	int a, b, i;

	for (i = 0; i < 5; i++)
		n[i] = new_name(self, "ucap");
	ASSERT_EQ(0, mp_param_set("max_user_pools", 2));
	a = open_as(UID_A);
	b = open_as(UID_B);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);

	ASSERT_EQ(0, create(a, n[0], self->page, 1, 0, NULL));
	ASSERT_EQ(0, create(a, n[1], self->page, 1, 0, NULL));
	ASSERT_EQ(-EDQUOT, create(a, n[2], self->page, 1, 0, NULL));
	info = info_of(a);
	ASSERT_EQ(2, info.max_user_pools);
	ASSERT_EQ(2, info.user_pools);
	ASSERT_EQ(2 * self->page, info.user_bytes);
	/* The name a refusal did not take is free, and B is not affected. */
	ASSERT_EQ(0, create(b, n[2], self->page, 1, 0, NULL));
	ASSERT_EQ(1, info_of(b).user_pools);
	/* Root's sessions have CAP_SYS_RESOURCE: counted, not capped. */
	ASSERT_EQ(0, mp_param_set("max_user_pools", 0));
	ASSERT_EQ(0, create(self->root, n[3], self->page, 1, 0, NULL));
	ASSERT_EQ(-EDQUOT, create(b, n[4], self->page, 1, 0, NULL));
	ASSERT_EQ(0, mp_param_set("max_user_pools", 2));

	/* A destroyed pool counts while attached, and not after. */
	destroy_by_name(n[0]);
	ASSERT_EQ(2, info_of(a).user_pools);
	close(a);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, info_of(a).user_pools);
	ASSERT_EQ(0, create(a, n[0], self->page, 1, 0, NULL));
	close(a);
	close(b);
}

TEST_F(users, bytes_cap_is_per_user)
{
	const char *n[3];
	int a, b, i;

	for (i = 0; i < 3; i++)
		n[i] = new_name(self, "ubytes");
	ASSERT_EQ(0, mp_param_set("max_user_bytes", 3 * self->page));
	a = open_as(UID_A);
	b = open_as(UID_B);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);

	ASSERT_EQ(0, create(a, n[0], self->page, 2, 0, NULL));
	ASSERT_EQ(-EDQUOT, create(a, n[1], self->page, 2, 0, NULL));
	ASSERT_EQ(-EDQUOT, create(a, n[1], 4 * self->page, 1, 0, NULL));
	ASSERT_EQ(0, create(a, n[1], self->page, 1, 0, NULL));
	ASSERT_EQ(3 * self->page, info_of(a).user_bytes);
	ASSERT_EQ(3 * self->page, info_of(a).max_user_bytes);
	ASSERT_EQ(0, create(b, n[2], 3 * self->page, 1, 0, NULL));
	close(a);
	close(b);
}

/* One cap over all of a user's sessions, apart from each session's own. */
TEST_F(users, leases_cap_spans_sessions)
{
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	const char *name = new_name(self, "ulease");
	__u32 ids[4], more[4], b_ids[3];
	int a1, a2, b;

	ASSERT_EQ(0, mp_param_set("max_user_leases", 3));
	a1 = open_as(UID_A);
	a2 = open_as(UID_A);
	b = open_as(UID_B);
	ASSERT_LE(0, a1);
	ASSERT_LE(0, a2);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, create(a1, name, self->page, 8, 0, &c));
	ASSERT_EQ(0, mp_attach(a2, name, &at));

	ASSERT_EQ(0, mp_lease(a1, c.pool_id, ids, 2));
	ASSERT_EQ(-EDQUOT, mp_lease(a2, at.pool_id, more, 2));
	ASSERT_EQ(0, mp_lease(a2, at.pool_id, more, 1));
	ASSERT_EQ(3, info_of(a2).user_leases);
	ASSERT_EQ(-EDQUOT, mp_lease(a1, c.pool_id, ids + 2, 1));
	/* B leases from A's pool against B's cap, not A's. */
	ASSERT_EQ(0, mp_attach(b, name, &at));
	ASSERT_EQ(0, mp_lease(b, at.pool_id, b_ids, 3));
	ASSERT_EQ(3, info_of(b).user_leases);
	/* A release gives the charge back at once; so does a session's end. */
	ASSERT_EQ(0, mp_release(a1, c.pool_id, ids, 2));
	ASSERT_EQ(1, info_of(a1).user_leases);
	close(a2);
	ASSERT_EQ(0, info_of(a1).user_leases);
	ASSERT_EQ(0, mp_lease(a1, c.pool_id, ids, 3));
	ASSERT_EQ(0, mp_destroy(a1, c.pool_id));
	close(a1);
	close(b);
}

/* Persistent (the default): outlives its creator, stays charged to it. */
TEST_F(users, persistent_pool_outlives_its_creator)
{
	const char *name = new_name(self, "upers");
	struct mpool_pool_attach at, rt;
	struct mpool_pool_stats st;
	int a;

	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create(a, name, self->page, 2, 0, NULL));
	close(a);

	ASSERT_EQ(0, mp_attach(self->root, name, &rt));
	ASSERT_EQ(0, mp_stats(self->root, rt.pool_id, &st));
	ASSERT_EQ(UID_A, st.owner_uid);
	ASSERT_EQ(0, st.create_flags & MPOOL_CREATE_F_SESSION);
	ASSERT_EQ(0, st.state);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, info_of(a).user_pools);
	ASSERT_EQ(2 * self->page, info_of(a).user_bytes);

	/* Its owner can come back and remove it. */
	ASSERT_EQ(0, mp_attach(a, name, &at));
	ASSERT_EQ(0, mp_destroy(a, at.pool_id));
	close(a);
	ASSERT_EQ(0, mp_stats(self->root, rt.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	/* Root's attachment still holds the memory, charged to A. */
	ASSERT_EQ(1, info_of(a).user_pools);
	close(a);
}

/*
 * Session-scoped: ends with the last session of its creator's user that is
 * attached to it; other users' leases stay valid until they let go.
 */
TEST_F(users, session_pool_ends_with_its_creators_sessions)
{
	struct mpool_pool_attach at, bt;
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	const char *name = new_name(self, "usess");
	int a1, a2, b, r;
	__u32 id, other;
	char *m;

	a1 = open_as(UID_A);
	a2 = open_as(UID_A);
	b = open_as(UID_B);
	r = mp_open();
	ASSERT_LE(0, a1);
	ASSERT_LE(0, a2);
	ASSERT_LE(0, b);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, create(a1, name, self->page, 2, MPOOL_CREATE_F_SESSION, &c));
	ASSERT_EQ(0, mp_attach(a2, name, &at));
	ASSERT_EQ(0, mp_attach(b, name, &bt));
	ASSERT_EQ(0, mp_stats(b, bt.pool_id, &st));
	ASSERT_EQ(MPOOL_CREATE_F_SESSION, st.create_flags);
	ASSERT_EQ(UID_A, st.owner_uid);
	ASSERT_EQ(0, mp_lease(b, bt.pool_id, &id, 1));
	m = mp_map(b, bt.mmap_offset, bt.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	m[id * self->page] = 0x5a;

	/* Another session of A keeps it; B's session does not. */
	close(a1);
	ASSERT_EQ(0, mp_attach(r, name, NULL));
	close(a2);
	ASSERT_EQ(-ENOENT, mp_attach(self->root, name, NULL));
	ASSERT_EQ(0, mp_stats(b, bt.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state);
	ASSERT_EQ(1, st.nr_mine);
	ASSERT_EQ(0x5a, m[id * self->page]);
	ASSERT_EQ(-EIDRM, mp_lease(b, bt.pool_id, &other, 1));
	ASSERT_EQ(0, mp_release(b, bt.pool_id, &id, 1));
	ASSERT_EQ(0, munmap(m, bt.mmap_len));

	/* The name is free at once; the memory (A's charge) when B and r go. */
	a1 = open_as(UID_A);
	ASSERT_LE(0, a1);
	ASSERT_EQ(1, info_of(a1).user_pools);
	close(b);
	close(r);
	ASSERT_EQ(0, info_of(a1).user_pools);
	ASSERT_EQ(0, create(a1, name, self->page, 1, MPOOL_CREATE_F_SESSION, NULL));
	close(a1);
	ASSERT_EQ(-ENOENT, mp_attach(self->root, name, NULL));
}

/*
 * A quarantined buffer's pages are memory the pool cannot give back: they
 * stay charged, globally and to the creator, after the pool is destroyed
 * and every session has gone, until the pipe holding them lets go.
 */
TEST_F(users, quarantine_stays_charged_after_the_pool_is_gone)
{
	const char *name = new_name(self, "uquar");
	struct mpool_pool_create c;
	struct mpool_info before;
	struct iovec iov;
	int a, pfd[2];
	char got[64];
	__u32 id;
	char *m;

	ASSERT_EQ(0, mp_param_set("max_user_bytes", self->page));
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	before = info_of(self->root);
	ASSERT_EQ(0, create(a, name, self->page, 1, 0, &c));
	ASSERT_EQ(0, mp_lease(a, c.pool_id, &id, 1));
	m = mp_map(a, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 0x71, sizeof(got));
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = m;
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, mp_release(a, c.pool_id, &id, 1));
	ASSERT_EQ(0, mp_destroy(a, c.pool_id));
	ASSERT_EQ(0, munmap(m, c.mmap_len));
	close(a);

	/* Nobody holds the pool, but the pipe holds its page. */
	ASSERT_EQ(before.bytes_used + self->page, info_of(self->root).bytes_used);
	ASSERT_EQ(before.nr_pools + 1, info_of(self->root).nr_pools);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(self->page, info_of(a).user_bytes);
	ASSERT_EQ(-EDQUOT, create(a, name, self->page, 1, 0, NULL));
	/* And globally: no room for it under a cap set just above the rest. */
	ASSERT_EQ(0, mp_param_set("max_bytes", before.bytes_used + self->page));
	ASSERT_EQ(-ENOSPC, create(self->root, name, self->page, 1, 0, NULL));

	/* The pipe lets go: the next create finds the memory free. */
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	ASSERT_EQ(0x71, got[0]);
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0, create(a, name, self->page, 1, 0, &c));
	ASSERT_EQ(self->page, info_of(a).user_bytes);
	ASSERT_EQ(before.bytes_used + self->page, info_of(self->root).bytes_used);
	ASSERT_EQ(0, mp_destroy(a, c.pool_id));
	close(a);
	ASSERT_EQ(before.bytes_used, info_of(self->root).bytes_used);
}

static int list(int fd, void *entries, __u32 entry_size, __u32 count,
		struct mpool_pool_list *out)
{
	struct mpool_pool_list l = {
		.entry_size = entry_size, .entries = (__u64)(unsigned long)entries,
		.count = count,
	};
	int ret = mp_ioctl(fd, MPOOL_IOC_POOL_LIST, &l);

	*out = l;
	return ret;
}

/*
 * Anyone who may open the device finds every named pool, a persistent one
 * whose creator has left included, with its owner: what an operator needs
 * to find it and remove it.
 */
TEST_F(users, list_finds_pools_other_users_left)
{
	const char *name = new_name(self, "ulist"), *gone = new_name(self, "ugone");
	struct mpool_pool_entry e[MPOOL_MAX_LIST];
	struct {
		struct mpool_pool_entry e;
		__u64 future;
	} big[MPOOL_MAX_LIST];
	struct mpool_pool_list l;
	struct mpool_pool_create c;
	int a, ro, i, found = -1;

	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create(a, name, self->page, 3, 0, NULL));
	ASSERT_EQ(0, create(a, gone, self->page, 1, 0, &c));
	ASSERT_EQ(0, mp_destroy(a, c.pool_id));
	close(a);

	/* Another user, on a read-only descriptor. */
	ASSERT_EQ(0, seteuid(UID_B));
	ro = open(NODE, O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(0, seteuid(0));
	ASSERT_LE(0, ro);
	ASSERT_TRUE(info_of(ro).features & MPOOL_FEAT_LIST);
	ASSERT_EQ(0, list(ro, e, sizeof(e[0]), MPOOL_MAX_LIST, &l));
	ASSERT_LE(1, l.total);
	ASSERT_EQ(l.total < MPOOL_MAX_LIST ? l.total : MPOOL_MAX_LIST, l.count);
	for (i = 0; i < (int)l.count; i++) {
		ASSERT_NE(0, strncmp(e[i].name, gone, sizeof(e[i].name)));
		if (!strncmp(e[i].name, name, sizeof(e[i].name)))
			found = i;
	}
	ASSERT_LE(0, found);
	ASSERT_EQ(UID_A, e[found].owner_uid);
	ASSERT_EQ(MPOOL_ENG_RING, e[found].engine);
	ASSERT_EQ(3, e[found].buf_count);
	ASSERT_EQ(self->page, e[found].buf_size);
	ASSERT_EQ(3, e[found].nr_free);
	ASSERT_EQ(0, e[found].nr_sessions);
	ASSERT_EQ(0, e[found].create_flags);

	/* Just the count; then a newer caller's longer entries, tail zeroed. */
	ASSERT_EQ(0, list(ro, NULL, sizeof(e[0]), 0, &l));
	ASSERT_EQ(0, l.count);
	ASSERT_LE(1, l.total);
	memset(big, 0xee, sizeof(big));
	ASSERT_EQ(0, list(ro, big, sizeof(big[0]), 1, &l));
	ASSERT_EQ(1, l.count);
	ASSERT_EQ(0, big[0].future);
	ASSERT_EQ(0xeeeeeeeeu, big[1].e.engine);
	ASSERT_EQ(-EINVAL, list(ro, e, MPOOL_POOL_ENTRY_SIZE_VER0 - 8, 1, &l));
	ASSERT_EQ(-E2BIG, list(ro, e, 4096 + 8, 1, &l));
	ASSERT_EQ(-EFAULT, list(ro, NULL, sizeof(e[0]), 1, &l));
	close(ro);
}

/* A caller built before the stats struct grew gets the prefix it knows. */
TEST_F(users, stats_first_version_still_works)
{
	const char *name = new_name(self, "uver0");
	struct mpool_pool_create c;
	struct {
		struct mpool_pool_stats st;
		__u64 guard;
	} buf;
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, MPOOL_IOC_MAGIC,
				 _IOC_NR(MPOOL_IOC_POOL_STATS), MPOOL_POOL_STATS_SIZE_VER0);

	ASSERT_EQ(0, create(self->root, name, self->page, 3, 0, &c));
	memset(&buf, 0xee, sizeof(buf));
	memset(&buf.st, 0, MPOOL_POOL_STATS_SIZE_VER0);
	buf.st.pool_id = c.pool_id;
	ASSERT_EQ(0, mp_ioctl(self->root, cmd, &buf.st));
	ASSERT_EQ(3, buf.st.buf_count);
	ASSERT_EQ(0xeeeeeeeeu, buf.st.owner_uid);
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeull, buf.guard);
	ASSERT_EQ(0, mp_destroy(self->root, c.pool_id));
}

/*
 * A session-scoped pool whose creator's last session goes while another
 * user holds leases and a mapping and keeps leasing from a second
 * session: that user keeps its buffers and bytes, gets EIDRM for new
 * leases, cannot change the pool; the grown pool stays charged to its
 * creator, exactly, until the other user's sessions end.
 */
TEST_F(users, session_pool_creator_leaves_while_another_user_works)
{
	const char *name = new_name(self, "uleave");
	struct mpool_pool_attach bt, bt2;
	struct mpool_pool_create c;
	struct mpool_info before;
	__u32 held[2], id;
	int a, b, b2, go[2], i;
	pid_t pid;
	char *m;

	before = info_of(self->root);
	a = open_as(UID_A);
	b = open_as(UID_B);
	b2 = open_as(UID_B);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, b2);
	c = (struct mpool_pool_create){
		.engine = MPOOL_ENG_RING, .buf_size = self->page, .buf_count = 4,
		.max_buf_count = 16, .flags = MPOOL_CREATE_F_SESSION,
		.access = MPOOL_ACCESS_ALL,
	};
	memcpy(c.name, name, strlen(name));
	ASSERT_EQ(0, mp_ioctl(a, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(0, mp_attach(b, name, &bt));
	ASSERT_EQ(0, mp_attach(b2, name, &bt2));
	m = mp_map(b, bt.mmap_offset, bt.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mp_lease(b, bt.pool_id, held, 2));
	for (i = 0; i < 2; i++)
		memset(m + (size_t)held[i] * self->page, 0x60 + i, self->page);

	/* B's second session leases and releases until the pool is gone. */
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *m2 = mp_map(b2, bt2.mmap_offset, bt2.mmap_len);
		long it;
		int ret;

		/* Not A's session: only the parent's close may end it. */
		close(a);
		close(b);
		close(go[0]);
		if (m2 == MAP_FAILED)
			_exit(3);
		mp_signal_fd(go[1]);
		for (it = 0; it < 1000000; it++) {
			ret = mp_lease(b2, bt2.pool_id, &id, 1);
			if (ret == -EIDRM)
				_exit(0);
			if (ret == -EAGAIN)
				continue;
			if (ret || id >= 16 || !mp_all_zero(m2 + (size_t)id * self->page, self->page))
				_exit(4);
			m2[(size_t)id * self->page] = 0x77;
			if (mp_release(b2, bt2.pool_id, &id, 1))
				_exit(5);
		}
		_exit(6);
	}
	close(go[1]);
	ASSERT_EQ(0, mp_wait_fd(go[0]));
	close(go[0]);
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 16, NULL));
	close(a);		/* A's last session: the pool goes */
	ASSERT_EQ(0, mp_wait(pid));

	ASSERT_EQ(-EIDRM, mp_lease(b, bt.pool_id, &id, 1));
	ASSERT_EQ(-EPERM, mp_resize(b, bt.pool_id, 1, NULL));
	ASSERT_EQ(-ENOENT, mp_attach(self->root, name, NULL));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0x60 + i, m[(size_t)held[i] * self->page]);
		ASSERT_EQ(0x60 + i, m[(size_t)held[i] * self->page + self->page - 1]);
	}
	ASSERT_EQ(2, info_of(b).user_leases);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, info_of(a).user_pools);
	ASSERT_EQ(16 * self->page, info_of(a).user_bytes);
	ASSERT_EQ(before.bytes_used + 16 * self->page, info_of(self->root).bytes_used);

	ASSERT_EQ(0, mp_release(b, bt.pool_id, held, 2));
	ASSERT_EQ(SIGBUS, mp_read_sig(m + (size_t)held[0] * self->page));
	ASSERT_EQ(0, info_of(b).user_leases);
	ASSERT_EQ(0, munmap(m, bt.mmap_len));
	close(b2);
	ASSERT_EQ(16 * self->page, info_of(a).user_bytes);
	close(b);
	ASSERT_EQ(0, info_of(a).user_pools);
	ASSERT_EQ(0, info_of(a).user_bytes);
	ASSERT_EQ(before.bytes_used, info_of(self->root).bytes_used);
	ASSERT_EQ(before.nr_pools, info_of(self->root).nr_pools);
	close(a);
}

/*
 * Resized pools and the quarantine: a pool grown, then shrunk around a
 * quarantined buffer, then destroyed, stays charged for exactly what it
 * still holds (the quarantined buffer and what could not be shrunk away)
 * until the pipe lets go, and not a byte more or less afterwards.
 */
TEST_F(users, quarantine_after_resize_is_charged_exactly)
{
	const char *name = new_name(self, "uqres");
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	struct mpool_info before;
	struct iovec iov;
	__u32 id, now;
	int a, pfd[2];
	char got[64];
	char *m;

	before = info_of(self->root);
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	c = (struct mpool_pool_create){
		.engine = MPOOL_ENG_LOCKFREE, .buf_size = self->page, .buf_count = 2,
		.max_buf_count = 8, .access = MPOOL_ACCESS_OWNER,
	};
	memcpy(c.name, name, strlen(name));
	ASSERT_EQ(0, mp_ioctl(a, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 8, &now));
	ASSERT_EQ(8, now);
	ASSERT_EQ(8 * self->page, info_of(a).user_bytes);
	ASSERT_EQ(0, mp_lease(a, c.pool_id, &id, 1));
	m = mp_map(a, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	memset(m + (size_t)id * self->page, 0x42, sizeof(got));
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = m + (size_t)id * self->page;
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, mp_release(a, c.pool_id, &id, 1));
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(1, st.nr_quarantined);

	/* Shrink to 1: the seven free ones go, the quarantined one stays. */
	ASSERT_EQ(0, mp_drain(a, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 1, &now));
	ASSERT_EQ(1, now);
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(1, st.buf_count);
	ASSERT_EQ(0, st.nr_free);
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(self->page, st.bytes_reserved);
	ASSERT_EQ(-EAGAIN, mp_lease(a, c.pool_id, &id, 1));
	ASSERT_EQ(self->page, info_of(a).user_bytes);
	/* Grow again around it: ids that are free, never the quarantined one. */
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 3, &now));
	ASSERT_EQ(3, now);
	ASSERT_EQ(3 * self->page, info_of(a).user_bytes);
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(2, st.nr_free);
	ASSERT_EQ(1, st.nr_quarantined);

	ASSERT_EQ(0, mp_destroy(a, c.pool_id));
	ASSERT_EQ(0, munmap(m, c.mmap_len));
	close(a);
	/* Buried with its quarantined buffer: all three still charged. */
	a = open_as(UID_A);
	ASSERT_LE(0, a);
	ASSERT_EQ(3 * self->page, info_of(a).user_bytes);
	ASSERT_EQ(1, info_of(a).user_pools);
	ASSERT_EQ(before.bytes_used + 3 * self->page, info_of(self->root).bytes_used);

	/* The pipe still reads what was spliced, then lets go. */
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	ASSERT_EQ(0x42, got[0]);
	close(pfd[0]);
	close(pfd[1]);
	/* The next create reaps the grave. */
	ASSERT_EQ(0, create(a, name, self->page, 1, 0, &c));
	ASSERT_EQ(self->page, info_of(a).user_bytes);
	ASSERT_EQ(1, info_of(a).user_pools);
	ASSERT_EQ(0, mp_destroy(a, c.pool_id));
	close(a);
	ASSERT_EQ(before.bytes_used, info_of(self->root).bytes_used);
	ASSERT_EQ(before.nr_pools, info_of(self->root).nr_pools);
}

TEST_HARNESS_MAIN
