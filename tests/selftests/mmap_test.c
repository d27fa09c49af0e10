// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool mappings: only leased buffers are reachable (SIGBUS
 * otherwise), zeroing on every lease, revocation on release, bad mmap
 * requests, fork, destroy while mapped, crash clean-up, two processes at
 * once, the module pinned while in use, and the quarantine of buffers
 * something outside still references.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/uio.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF		4
#define BUF_PAGES	2

FIXTURE(map) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	char *map;
	size_t bufsz;
	long page;
};

FIXTURE_VARIANT(map) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(map, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(map, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(map, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(map)
{
	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->bufsz = BUF_PAGES * self->page;
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	mp_name(self->name, mp_engine_name(variant->engine));
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, self->bufsz, NBUF,
			       &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(map)
{
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, self->c.mmap_len);
	if (self->fd >= 0) {
		mp_destroy(self->fd, self->c.pool_id);
		close(self->fd);
	}
}

static char *buf_of(FIXTURE_DATA(map) *self, __u32 id)
{
	return self->map + (size_t)id * self->bufsz;
}

/* Every page of buffer @id answers a read with @sig (0: readable). */
static bool buf_reads(FIXTURE_DATA(map) *self, char *base, int sig)
{
	char v;
	int pg;

	for (pg = 0; pg < BUF_PAGES; pg++) {
		if (mp_read_byte(base + pg * self->page + 17, &v) != sig)
			return false;
	}
	return true;
}

static void expect_full(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			__u32 sessions)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_EQ(NBUF, st.nr_free);
	EXPECT_EQ(0, st.nr_leased);
	EXPECT_EQ(0, st.nr_quarantined);
	EXPECT_EQ(st.leases, st.releases);
	EXPECT_EQ(sessions, st.nr_sessions);
}

TEST_F(map, only_leased_buffers_are_reachable)
{
	__u32 id, i;

	for (i = 0; i < NBUF; i++)
		ASSERT_TRUE(buf_reads(self, buf_of(self, i), SIGBUS));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x5a, self->bufsz);
	ASSERT_TRUE(buf_reads(self, buf_of(self, id), 0));
	for (i = 0; i < NBUF; i++) {
		if (i != id)
			ASSERT_TRUE(buf_reads(self, buf_of(self, i), SIGBUS));
	}
	ASSERT_EQ(SIGBUS, mp_write_byte(buf_of(self, (id + 1) % NBUF), 1));
}

TEST_F(map, every_lease_starts_zeroed)
{
	__u32 ids[NBUF];
	int round, i;

	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
		for (i = 0; i < NBUF; i++) {
			ASSERT_TRUE(mp_all_zero(buf_of(self, ids[i]), self->bufsz));
			memset(buf_of(self, ids[i]), 0xa5 + round, self->bufsz);
		}
		ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	}
}

TEST_F(map, zeroed_for_another_process)
{
	__u32 ids[NBUF];
	pid_t pid;
	int i;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++)
		memset(buf_of(self, ids[i]), 0xc3, self->bufsz);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		__u32 got[NBUF];
		char *m;
		int fd = mp_open();

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		m = mp_map(fd, a.mmap_offset, a.mmap_len);
		if (m == MAP_FAILED)
			_exit(2);
		if (mp_lease(fd, a.pool_id, got, NBUF))
			_exit(3);
		for (i = 0; i < NBUF; i++) {
			if (!mp_all_zero(m + (size_t)got[i] * a.buf_size, a.buf_size))
				_exit(4);
		}
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait(pid));
	expect_full(_metadata, self->fd, self->c.pool_id, 1);
}

TEST_F(map, release_revokes_every_mapping)
{
	char *second;
	__u32 id;

	second = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, second);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x11, self->bufsz);
	/* The same session's two mappings show the same pages. */
	ASSERT_EQ(0x11, second[(size_t)id * self->bufsz + self->page + 3]);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_TRUE(buf_reads(self, buf_of(self, id), SIGBUS));
	ASSERT_TRUE(buf_reads(self, second + (size_t)id * self->bufsz, SIGBUS));
	munmap(second, self->c.mmap_len);
}

TEST_F(map, other_sessions_buffers_sigbus)
{
	struct mpool_pool_attach a;
	__u32 mine, theirs;
	char *m2;
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	m2 = mp_map(fd2, a.mmap_offset, a.mmap_len);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &mine, 1));
	memset(buf_of(self, mine), 0x77, self->bufsz);
	ASSERT_TRUE(buf_reads(self, m2 + (size_t)mine * self->bufsz, SIGBUS));
	ASSERT_EQ(0, mp_lease(fd2, a.pool_id, &theirs, 1));
	memset(m2 + (size_t)theirs * self->bufsz, 0x88, self->bufsz);
	ASSERT_TRUE(buf_reads(self, buf_of(self, theirs), SIGBUS));
	ASSERT_EQ(0x77, buf_of(self, mine)[self->bufsz - 1]);
	/* Mapping the other session's cookie through our file: refused. */
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, a.mmap_offset, a.mmap_len));
	ASSERT_EQ(EINVAL, errno);
	munmap(m2, a.mmap_len);
	close(fd2);
}

TEST_F(map, mmap_rejects_bad_requests)
{
	__u64 off = self->c.mmap_offset, len = self->c.mmap_len;
	char *p;
	__u32 id;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, off);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, off);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EPERM, errno);

	/* Offsets that are no cookie of ours, and ranges past the window. */
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, 0, self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off - self->page, self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off + len, self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off, len + self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off + self->page, len));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off + (1ULL << 31), self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, off + 1, self->page));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mp_map(self->fd, 0x7ffffffffffff000ULL, self->page));
	ASSERT_EQ(EINVAL, errno);

	/* A sub-range: just the second page of the last buffer. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x42, self->bufsz);
	p = mp_map(self->fd, off + (__u64)id * self->bufsz + self->page, self->page);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0x42, p[0]);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(p));
	munmap(p, self->page);
}

TEST_F(map, never_executable)
{
	ASSERT_EQ(-1, mprotect(self->map, self->c.mmap_len, PROT_READ | PROT_EXEC));
	ASSERT_EQ(EACCES, errno);
}

TEST_F(map, mremap_cannot_grow_but_may_move)
{
	char *moved, *target;
	__u32 id;

	moved = mremap(self->map, self->c.mmap_len, 2 * self->c.mmap_len, MREMAP_MAYMOVE);
	ASSERT_EQ(MAP_FAILED, moved);
	ASSERT_EQ(EFAULT, errno);
	/* A second mapping of the same pages (old_len 0) would grow too. */
	moved = mremap(self->map, 0, self->c.mmap_len, MREMAP_MAYMOVE);
	ASSERT_EQ(MAP_FAILED, moved);

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x3c, self->bufsz);
	/* Move it for real, to an address we reserve first. */
	target = mmap(NULL, self->c.mmap_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	moved = mremap(self->map, self->c.mmap_len, self->c.mmap_len,
		       MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_EQ(target, moved);
	self->map = moved;
	ASSERT_EQ(0x3c, buf_of(self, id)[5]);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_TRUE(buf_reads(self, buf_of(self, id), SIGBUS));
	/* Shrinking is fine. */
	moved = mremap(self->map, self->c.mmap_len, self->bufsz, 0);
	ASSERT_EQ(self->map, moved);
	munmap(self->map + self->bufsz, self->c.mmap_len - self->bufsz);
}

TEST_F(map, split_mapping_still_revoked)
{
	__u32 ids[NBUF];
	int i;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++)
		memset(buf_of(self, ids[i]), i + 1, self->bufsz);
	/* Punch out buffer 1's first page: three VMAs now. */
	ASSERT_EQ(0, munmap(buf_of(self, 1), self->page));
	ASSERT_EQ(SIGSEGV, mp_write_byte(buf_of(self, 1), 0));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_TRUE(buf_reads(self, buf_of(self, 0), SIGBUS));
	ASSERT_TRUE(buf_reads(self, buf_of(self, 3), SIGBUS));
	ASSERT_EQ(SIGBUS, mp_read_sig(buf_of(self, 1) + self->page));
}

/*
 * Mappings are not inherited (VM_DONTCOPY); the file, and so the session
 * and its leases, is: the child may map it again.
 */
TEST_F(map, fork_does_not_inherit_mappings)
{
	__u32 id;
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x99, self->bufsz);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char v, *m;

		if (mp_read_byte(buf_of(self, id), &v) != SIGSEGV)
			_exit(1);
		m = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
		if (m == MAP_FAILED)
			_exit(2);
		if ((unsigned char)m[(size_t)id * self->bufsz + 1] != 0x99)
			_exit(3);
		m[(size_t)id * self->bufsz + 2] = 0x66;
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait(pid));
	ASSERT_EQ(0x66, buf_of(self, id)[2]);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
}

/*
 * MADV_DOFORK undoes VM_DONTCOPY: the child then has a copy of the mapping,
 * of the same session, and a release must reach it too.
 */
TEST_F(map, dofork_copy_is_revoked_too)
{
	int go[2], done[2];
	__u32 id;
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x44, self->bufsz);
	ASSERT_EQ(0, madvise(self->map, self->c.mmap_len, MADV_DOFORK));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (buf_of(self, id)[self->page] != 0x44)
			_exit(1);
		mp_signal_fd(done[1]);
		if (mp_wait_fd(go[0]))
			_exit(2);
		_exit(buf_reads(self, buf_of(self, id), SIGBUS) ? 0 : 3);
	}
	ASSERT_EQ(0, mp_wait_fd(done[0]));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	mp_signal_fd(go[1]);
	ASSERT_EQ(0, mp_wait(pid));
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

TEST_F(map, destroy_while_mapped)
{
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_stats st;
	struct mpool_pool_create c;
	__u32 ids[2];

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 2));
	memset(buf_of(self, ids[0]), 0xee, self->bufsz);
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	/* The leases and their pages live on. */
	ASSERT_EQ((char)0xee, buf_of(self, ids[0])[self->bufsz - 1]);
	memset(buf_of(self, ids[1]), 0xdd, self->bufsz);
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state);
	ASSERT_EQ(2, st.nr_mine);
	/* The name is free for a new pool right away. */
	strcpy(name, self->name);
	ASSERT_EQ(0, mp_create(self->fd, name, MPOOL_ENG_RING, self->page, 1, &c));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	ASSERT_TRUE(buf_reads(self, buf_of(self, ids[0]), SIGBUS));
	ASSERT_EQ((char)0xdd, buf_of(self, ids[1])[7]);
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));
	/* ids[1] goes back when the session ends, after the unmap (teardown). */
}

/* A mapping keeps the session, and its leases, alive after close(). */
TEST_F(map, close_with_mapping_keeps_session)
{
	struct mpool_pool_attach a;
	struct mpool_pool_stats st;
	__u32 id;
	int fd2 = mp_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x21, self->bufsz);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0x21, buf_of(self, id)[100]);
	ASSERT_EQ(0, mp_stats(fd2, a.pool_id, &st));
	ASSERT_EQ(1, st.nr_leased);
	ASSERT_EQ(2, st.nr_sessions);
	ASSERT_EQ(0, munmap(self->map, self->c.mmap_len));
	self->map = NULL;
	ASSERT_EQ(0, mp_stats(fd2, a.pool_id, &st));
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(1, st.nr_sessions);
	ASSERT_EQ(NBUF, st.nr_free);
	ASSERT_EQ(0, mp_destroy(fd2, a.pool_id));
	close(fd2);
}

TEST_F(map, sigkill_returns_everything)
{
	struct mpool_pool_stats st;
	int ready[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		__u32 got[3];
		char *m;
		int fd = mp_open(), i;

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		m = mp_map(fd, a.mmap_offset, a.mmap_len);
		if (m == MAP_FAILED || mp_lease(fd, a.pool_id, got, 3))
			_exit(2);
		for (i = 0; i < 3; i++)
			memset(m + (size_t)got[i] * a.buf_size, 0xbb, a.buf_size);
		/* Also a second mapping and a dup'ed fd: none of it may leak. */
		if (mp_map(dup(fd), a.mmap_offset, a.mmap_len) == MAP_FAILED)
			_exit(3);
		mp_signal_fd(ready[1]);
		for (;;)
			pause();
	}
	ASSERT_EQ(0, mp_wait_fd(ready[0]));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(3, st.nr_leased);
	ASSERT_EQ(2, st.nr_sessions);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, mp_wait(pid));
	expect_full(_metadata, self->fd, self->c.pool_id, 1);
	close(ready[0]);
	close(ready[1]);
}

/*
 * Two processes, two sessions, one pool: each leases (blocking), finds its
 * buffers zeroed, stamps them, checks nobody else wrote them, releases.
 */
TEST_F_TIMEOUT(map, two_processes_share_a_pool, 120)
{
	pid_t pids[2];
	int p;

	for (p = 0; p < 2; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p]) {
			struct mpool_pool_attach a;
			unsigned int seed = getpid();
			__u32 got[2], n, i, k;
			size_t off;
			char *m;
			int fd = mp_open(), iter;

			if (fd < 0 || mp_attach(fd, self->name, &a))
				_exit(1);
			m = mp_map(fd, a.mmap_offset, a.mmap_len);
			if (m == MAP_FAILED)
				_exit(2);
			for (iter = 0; iter < 300; iter++) {
				n = 1 + rand_r(&seed) % 2;
				if (mp_lease_ex(fd, a.pool_id, got, n, MPOOL_LEASE_F_WAIT, 0))
					_exit(3);
				for (i = 0; i < n; i++) {
					char *b = m + (size_t)got[i] * a.buf_size;

					if (!mp_all_zero(b, a.buf_size))
						_exit(4);
					memset(b, 'A' + p, a.buf_size);
				}
				for (i = 0; i < n; i++) {
					char *b = m + (size_t)got[i] * a.buf_size;

					for (k = 0; k < BUF_PAGES; k++) {
						off = k * mp_page() + rand_r(&seed) % mp_page();
						if (b[off] != 'A' + p)
							_exit(5);
					}
				}
				if (mp_release(fd, a.pool_id, got, n))
					_exit(6);
				if (mp_read_sig(m + (size_t)got[0] * a.buf_size) != SIGBUS)
					_exit(7);
			}
			_exit(0);
		}
	}
	for (p = 0; p < 2; p++)
		ASSERT_EQ(0, mp_wait(pids[p]));
	expect_full(_metadata, self->fd, self->c.pool_id, 1);
}

/* The module stays while a session or a mapping exists. */
TEST_F(map, unload_refused_while_in_use)
{
	long ret;

	if (geteuid())
		SKIP(return, "needs CAP_SYS_MODULE");
	ret = syscall(SYS_delete_module, "mempool", O_NONBLOCK);
	ASSERT_EQ(-1, ret);
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	/* Only the mapping left. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ret = syscall(SYS_delete_module, "mempool", O_NONBLOCK);
	ASSERT_EQ(-1, ret);
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_attach(self->fd, self->name, &(struct mpool_pool_attach){}));
}

/*
 * vmsplice() pins a leased page into a pipe. After release the buffer must
 * not go to anyone while the pipe still references it: it is quarantined
 * until the pipe lets go.
 */
TEST_F(map, referenced_pages_are_quarantined)
{
	struct mpool_pool_stats st;
	__u32 ids[NBUF], id;
	struct iovec iov;
	int pfd[2];
	char got[64];
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	memset(buf_of(self, id), 0x6d, self->bufsz);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = buf_of(self, id);
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(NBUF - 1, st.nr_free);
	ASSERT_EQ(0, st.nr_leased);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, ids, NBUF));

	/* A waiter for every buffer gets them once the pipe is drained. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mpool_pool_attach a;
		__u32 all[NBUF];
		char *m;
		int fd = mp_open(), i;

		if (fd < 0 || mp_attach(fd, self->name, &a))
			_exit(1);
		if (mp_lease_ex(fd, a.pool_id, all, NBUF, MPOOL_LEASE_F_WAIT, 30000000000ULL))
			_exit(2);
		m = mp_map(fd, a.mmap_offset, a.mmap_len);
		if (m == MAP_FAILED)
			_exit(3);
		for (i = 0; i < NBUF; i++) {
			if (!mp_all_zero(m + (size_t)all[i] * a.buf_size, a.buf_size))
				_exit(4);
		}
		_exit(0);
	}
	ASSERT_EQ(0, mp_wait_blocked_in_ioctl(pid));
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	ASSERT_EQ(0x6d, got[0]);
	ASSERT_EQ(0, mp_wait(pid));
	expect_full(_metadata, self->fd, self->c.pool_id, 1);
	close(pfd[0]);
	close(pfd[1]);
}

/* mincore(): which pages of [p, p + n pages) have a page table entry, as a bit mask. */
static unsigned long present_mask(FIXTURE_DATA(map) *self, void *p, size_t n)
{
	unsigned char vec[64];
	unsigned long mask = 0;
	size_t i;

	if (n > sizeof(vec) || n > 64 || mincore(p, n * self->page, vec))
		return ~0UL;
	for (i = 0; i < n; i++)
		mask |= (unsigned long)(vec[i] & 1) << i;
	return mask;
}

/*
 * Fault-around maps the faulting buffer, never a neighbour: not one this
 * session does not hold, not one it released that another session has
 * leased and written since, not across the edge of a mapping that covers
 * the end of one buffer and the start of the next.
 */
TEST_F(map, fault_around_never_maps_a_neighbour)
{
	const size_t all = NBUF * BUF_PAGES;
	struct mpool_pool_attach a;
	__u32 ids[NBUF], mid = 1, next = 2, id, i;
	unsigned long want;
	int other;
	char *om, *w;

	/* Hold buffer 1 alone; touch its last page. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++) {
		if (i != mid)
			ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &i, 1));
	}
	((volatile char *)buf_of(self, mid))[self->bufsz - 1] = 0x31;
	want = ((1UL << BUF_PAGES) - 1) << (mid * BUF_PAGES);
	ASSERT_EQ(want, present_mask(self, self->map, all));
	ASSERT_TRUE(buf_reads(self, buf_of(self, mid - 1), SIGBUS));
	ASSERT_TRUE(buf_reads(self, buf_of(self, mid + 1), SIGBUS));

	/* Released; another session leases everything and writes it all. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &mid, 1));
	ASSERT_EQ(0, present_mask(self, self->map, all));
	om = mp_second_session(self->name, &a, ids, NBUF, &other);
	ASSERT_NE(MAP_FAILED, om);
	memset(om, 0x5a, a.mmap_len);
	/* It gives back buffer 2 alone: this session gets it, and only it maps. */
	ASSERT_EQ(0, mp_release(other, a.pool_id, &next, 1));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(next, id);
	ASSERT_TRUE(mp_all_zero(buf_of(self, next), self->bufsz));
	want = ((1UL << BUF_PAGES) - 1) << (next * BUF_PAGES);
	ASSERT_EQ(want, present_mask(self, self->map, all));
	for (i = 0; i < NBUF; i++) {
		if (i != next)
			ASSERT_TRUE(buf_reads(self, buf_of(self, i), SIGBUS));
	}

	/* A mapping of buffer 1's last page and buffer 2's first: one page of it. */
	w = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd,
		 self->c.mmap_offset + (next * BUF_PAGES - 1) * self->page);
	ASSERT_NE(MAP_FAILED, w);
	ASSERT_EQ(0, mp_read_sig(w + self->page));
	ASSERT_EQ(2UL, present_mask(self, w, 2));
	ASSERT_EQ(SIGBUS, mp_read_sig(w));
	ASSERT_EQ(2UL, present_mask(self, w, 2));
	ASSERT_EQ(0, munmap(w, 2 * self->page));

	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &next, 1));
	ASSERT_EQ(0, present_mask(self, self->map, all));
	for (i = 0, id = 0; i < NBUF; i++) {
		if (i != next)
			ids[id++] = i;
	}
	ASSERT_EQ(0, mp_release(other, a.pool_id, ids, NBUF - 1));
	munmap(om, a.mmap_len);
	close(other);
	expect_full(_metadata, self->fd, self->c.pool_id, 1);
}

TEST_HARNESS_MAIN
