// SPDX-License-Identifier: GPL-2.0
/*
 * I/O straight into leased buffers: an O_DIRECT read and write, an
 * io_uring read through a plain pointer and one into a registered (fixed)
 * buffer, all between a file on ext2 on a ram disk (/dev/ram0, brd) and a
 * buffer's mapping; and the quarantine: a buffer released while the kernel
 * still holds its pages (an io_uring registration with a read in flight,
 * or where io_uring refuses to register it, a vmsplice()d pipe) goes to
 * nobody until they are let go, then comes back zeroed.
 *
 * Kernels differ on one point, checked here rather than assumed: 6.1's
 * io_uring pins only anonymous, shmem and hugetlbfs memory as fixed
 * buffers and refuses any other file mapping with EOPNOTSUPP (io_pin_pages
 * in io_uring/rsrc.c); later ones pin it like any page (FOLL_LONGTERM).
 * The fixed-buffer tests SKIP with that reason where it is refused.
 *
 * The file system is made by each test (mke2fs on /dev/ram0, which it
 * overwrites): without /dev/ram0, mke2fs or ext2 the tests SKIP.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/uio.h>
#include <linux/io_uring.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define RAMDISK		"/dev/ram0"
#define BUFSZ		(64 * 1024)
#define FILE_OFF	4096	/* read from here: not the file's first block */
#define FILE_LEN	(FILE_OFF + 2 * BUFSZ)

/* The file's byte at @off: no run of equal bytes, rarely zero. */
static unsigned char pattern(size_t off)
{
	return (unsigned char)(off * 31 + (off >> 9) + 0x5a);
}

static bool matches_file(const unsigned char *p, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pattern(off + i))
			return false;
	}
	return true;
}

/* The smallest io_uring a test needs: one submission, one completion. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len, sqes_len;
};

static void ring_exit(struct ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map && r->cq_map != MAP_FAILED && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map && r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/* 0, or -errno from io_uring_setup() (ENOSYS: not built; EPERM: disabled). */
static int ring_init(struct ring *r)
{
	struct io_uring_params p = {};

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if ((p.features & IORING_FEAT_SINGLE_MMAP) && r->cq_len > r->sq_len)
		r->sq_len = r->cq_len;
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 r->fd, IORING_OFF_SQ_RING);
	if (r->sq_map == MAP_FAILED)
		goto fail;
	r->cq_map = r->sq_map;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
		if (r->cq_map == MAP_FAILED)
			goto fail;
	}
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		goto fail;
	r->sq_tail = (unsigned int *)((char *)r->sq_map + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_map + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_map + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_map + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_map + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_map + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_map + p.cq_off.cqes);
	return 0;
fail:
	ring_exit(r);
	return -ENOMEM;
}

/* Queue and submit one read of @len bytes at file offset @off into @addr. */
static int ring_read(struct ring *r, __u8 opcode, int fd, void *addr, __u32 len, __u64 off)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = opcode;
	sqe->fd = fd;
	sqe->addr = (__u64)(unsigned long)addr;
	sqe->len = len;
	sqe->off = off;
	sqe->buf_index = 0;	/* READ_FIXED: the one registered buffer */
	sqe->user_data = 0x6d706f6f6cULL;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, NULL, 0) != 1)
		return -errno;
	return 0;
}

/* Take a completion if there is one (0), or wait for it (@wait), or -EAGAIN. */
static int ring_cqe(struct ring *r, bool wait, struct io_uring_cqe *cqe)
{
	unsigned int head, tail;

	for (;;) {
		head = *r->cq_head;
		tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
		if (head != tail) {
			*cqe = r->cqes[head & *r->cq_mask];
			__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
			return 0;
		}
		if (!wait)
			return -EAGAIN;
		if (syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS,
			    NULL, 0) < 0 && errno != EINTR)
			return -errno;
	}
}

static int ring_register(struct ring *r, void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };

	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1))
		return -errno;
	return 0;
}

static int ring_unregister(struct ring *r)
{
	if (syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0))
		return -errno;
	return 0;
}

/* Run @argv with its output thrown away: its exit code, or -1. */
static int run_quiet(char *const argv[])
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -1;
	if (!pid) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return mp_wait(pid);
}

FIXTURE(dio) {
	int fd;			/* /dev/mempool */
	int file;		/* the test file, O_DIRECT */
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	unsigned char *map;
	char dir[32];
	char path[64];
	bool mounted;
	struct ring ring;
};

FIXTURE_SETUP(dio)
{
	char *mkfs[] = { "mke2fs", "-F", "-b", "4096", RAMDISK, NULL };
	unsigned char chunk[4096];
	struct stat st;
	size_t off, i;
	int wfd;

	self->fd = -1;
	self->file = -1;
	self->ring.fd = -1;
	self->map = MAP_FAILED;
	MP_SKIP_WITHOUT_DEVICE();
	if (stat(RAMDISK, &st) || !S_ISBLK(st.st_mode))
		SKIP(return, "%s: no ram disk (brd not loaded)", RAMDISK);
	if (run_quiet(mkfs))
		SKIP(return, "mke2fs %s failed (no mke2fs?)", RAMDISK);
	strcpy(self->dir, "/tmp/mpool-dio-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	if (mount(RAMDISK, self->dir, "ext2", 0, NULL)) {
		rmdir(self->dir);
		SKIP(return, "mount -t ext2 %s: %s", RAMDISK, strerror(errno));
	}
	self->mounted = true;

	/* The file, written through the page cache and synced to the disk. */
	snprintf(self->path, sizeof(self->path), "%s/data", self->dir);
	wfd = open(self->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, wfd);
	for (off = 0; off < FILE_LEN; off += sizeof(chunk)) {
		for (i = 0; i < sizeof(chunk); i++)
			chunk[i] = pattern(off + i);
		ASSERT_EQ(sizeof(chunk), write(wfd, chunk, sizeof(chunk)));
	}
	ASSERT_EQ(0, fsync(wfd));
	ASSERT_EQ(0, close(wfd));
	self->file = open(self->path, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->file) TH_LOG("O_DIRECT open: %s", strerror(errno));

	/* One buffer: whoever has it, nobody else can lease. */
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	mp_name(self->name, "dio");
	ASSERT_EQ(0, mp_create(self->fd, self->name, MPOOL_ENG_PERCPU, BUFSZ, 1, &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(dio)
{
	if (self->ring.fd >= 0)
		ring_exit(&self->ring);
	if (self->map != MAP_FAILED)
		munmap(self->map, self->c.mmap_len);
	if (self->fd >= 0) {
		mp_destroy(self->fd, self->c.pool_id);
		close(self->fd);
	}
	if (self->file >= 0)
		close(self->file);
	if (self->mounted) {
		umount(self->dir);
		rmdir(self->dir);
	}
}

/* io_uring, or SKIP saying why there is none. */
#define RING_OR_SKIP() do {							\
	int __e = ring_init(&self->ring);					\
	if (__e == -ENOSYS || __e == -EPERM)					\
		SKIP(return, "io_uring_setup: %s", strerror(-__e));		\
	ASSERT_EQ(0, __e);							\
} while (0)

/* Register the leased buffer, or SKIP on a kernel that refuses (6.1). */
#define NO_FIXED "io_uring registers only anonymous, shmem and hugetlbfs memory here " \
	"(EOPNOTSUPP): no fixed buffers in a /dev/mempool mapping"
#define REGISTER_OR_SKIP(buf) do {						\
	int __e = ring_register(&self->ring, (buf), BUFSZ);			\
	if (__e == -EOPNOTSUPP)							\
		SKIP(return, NO_FIXED);						\
	ASSERT_EQ(0, __e);							\
} while (0)

/* Lease the pool's one buffer: its address in the mapping, or NULL. */
static unsigned char *lease_one(FIXTURE_DATA(dio) *self)
{
	__u32 id;

	if (mp_lease(self->fd, self->c.pool_id, &id, 1))
		return NULL;
	return self->map + (size_t)id * BUFSZ;
}

static void expect_pool(struct __test_metadata *_metadata, FIXTURE_DATA(dio) *self,
			__u32 nr_free, __u32 nr_quarantined)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	EXPECT_EQ(nr_free, st.nr_free);
	EXPECT_EQ(nr_quarantined, st.nr_quarantined);
	EXPECT_EQ(0, st.nr_leased);
}

/* An O_DIRECT read goes from the disk into the buffer's pages, and lets go. */
TEST_F(dio, odirect_read_delivers_the_files_bytes)
{
	unsigned char *buf = lease_one(self);
	__u32 id = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_TRUE(mp_all_zero(buf, BUFSZ));
	ASSERT_EQ(BUFSZ, pread(self->file, buf, BUFSZ, FILE_OFF));
	EXPECT_TRUE(matches_file(buf, FILE_OFF, BUFSZ));
	/* The read's page references are gone with it: no quarantine. */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 1, 0);
}

/* And the other way: an O_DIRECT write from the buffer reaches the file. */
TEST_F(dio, odirect_write_stores_the_buffers_bytes)
{
	unsigned char *buf = lease_one(self), back[BUFSZ];
	__u32 id = 0;
	size_t i;
	int fd;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < BUFSZ; i++)
		buf[i] = ~pattern(i);
	ASSERT_EQ(BUFSZ, pwrite(self->file, buf, BUFSZ, FILE_OFF));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 1, 0);
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(BUFSZ, pread(fd, back, BUFSZ, FILE_OFF));
	close(fd);
	for (i = 0; i < BUFSZ; i++)
		ASSERT_EQ((unsigned char)~pattern(i), back[i]) TH_LOG("byte %zu", i);
}

/* IORING_OP_READ with a pointer into the mapping, from the O_DIRECT file. */
TEST_F(dio, io_uring_read_delivers_the_files_bytes)
{
	unsigned char *buf = lease_one(self);
	struct io_uring_cqe cqe;
	__u32 id = 0;

	ASSERT_NE(NULL, buf);
	RING_OR_SKIP();
	ASSERT_EQ(0, ring_read(&self->ring, IORING_OP_READ, self->file, buf, BUFSZ, FILE_OFF));
	ASSERT_EQ(0, ring_cqe(&self->ring, true, &cqe));
	ASSERT_EQ(BUFSZ, cqe.res);
	EXPECT_TRUE(matches_file(buf, FILE_OFF, BUFSZ));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 1, 0);
}

/* IORING_REGISTER_BUFFERS on the leased buffer, then IORING_OP_READ_FIXED. */
TEST_F(dio, io_uring_fixed_read_delivers_the_files_bytes)
{
	unsigned char *buf = lease_one(self);
	struct io_uring_cqe cqe;
	__u32 id = 0;

	ASSERT_NE(NULL, buf);
	RING_OR_SKIP();
	REGISTER_OR_SKIP(buf);
	ASSERT_EQ(0, ring_read(&self->ring, IORING_OP_READ_FIXED, self->file, buf, BUFSZ,
			       FILE_OFF));
	ASSERT_EQ(0, ring_cqe(&self->ring, true, &cqe));
	ASSERT_EQ(BUFSZ, cqe.res);
	EXPECT_TRUE(matches_file(buf, FILE_OFF, BUFSZ));
	ASSERT_EQ(0, ring_unregister(&self->ring));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 1, 0);
}

/*
 * The buffer is released with a read still in flight into it, from a pipe
 * nobody has written to yet. Where io_uring registers the buffer, the
 * registration pins its pages and the read targets them directly: the
 * buffer is quarantined, the read completes into the quarantined pages,
 * and the buffer comes back (zeroed) once unregistered. Where io_uring
 * refuses (6.1), a vmsplice() into a second pipe holds the pages instead,
 * and the read in flight, a plain one through the mapping, fails with
 * EFAULT: the release revoked the mapping it would have written through.
 */
TEST_F(dio, release_during_inflight_io_uring_read_quarantines)
{
	unsigned char *buf = lease_one(self);
	static const char msg[] = "written after the release";
	struct io_uring_cqe cqe;
	int pfd[2], pin[2], err;
	struct iovec iov;
	char spliced[64];
	__u32 id = 0;
	bool fixed;

	ASSERT_NE(NULL, buf);
	memset(buf, 0x6d, BUFSZ);
	RING_OR_SKIP();
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	err = ring_register(&self->ring, buf, BUFSZ);
	fixed = !err;
	if (!fixed) {
		ASSERT_EQ(-EOPNOTSUPP, err);
		TH_LOG("%s; pinned by vmsplice instead", NO_FIXED);
		ASSERT_EQ(0, pipe2(pin, O_CLOEXEC));
		iov.iov_base = buf;
		iov.iov_len = sizeof(spliced);
		ASSERT_EQ(sizeof(spliced), vmsplice(pin[1], &iov, 1, 0));
	}
	ASSERT_EQ(0, ring_read(&self->ring, fixed ? IORING_OP_READ_FIXED : IORING_OP_READ,
			       pfd[0], buf, BUFSZ, 0));
	ASSERT_EQ(-EAGAIN, ring_cqe(&self->ring, false, &cqe));

	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 0, 1);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig((char *)buf));

	/* The read completes: into the quarantined pages, or not at all. */
	ASSERT_EQ(sizeof(msg), write(pfd[1], msg, sizeof(msg)));
	ASSERT_EQ(0, ring_cqe(&self->ring, true, &cqe));
	ASSERT_EQ(fixed ? (int)sizeof(msg) : -EFAULT, cqe.res);
	/* Still held: still quarantined. */
	expect_pool(_metadata, self, 0, 1);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &id, 1));

	if (fixed) {
		ASSERT_EQ(0, ring_unregister(&self->ring));
	} else {
		ASSERT_EQ(sizeof(spliced), read(pin[0], spliced, sizeof(spliced)));
		ASSERT_EQ(0x6d, spliced[0]);
		close(pin[0]);
		close(pin[1]);
	}
	/* Let go: the buffer is back, and its next lessee finds it zeroed. */
	expect_pool(_metadata, self, 1, 0);
	buf = lease_one(self);
	ASSERT_NE(NULL, buf);
	EXPECT_TRUE(mp_all_zero(buf, BUFSZ));
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * A plain io_uring read in flight holds no page: released, the buffer
 * goes straight back, and the read, completing later, cannot reach it
 * through the revoked mapping, even once the buffer is leased again by
 * another session.
 */
TEST_F(dio, inflight_plain_io_uring_read_cannot_reach_a_released_buffer)
{
	unsigned char *buf = lease_one(self), *other;
	static const char msg[] = "written after the release";
	struct mpool_pool_attach a;
	struct io_uring_cqe cqe;
	int pfd[2], fd2;
	__u32 id = 0;

	ASSERT_NE(NULL, buf);
	RING_OR_SKIP();
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, ring_read(&self->ring, IORING_OP_READ, pfd[0], buf, BUFSZ, 0));
	ASSERT_EQ(-EAGAIN, ring_cqe(&self->ring, false, &cqe));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_pool(_metadata, self, 1, 0);

	fd2 = mp_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	ASSERT_EQ(0, mp_lease(fd2, a.pool_id, &id, 1));
	other = mp_map(fd2, a.mmap_offset, a.mmap_len);
	ASSERT_NE(MAP_FAILED, other);

	ASSERT_EQ(sizeof(msg), write(pfd[1], msg, sizeof(msg)));
	ASSERT_EQ(0, ring_cqe(&self->ring, true, &cqe));
	ASSERT_EQ(-EFAULT, cqe.res);
	EXPECT_TRUE(mp_all_zero(other + (size_t)id * BUFSZ, BUFSZ));
	munmap(other, a.mmap_len);
	close(fd2);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_HARNESS_MAIN
