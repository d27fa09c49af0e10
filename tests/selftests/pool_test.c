// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool pools: create, attach, destroy and stats; every refusal the
 * UAPI documents (bad sizes, names, flags, reserved fields, struct sizes,
 * unknown commands, permissions, caps) and the memory cgroup charge.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NOBODY	65534

FIXTURE(pool) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	struct mpool_info info0;
	unsigned long long old_max_bytes;
	long page;
};

FIXTURE_SETUP(pool)
{
	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", MPOOL_DEVICE, strerror(errno));
	ASSERT_EQ(0, mp_info(self->fd, &self->info0));
	mp_name(self->name, "pool");
	ASSERT_EQ(0, mp_create(self->fd, self->name, MPOOL_ENG_RING, self->page, 4, &self->c));
}

FIXTURE_TEARDOWN(pool)
{
	if (self->old_max_bytes)
		mp_param_set("max_bytes", self->old_max_bytes);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

TEST_F(pool, create_reports_geometry)
{
	struct mpool_pool_stats st;

	ASSERT_NE(0, self->c.pool_id);
	ASSERT_NE(0, self->c.mmap_offset);
	ASSERT_EQ(0, self->c.mmap_offset % self->page);
	ASSERT_EQ(4 * self->page, self->c.mmap_len);

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(self->page, st.buf_size);
	ASSERT_EQ(4, st.buf_count);
	ASSERT_EQ(MPOOL_ENG_RING, st.engine);
	ASSERT_EQ(4, st.nr_free);
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(0, st.nr_mine);
	ASSERT_EQ(0, st.nr_quarantined);
	ASSERT_EQ(1, st.nr_sessions);
	ASSERT_EQ(0, st.state);
	ASSERT_EQ(0, st.leases);
	ASSERT_EQ(0, st.releases);
	ASSERT_EQ(self->c.mmap_offset, st.mmap_offset);
	ASSERT_EQ(self->c.mmap_len, st.mmap_len);
	ASSERT_STREQ(self->name, st.name);
}

TEST_F(pool, info_counts_pools_and_bytes)
{
	struct mpool_info info;

	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->info0.nr_pools + 1, info.nr_pools);
	ASSERT_EQ(self->info0.bytes_used + 4 * self->page, info.bytes_used);
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	/* Still attached to this session: it exists until the session ends. */
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->info0.nr_pools + 1, info.nr_pools);
}

TEST_F(pool, every_engine_creates)
{
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];
	__u32 engine, id;

	for (engine = MPOOL_ENG_PERCPU; engine <= MPOOL_ENG_LOCKFREE; engine++) {
		mp_name(name, mp_engine_name(engine));
		ASSERT_EQ(0, mp_create(self->fd, name, engine, 2 * self->page, 3, &c));
		ASSERT_EQ(0, mp_lease(self->fd, c.pool_id, &id, 1));
		ASSERT_GT(3, id);
		ASSERT_EQ(0, mp_release(self->fd, c.pool_id, &id, 1));
		ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	}
}

TEST_F(pool, create_rejects_bad_sizes)
{
	struct {
		__u64 size;
		__u32 count;
	} bad[] = {
		{ 0, 1 },
		{ 100, 1 },
		{ self->page + 1, 1 },
		{ self->page / 2, 2 },
		{ self->info0.max_buf_size + self->page, 1 },
		{ self->page, 0 },
		{ self->page, self->info0.max_buf_count + 1 },
		/* Within each limit, but the window is 4 GiB. */
		{ self->info0.max_buf_size, self->info0.max_buf_count },
		{ 1ULL << 63, 1 },
	};
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_info info;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mp_name(name, "size");
		EXPECT_EQ(-EINVAL, mp_create(self->fd, name, MPOOL_ENG_RING, bad[i].size,
					     bad[i].count, NULL))
			TH_LOG("size %llu count %u", (unsigned long long)bad[i].size,
			       bad[i].count);
	}
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->info0.nr_pools + 1, info.nr_pools);
}

TEST_F(pool, create_rejects_bad_names)
{
	struct mpool_pool_create c = {
		.engine = MPOOL_ENG_RING, .buf_size = self->page, .buf_count = 1,
	};
	const char *bad[] = { "", "a/b", "a b", "tab\t", "dollar$", "\xff" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(c.name, 0, sizeof(c.name));
		strcpy(c.name, bad[i]);
		EXPECT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c))
			TH_LOG("name '%s'", bad[i]);
	}
	/* No terminating NUL. */
	memset(c.name, 'a', sizeof(c.name));
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	/* Garbage after the NUL. */
	memset(c.name, 0, sizeof(c.name));
	strcpy(c.name, "ok");
	c.name[sizeof(c.name) - 1] = 'x';
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	/* The longest name that fits. */
	memset(c.name, 0, sizeof(c.name));
	memset(c.name, 'z', sizeof(c.name) - 1);
	c.name[0] = '0' + getpid() % 10;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
}

TEST_F(pool, create_rejects_flags_reserved_engine_node)
{
	struct mpool_pool_create good = {
		.engine = MPOOL_ENG_PERCPU, .buf_size = self->page, .buf_count = 1,
	}, c;

	mp_name(good.name, "flags");
	c = good;
	c.reserved = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c = good;
	c.flags = 0x4;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c.flags = 0x80000000u;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c = good;
	c.engine = 3;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c.engine = ~0u;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	/* A node without the flag, and bad nodes with it. */
	c = good;
	c.node = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c.flags = MPOOL_CREATE_F_NODE;
	c.node = -1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	c.node = 4096;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	/* Node 0 is always online. */
	c.node = 0;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
}

TEST_F(pool, create_duplicate_name_eexist)
{
	struct mpool_pool_create c;
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(-EEXIST, mp_create(self->fd, self->name, MPOOL_ENG_RING, self->page, 1, NULL));
	ASSERT_EQ(-EEXIST, mp_create(fd2, self->name, MPOOL_ENG_PERCPU, self->page, 9, NULL));
	/* A destroyed pool's name is free at once, even while it is in use. */
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, mp_create(fd2, self->name, MPOOL_ENG_LOCKFREE, self->page, 2, &c));
	ASSERT_EQ(0, mp_destroy(fd2, c.pool_id));
	close(fd2);
}

TEST_F(pool, attach_from_second_session)
{
	struct mpool_pool_attach a;
	struct mpool_pool_stats st;
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	ASSERT_NE(0, a.pool_id);
	ASSERT_NE(self->c.pool_id, a.pool_id);
	ASSERT_NE(self->c.mmap_offset, a.mmap_offset);
	ASSERT_EQ(self->page, a.buf_size);
	ASSERT_EQ(4, a.buf_count);
	ASSERT_EQ(MPOOL_ENG_RING, a.engine);
	ASSERT_EQ(self->c.mmap_len, a.mmap_len);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(2, st.nr_sessions);
	ASSERT_EQ(-EEXIST, mp_attach(fd2, self->name, NULL));
	ASSERT_EQ(-EEXIST, mp_attach(self->fd, self->name, NULL));
	close(fd2);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(1, st.nr_sessions);
}

TEST_F(pool, attach_errors)
{
	struct mpool_pool_attach a = {};
	char name[MPOOL_POOL_NAME_MAX];
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	mp_name(name, "nosuch");
	ASSERT_EQ(-ENOENT, mp_attach(fd2, name, NULL));
	ASSERT_EQ(-EINVAL, mp_attach(fd2, "", NULL));
	ASSERT_EQ(-EINVAL, mp_attach(fd2, "bad/name", NULL));
	strcpy(a.name, self->name);
	a.flags = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(fd2, MPOOL_IOC_POOL_ATTACH, &a));
	close(fd2);
}

TEST_F(pool, destroy_semantics)
{
	struct mpool_pool_stats st;
	struct mpool_pool_destroy d = { .pool_id = self->c.pool_id, .flags = 1 };
	__u32 id;

	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_DESTROY, &d));
	ASSERT_EQ(-ENOENT, mp_destroy(self->fd, self->c.pool_id + 1000));
	ASSERT_EQ(-ENOENT, mp_destroy(self->fd, 0));
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(-EIDRM, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state);
	ASSERT_EQ(-ENOENT, mp_attach(self->fd, self->name, NULL));
	ASSERT_EQ(-EIDRM, mp_lease(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(-EIDRM, mp_lease_ex(self->fd, self->c.pool_id, &id, 1, MPOOL_LEASE_F_WAIT, 0));
}

static int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -1;
	return 0;
}

/*
 * Destroy is judged by the credentials the descriptor was opened with,
 * never by those of whoever holds it now: a root process handed a
 * descriptor that nobody opened gets nobody's rights (the confused
 * deputy), and a descriptor root opened keeps root's rights after its
 * holder drops privileges, as any file does.
 */
TEST_F(pool, destroy_judges_the_opener)
{
	const char *node = "/tmp/mempool-opener";
	struct mpool_pool_stats st;
	struct stat sb;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	/* A node of the device that nobody may open (the real one is 0600). */
	ASSERT_EQ(0, stat(MPOOL_DEVICE, &sb));
	unlink(node);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, sb.st_rdev));
	ASSERT_EQ(0, chmod(node, 0666));	/* not cut by the umask */
	/* Nobody may attach, so that it is destroy that says no. */
	ASSERT_EQ(0, mp_set_access(self->fd, self->c.pool_id, MPOOL_ACCESS_ALL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		int fd;

		/* Opened with euid nobody, used with euid root. */
		if (seteuid(NOBODY))
			_exit(1);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (seteuid(0) || fd < 0)
			_exit(2);
		if (mp_attach(fd, self->name, &a))
			_exit(5);
		if (mp_destroy(fd, a.pool_id) != -EPERM)
			_exit(3);
		if (mp_stats(fd, a.pool_id, &st) || st.state)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait(pid));
	unlink(node);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, st.state);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		int fd = mp_open();

		/* Opened as root, used as nobody. */
		if (fd < 0 || mp_attach(fd, self->name, &a) || drop_to(NOBODY))
			_exit(1);
		if (mp_destroy(fd, a.pool_id))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait(pid));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state);
}

/* Observing works read-only; changing pools or leases needs FMODE_WRITE. */
TEST_F(pool, read_only_descriptor_observes_only)
{
	struct mpool_pool_attach a;
	struct mpool_pool_stats st;
	struct mpool_info info;
	char name[MPOOL_POOL_NAME_MAX];
	__u32 id = 0;
	int fd = open(MPOOL_DEVICE, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mp_info(fd, &info));
	ASSERT_EQ(0, mp_attach(fd, self->name, &a));
	ASSERT_EQ(0, mp_stats(fd, a.pool_id, &st));
	mp_name(name, "ro");
	ASSERT_EQ(-EBADF, mp_create(fd, name, MPOOL_ENG_RING, self->page, 1, NULL));
	ASSERT_EQ(-EBADF, mp_lease(fd, a.pool_id, &id, 1));
	ASSERT_EQ(-EBADF, mp_release(fd, a.pool_id, &id, 1));
	ASSERT_EQ(-EBADF, mp_destroy(fd, a.pool_id));
	/* Nothing changed: the pool lives, nothing is leased. */
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, st.state);
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(-ENOENT, mp_attach(self->fd, name, NULL));
	close(fd);
}

TEST_F(pool, admin_destroys_another_users_pool)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_attach a;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	mp_name(name, "nobody");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = mp_open();

		/* Open as root (the node is 0600), create as nobody. */
		if (fd < 0 || drop_to(NOBODY))
			_exit(1);
		if (mp_create(fd, name, MPOOL_ENG_LOCKFREE, mp_page(), 2, NULL))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait(pid));
	/* The creator's session ended; the pool did not. */
	ASSERT_EQ(0, mp_attach(self->fd, name, &a));
	ASSERT_EQ(0, mp_destroy(self->fd, a.pool_id));
}

TEST_F(pool, handles_are_per_session)
{
	struct mpool_pool_stats st;
	__u32 id = 0;
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(-ENOENT, mp_stats(fd2, self->c.pool_id, &st));
	ASSERT_EQ(-ENOENT, mp_lease(fd2, self->c.pool_id, &id, 1));
	ASSERT_EQ(-ENOENT, mp_release(fd2, self->c.pool_id, &id, 1));
	ASSERT_EQ(-ENOENT, mp_destroy(fd2, self->c.pool_id));
	ASSERT_EQ(MAP_FAILED, mp_map(fd2, self->c.mmap_offset, self->c.mmap_len));
	ASSERT_EQ(EINVAL, errno);
	close(fd2);
}

TEST_F(pool, stats_errors)
{
	struct mpool_pool_stats st = { .pool_id = self->c.pool_id, .flags = 1 };

	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_POOL_STATS, &st));
	ASSERT_EQ(-ENOENT, mp_stats(self->fd, 0, &st));
	ASSERT_EQ(-ENOENT, mp_stats(self->fd, ~0u, &st));
}

/* Every command: shorter than v1 is EINVAL; longer with a non-zero tail E2BIG. */
TEST_F(pool, struct_sizes)
{
	static const struct {
		unsigned long cmd;
		const char *name;
		unsigned int first;	/* size of the first version; 0: as now */
	} cmds[] = {
		{ MPOOL_IOC_POOL_CREATE, "create" },
		{ MPOOL_IOC_POOL_ATTACH, "attach" },
		{ MPOOL_IOC_POOL_DESTROY, "destroy" },
		{ MPOOL_IOC_LEASE, "lease" },
		{ MPOOL_IOC_RELEASE, "release" },
		{ MPOOL_IOC_POOL_STATS, "stats", MPOOL_POOL_STATS_SIZE_VER0 },
		{ MPOOL_IOC_POOL_LIST, "list" },
	};
	__u64 buf[64];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		unsigned int dir = _IOC_DIR(cmds[i].cmd), nr = _IOC_NR(cmds[i].cmd);
		unsigned int size = _IOC_SIZE(cmds[i].cmd);
		unsigned int first = cmds[i].first ?: size;

		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(-EINVAL, mp_ioctl(self->fd, _IOC(dir, MPOOL_IOC_MAGIC, nr, first - 4), buf))
			TH_LOG("%s shorter than its first version by 4", cmds[i].name);
		EXPECT_EQ(-EINVAL, mp_ioctl(self->fd, _IOC(dir, MPOOL_IOC_MAGIC, nr, 0), buf))
			TH_LOG("%s size 0", cmds[i].name);
		buf[size / 8] = 1;
		EXPECT_EQ(-E2BIG, mp_ioctl(self->fd, _IOC(dir, MPOOL_IOC_MAGIC, nr, size + 8), buf))
			TH_LOG("%s long, non-zero tail", cmds[i].name);
		buf[size / 8] = 0;
		buf[400 / 8 - 1] = 1;
		EXPECT_EQ(-E2BIG, mp_ioctl(self->fd, _IOC(dir, MPOOL_IOC_MAGIC, nr, 400), buf))
			TH_LOG("%s long, non-zero far tail", cmds[i].name);
	}
}

/* A newer caller's longer structs work when the tail is zero. */
TEST_F(pool, longer_structs_with_zero_tail)
{
	struct {
		struct mpool_pool_stats st;
		__u64 future[3];
	} s = { .st.pool_id = self->c.pool_id };
	struct {
		struct mpool_lease l;
		__u64 future;
	} l = {};
	struct {
		struct mpool_release r;
		__u64 future;
	} r = {};
	__u32 id;

	ASSERT_EQ(0, mp_ioctl(self->fd, _IOWR(MPOOL_IOC_MAGIC, 0x06, s), &s));
	ASSERT_EQ(4, s.st.buf_count);
	ASSERT_EQ(0, s.future[0] | s.future[1] | s.future[2]);
	l.l.pool_id = self->c.pool_id;
	l.l.count = 1;
	l.l.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(0, mp_ioctl(self->fd, _IOW(MPOOL_IOC_MAGIC, 0x04, l), &l));
	r.r.pool_id = self->c.pool_id;
	r.r.count = 1;
	r.r.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(0, mp_ioctl(self->fd, _IOW(MPOOL_IOC_MAGIC, 0x05, r), &r));
}

TEST_F(pool, unknown_commands_enotty)
{
	__u64 buf[16] = {};
	unsigned int nr;

	for (nr = 0x0c; nr < 0x100; nr += 0x11)
		EXPECT_EQ(-ENOTTY, mp_ioctl(self->fd, _IOWR(MPOOL_IOC_MAGIC, nr, __u64[4]), buf));
	/* Known numbers, wrong direction. */
	ASSERT_EQ(-ENOTTY, mp_ioctl(self->fd, _IOR(MPOOL_IOC_MAGIC, 0x01,
						   struct mpool_pool_create), buf));
	ASSERT_EQ(-ENOTTY, mp_ioctl(self->fd, _IOWR(MPOOL_IOC_MAGIC, 0x03,
						    struct mpool_pool_destroy), buf));
	ASSERT_EQ(-ENOTTY, mp_ioctl(self->fd, _IO(MPOOL_IOC_MAGIC, 0x04), buf));
	/* Another driver's magic. */
	ASSERT_EQ(-ENOTTY, mp_ioctl(self->fd, _IOWR('T', 0x06, struct mpool_pool_stats), buf));
	/* isatty() must not mistake us for a terminal. */
	ASSERT_EQ(0, isatty(self->fd));
}

TEST_F(pool, bad_pointers_efault)
{
	static const unsigned long cmds[] = {
		MPOOL_IOC_INFO, MPOOL_IOC_POOL_CREATE, MPOOL_IOC_POOL_ATTACH,
		MPOOL_IOC_POOL_DESTROY, MPOOL_IOC_LEASE, MPOOL_IOC_RELEASE,
		MPOOL_IOC_POOL_STATS,
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-EFAULT, mp_ioctl(self->fd, cmds[i], NULL));
		EXPECT_EQ(-EFAULT, mp_ioctl(self->fd, cmds[i], (void *)-4096L));
	}
}

TEST_F(pool, max_pools_enospc)
{
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_info info;
	int fds[8], nfd = 0, per = 0, made = 0, ret, i;
	struct {
		int fd;
		__u32 id;
	} *made_ids;

	ASSERT_EQ(0, mp_info(self->fd, &info));
	made_ids = calloc(info.max_pools + 1, sizeof(*made_ids));
	ASSERT_NE(NULL, made_ids);
	for (;;) {
		if (!nfd || per == MPOOL_SESSION_POOLS_MAX) {
			ASSERT_GT(8, nfd);
			fds[nfd] = mp_open();
			ASSERT_LE(0, fds[nfd]);
			nfd++;
			per = 0;
		}
		mp_name(name, "many");
		ret = mp_create(fds[nfd - 1], name, MPOOL_ENG_RING, self->page, 1, &c);
		if (ret)
			break;
		made_ids[made].fd = fds[nfd - 1];
		made_ids[made].id = c.pool_id;
		made++;
		per++;
		ASSERT_GE(info.max_pools, made);
	}
	ASSERT_EQ(-ENOSPC, ret);
	ASSERT_EQ(info.max_pools - info.nr_pools, made);
	for (i = 0; i < made; i++)
		ASSERT_EQ(0, mp_destroy(made_ids[i].fd, made_ids[i].id));
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(self->info0.nr_pools + 1, info.nr_pools);
	free(made_ids);
}

TEST_F(pool, session_pool_cap_edquot)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	__u32 ids[MPOOL_SESSION_POOLS_MAX];
	int fd = mp_open(), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < MPOOL_SESSION_POOLS_MAX; i++) {
		mp_name(name, "cap");
		ASSERT_EQ(0, mp_create(fd, name, MPOOL_ENG_LOCKFREE, self->page, 1, &c));
		ids[i] = c.pool_id;
	}
	mp_name(name, "cap");
	ASSERT_EQ(-EDQUOT, mp_create(fd, name, MPOOL_ENG_LOCKFREE, self->page, 1, NULL));
	ASSERT_EQ(-EDQUOT, mp_attach(fd, self->name, NULL));
	for (i = 0; i < MPOOL_SESSION_POOLS_MAX; i++)
		ASSERT_EQ(0, mp_destroy(fd, ids[i]));
	/* Destroyed pools stay attached: the session is still full. */
	ASSERT_EQ(-EDQUOT, mp_attach(fd, self->name, NULL));
	close(fd);
}

TEST_F(pool, max_bytes_enospc)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	struct mpool_info info;

	self->old_max_bytes = mp_param_get("max_bytes");
	ASSERT_NE(0, self->old_max_bytes);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(0, mp_param_set("max_bytes", info.bytes_used + 8 * self->page));
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_EQ(info.bytes_used + 8 * self->page, info.max_bytes);

	mp_name(name, "bytes");
	ASSERT_EQ(-ENOSPC, mp_create(self->fd, name, MPOOL_ENG_RING, self->page, 9, NULL));
	ASSERT_EQ(0, mp_create(self->fd, name, MPOOL_ENG_RING, 2 * self->page, 4, &c));
	mp_name(name, "bytes");
	ASSERT_EQ(-ENOSPC, mp_create(self->fd, name, MPOOL_ENG_RING, self->page, 1, NULL));
	/* Destroyed but attached: the memory is still there. */
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	ASSERT_EQ(-ENOSPC, mp_create(self->fd, name, MPOOL_ENG_RING, self->page, 1, NULL));
	/* A session's end frees it; the charge goes with it. */
	close(self->fd);
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_attach(self->fd, self->name, NULL));
	ASSERT_EQ(0, mp_create(self->fd, name, MPOOL_ENG_RING, self->page, 1, &c));
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	ASSERT_EQ(0, mp_param_set("max_bytes", self->old_max_bytes));
	self->old_max_bytes = 0;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static long long read_ll(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoll(buf, NULL, 10) : -1;
}

/* Pool memory is charged to the creator's memory cgroup and bounded by it. */
TEST_F(pool, memcg_charged_and_bounded)
{
	char root[64], cg[128], path[192], name[MPOOL_POOL_NAME_MAX];
	pid_t pid;
	int status;

	snprintf(root, sizeof(root), "/tmp/mpool-cg-%d", getpid());
	ASSERT_EQ(0, mkdir(root, 0700));
	if (mount("none", root, "cgroup2", 0, NULL)) {
		rmdir(root);
		SKIP(return, "cannot mount cgroup2: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (write_file(path, "+memory")) {
		umount(root);
		rmdir(root);
		SKIP(return, "no memory controller");
	}
	snprintf(cg, sizeof(cg), "%s/mpool", root);
	ASSERT_EQ(0, mkdir(cg, 0700));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(0, write_file(path, "8388608"));

	mp_name(name, "memcg");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char pidbuf[32];
		struct mpool_pool_create c;
		long long before, after;
		int fd;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (write_file(path, pidbuf))
			_exit(1);
		fd = mp_open();
		if (fd < 0)
			_exit(2);
		snprintf(path, sizeof(path), "%s/memory.current", cg);
		before = read_ll(path);
		if (mp_create(fd, name, MPOOL_ENG_RING, mp_page(), 256, &c))
			_exit(3);
		after = read_ll(path);
		if (before < 0 || after - before < 256 * mp_page())
			_exit(4);
		/* 16 MiB does not fit under 8: a clean ENOMEM, nobody OOM-killed. */
		mp_name(name, "memcg");
		if (mp_create(fd, name, MPOOL_ENG_RING, 1 << 20, 16, NULL) != -ENOMEM)
			_exit(5);
		if (mp_destroy(fd, c.pool_id))
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmdir(cg);
	umount(root);
	rmdir(root);
}

TEST_HARNESS_MAIN
