// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool dma-buf export and import: the lease passes to the dma-buf
 * (the session loses its view and its id), the bytes travel to another
 * process over SCM_RIGHTS and to a real importer (vgem, through DRM
 * PRIME), and the buffer comes back zeroed when the last holder lets go,
 * whoever it is and however it dies; import back into a session; every
 * error, and the statistics.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/dma-buf.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NBUF	4
#define NPAGES	2

/*
 * The few DRM and dma-heap ioctls used here, from the kernel's uapi
 * <drm/drm.h> and <linux/dma-heap.h>: the host's libc headers need not
 * ship them, and their layout is ABI.
 */
struct mp_drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

struct mp_drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct mp_drm_mode_create_dumb {
	__u32 height, width, bpp, flags;
	__u32 handle, pitch;
	__u64 size;
};

#define MP_DRM_IOCTL_GEM_CLOSE		_IOW('d', 0x09, struct mp_drm_gem_close)
#define MP_DRM_IOCTL_PRIME_HANDLE_TO_FD	_IOWR('d', 0x2d, struct mp_drm_prime_handle)
#define MP_DRM_IOCTL_PRIME_FD_TO_HANDLE	_IOWR('d', 0x2e, struct mp_drm_prime_handle)
#define MP_DRM_IOCTL_MODE_CREATE_DUMB	_IOWR('d', 0xB2, struct mp_drm_mode_create_dumb)

struct mp_dma_heap_allocation_data {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
};

#define MP_DMA_HEAP_IOCTL_ALLOC	_IOWR('H', 0x0, struct mp_dma_heap_allocation_data)

#define VGEM_NODE	"/dev/dri/card0"
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define UPOOLS		"/sys/kernel/debug/mempool/upools"

FIXTURE(export) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_create c;
	size_t bufsz;
	char *map;
};

FIXTURE_SETUP(export)
{
	struct mpool_info info;

	MP_SKIP_WITHOUT_DEVICE();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	ASSERT_TRUE(info.features & MPOOL_FEAT_EXPORT);
	self->bufsz = NPAGES * mp_page();
	mp_name(self->name, "exp");
	ASSERT_EQ(0, mp_create(self->fd, self->name, MPOOL_ENG_PERCPU, self->bufsz, NBUF,
			       &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(export)
{
	munmap(self->map, self->c.mmap_len);
	mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

static char *buf_of(FIXTURE_DATA(export) *self, __u32 id)
{
	return self->map + (size_t)id * self->bufsz;
}

/* Every byte of the buffer tells its offset and a seed apart. */
static void fill(char *p, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(seed + i * 7 + (i >> 12));
}

static bool filled(const char *p, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != (char)(seed + i * 7 + (i >> 12)))
			return false;
	}
	return true;
}

/* The pool's counts, and the invariants the UAPI header states for a quiet pool. */
static void expect_counts(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			  __u32 nr_free, __u32 nr_leased, __u32 nr_exported)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_EQ(nr_free, st.nr_free);
	EXPECT_EQ(nr_leased, st.nr_leased);
	EXPECT_EQ(nr_exported, st.nr_exported);
	EXPECT_EQ(0, st.reserved_export);
	EXPECT_EQ(st.buf_count, st.nr_free + st.nr_leased + st.nr_exported + st.nr_quarantined);
	EXPECT_EQ(st.nr_leased + st.nr_exported, st.leases - st.releases);
}

static int send_fds(int sock, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))] = {}, c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))] = {}, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
	return 0;
}

static int dma_sync(int dfd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

/* Lease one buffer, fill it, export it: the dma-buf's descriptor. */
static int lease_fill_export(struct __test_metadata *_metadata, FIXTURE_DATA(export) *self,
			     __u32 flags, unsigned char seed, __u32 *idp)
{
	int dfd = -1;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, idp, 1));
	fill(buf_of(self, *idp), self->bufsz, seed);
	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, *idp, flags, &dfd));
	return dfd;
}

TEST_F(export, scm_rights_child_sees_the_bytes)
{
	int sv[2], dfd, fds[1], status;
	struct mpool_pool_stats st;
	__u32 id, ids[NBUF], i;
	pid_t pid;

	dfd = lease_fill_export(_metadata, self, 0, 0x5a, &id);
	ASSERT_LE(0, dfd);
	/* O_CLOEXEC by default, and open for writing. */
	ASSERT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(O_RDWR, fcntl(dfd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ((off_t)self->bufsz, lseek(dfd, 0, SEEK_END));
	/* The lease passed: the session's view is gone, and so is its id. */
	ASSERT_EQ(SIGBUS, mp_read_sig(buf_of(self, id)));
	ASSERT_EQ(SIGBUS, mp_read_sig(buf_of(self, id) + self->bufsz - 1));
	ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, st.nr_mine);
	ASSERT_EQ(1, st.exports);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p;

		close(sv[0]);
		if (recv_fds(sv[1], fds, 1))
			_exit(1);
		p = mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
		if (p == MAP_FAILED)
			_exit(2);
		if (dma_sync(fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ||
		    !filled(p, self->bufsz, 0x5a) ||
		    dma_sync(fds[0], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			_exit(3);
		/* The consumer may write too: the buffer is zeroed on its way back. */
		memset(p, 0xee, self->bufsz);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fds(sv[0], &dfd, 1));
	ASSERT_EQ(0, close(dfd));
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* The child held the last reference: the buffer is back, zeroed at its next lease. */
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++)
		ASSERT_TRUE(mp_all_zero(buf_of(self, ids[i]), self->bufsz));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
}

TEST_F(export, rdonly_and_nocloexec)
{
	__u32 id;
	char *p;
	int dfd;

	dfd = lease_fill_export(_metadata, self, MPOOL_EXPORT_F_RDONLY | MPOOL_EXPORT_F_NOCLOEXEC,
				0x33, &id);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(O_RDONLY, fcntl(dfd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0));
	ASSERT_EQ(EACCES, errno);
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(filled(p, self->bufsz, 0x33));
	ASSERT_EQ(-1, mprotect(p, self->bufsz, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	/* Neither private nor executable mappings, as on the device. */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ, MAP_PRIVATE, dfd, 0));
	ASSERT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ | PROT_EXEC, MAP_SHARED, dfd, 0));
	/* Not past its end either. */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, self->bufsz + mp_page(), PROT_READ, MAP_SHARED, dfd, 0));

	/* The mapping alone keeps the dma-buf, and the buffer, out. */
	ASSERT_EQ(0, close(dfd));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);
	ASSERT_TRUE(filled(p, self->bufsz, 0x33));
	ASSERT_EQ(0, munmap(p, self->bufsz));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_F(export, export_errors)
{
	struct mpool_export x = { .pool_id = self->c.pool_id };
	struct mpool_pool_create c;
	__u32 id, id2;
	int dfd, rofd;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	/* Unknown flags, reserved bits. */
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, id, 0x4, &dfd));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, id, 0x80000000u, &dfd));
	/* No such pool in this session. */
	ASSERT_EQ(-ENOENT, mp_export(self->fd, self->c.pool_id + 1000, id, 0, &dfd));
	/* Ids not held: out of range, never leased. */
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, NBUF, 0, &dfd));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, ~0u, 0, &dfd));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, (id + 1) % NBUF, 0, &dfd));
	/* A descriptor not open for writing, as for LEASE. */
	rofd = open(MPOOL_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rofd);
	ASSERT_EQ(-EBADF, mp_export(rofd, self->c.pool_id, id, 0, &dfd));
	close(rofd);
	/* A struct shorter than the first version. */
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, _IOC(_IOC_READ | _IOC_WRITE, MPOOL_IOC_MAGIC, 0x0A, 8),
				    &x));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 0);

	/* An id of a pool with room to grow, beyond its buffers. */
	memset(&c, 0, sizeof(c));
	mp_name(c.name, "expg");
	c.engine = MPOOL_ENG_RING;
	c.buf_size = self->bufsz;
	c.buf_count = 2;
	c.max_buf_count = 8;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, c.pool_id, 5, 0, &dfd));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, c.pool_id, 7, 0, &dfd));
	ASSERT_EQ(0, mp_destroy(self->fd, c.pool_id));

	/* Twice: the second finds it gone. */
	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, id, 0, &rofd));
	ASSERT_EQ(0, close(dfd));
	/* After release. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id2, 1));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id2, 1));
	ASSERT_EQ(-EINVAL, mp_export(self->fd, self->c.pool_id, id2, 0, &dfd));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_F(export, import_back)
{
	struct mpool_pool_stats st;
	struct mpool_pool_attach a;
	__u32 id, got = ~0u;
	int dfd, dup_fd, other;
	char *p, *om;

	dfd = lease_fill_export(_metadata, self, 0, 0x77, &id);
	ASSERT_LE(0, dfd);

	/* Something else reaches the dma-buf: a second descriptor, a mapping. */
	dup_fd = dup(dfd);
	ASSERT_LE(0, dup_fd);
	ASSERT_EQ(-EBUSY, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(0, close(dup_fd));
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-EBUSY, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(0, munmap(p, self->bufsz));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);

	/* Another session attached to the pool imports it, bytes and all. */
	other = mp_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, mp_attach(other, self->name, &a));
	ASSERT_EQ(0, mp_import(other, a.pool_id, dfd, &got));
	ASSERT_EQ(id, got);
	om = mp_map(other, a.mmap_offset, a.mmap_len);
	ASSERT_NE(MAP_FAILED, om);
	ASSERT_TRUE(filled(om + (size_t)got * self->bufsz, self->bufsz, 0x77));
	ASSERT_EQ(0, mp_stats(other, a.pool_id, &st));
	ASSERT_EQ(1, st.nr_mine);
	ASSERT_EQ(1, st.exports);
	ASSERT_EQ(1, st.imports);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 0);

	/* The dma-buf holds nothing now. */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-EINVAL, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(0, close(dfd));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 0);

	/* A lease like any other: exported again, imported by the first session. */
	ASSERT_EQ(0, mp_export(other, a.pool_id, got, 0, &dfd));
	ASSERT_EQ(SIGBUS, mp_read_sig(om + (size_t)got * self->bufsz));
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &id));
	ASSERT_EQ(got, id);
	ASSERT_EQ(0, close(dfd));
	ASSERT_TRUE(filled(buf_of(self, id), self->bufsz, 0x77));
	ASSERT_EQ(-EINVAL, mp_release(other, a.pool_id, &id, 1));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	munmap(om, a.mmap_len);
	close(other);
}

TEST_F(export, import_errors)
{
	struct mpool_import m = { .pool_id = self->c.pool_id };
	struct mpool_pool_create c2;
	char name2[MPOOL_POOL_NAME_MAX];
	int dfd, nfd, rofd;
	__u32 id, got;

	dfd = lease_fill_export(_metadata, self, 0, 0x11, &id);
	ASSERT_LE(0, dfd);
	/* Not a descriptor; not a dma-buf. */
	ASSERT_EQ(-EBADF, mp_import(self->fd, self->c.pool_id, -1, &got));
	ASSERT_EQ(-EBADF, mp_import(self->fd, self->c.pool_id, 100000, &got));
	nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(-EINVAL, mp_import(self->fd, self->c.pool_id, nfd, &got));
	close(nfd);
	ASSERT_EQ(-EINVAL, mp_import(self->fd, self->c.pool_id, self->fd, &got));
	/* Flags, pool, access mode. */
	m.fd = dfd;
	m.flags = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->fd, MPOOL_IOC_IMPORT, &m));
	ASSERT_EQ(-ENOENT, mp_import(self->fd, self->c.pool_id + 1000, dfd, &got));
	rofd = open(MPOOL_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rofd);
	ASSERT_EQ(-EBADF, mp_import(rofd, self->c.pool_id, dfd, &got));
	close(rofd);
	/* Another pool's buffer. */
	mp_name(name2, "exp2");
	ASSERT_EQ(0, mp_create(self->fd, name2, MPOOL_ENG_RING, self->bufsz, NBUF, &c2));
	ASSERT_EQ(-EXDEV, mp_import(self->fd, c2.pool_id, dfd, &got));
	ASSERT_EQ(0, mp_destroy(self->fd, c2.pool_id));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);
	/* Nothing failed left a trace: it still imports. */
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(id, got);
	ASSERT_EQ(0, close(dfd));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

/* A dma-buf some other exporter made: the system heap, else a vgem dumb buffer. */
static int foreign_dmabuf(size_t len)
{
	struct mp_dma_heap_allocation_data h = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct mp_drm_mode_create_dumb d = { .height = 1, .width = len / 4, .bpp = 32 };
	struct mp_drm_prime_handle ph = { .flags = O_RDWR | O_CLOEXEC, .fd = -1 };
	int fd, ret = -1;

	fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (!ioctl(fd, MP_DMA_HEAP_IOCTL_ALLOC, &h))
			ret = h.fd;
		close(fd);
		return ret;
	}
	fd = open(VGEM_NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!ioctl(fd, MP_DRM_IOCTL_MODE_CREATE_DUMB, &d)) {
		ph.handle = d.handle;
		if (!ioctl(fd, MP_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
			ret = ph.fd;
	}
	close(fd);
	return ret;
}

TEST_F(export, import_foreign_dmabuf)
{
	__u32 got;
	int ffd;

	ffd = foreign_dmabuf(self->bufsz);
	if (ffd < 0)
		SKIP(return, "no foreign dma-buf exporter (dma_heap system, vgem dumb)");
	ASSERT_EQ(-EINVAL, mp_import(self->fd, self->c.pool_id, ffd, &got));
	close(ffd);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

/* A line of @path that contains both @a and @b. */
static bool file_has(const char *path, const char *a, const char *b)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

/* The last column ("exp") of the pool's line in debugfs upools; -1 if none. */
static int upools_exported(const char *name)
{
	char line[512], *last;
	int n = -1;
	FILE *f = fopen(UPOOLS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)) || line[strlen(name)] != ' ')
			continue;
		last = strrchr(line, ' ');
		n = last ? atoi(last + 1) : -1;
	}
	fclose(f);
	return n;
}

TEST_F(export, named_in_fdinfo_and_bufinfo)
{
	char path[64], want[64];
	__u32 id;
	int dfd;

	dfd = lease_fill_export(_metadata, self, 0, 1, &id);
	ASSERT_LE(0, dfd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dfd);
	snprintf(want, sizeof(want), "%s:%u", self->name, id);
	ASSERT_TRUE(file_has(path, "exp_name:", "mempool"));
	ASSERT_TRUE(file_has(path, "name:", want));
	if (access(BUFINFO, R_OK)) {
		close(dfd);
		SKIP(return, BUFINFO ": %s", strerror(errno));
	}
	ASSERT_TRUE(file_has(BUFINFO, "mempool", want));
	ASSERT_EQ(1, upools_exported(self->name));
	ASSERT_EQ(0, close(dfd));
	ASSERT_FALSE(file_has(BUFINFO, "mempool", want));
	ASSERT_EQ(0, upools_exported(self->name));
}

TEST_F(export, vgem_imports_and_lets_go)
{
	struct mp_drm_prime_handle ph = { .fd = -1 };
	struct mp_drm_gem_close gc = {};
	struct mpool_pool_create c1;
	char name1[MPOOL_POOL_NAME_MAX];
	char *m1;
	int dfd, card;
	__u32 id;

	card = open(VGEM_NODE, O_RDWR | O_CLOEXEC);
	if (card < 0)
		SKIP(return, VGEM_NODE ": %s (vgem not loaded?)", strerror(errno));
	/* A one-buffer pool: leasing again proves it came back. */
	mp_name(name1, "vgem");
	ASSERT_EQ(0, mp_create(self->fd, name1, MPOOL_ENG_LOCKFREE, self->bufsz, 1, &c1));
	m1 = mp_map(self->fd, c1.mmap_offset, c1.mmap_len);
	ASSERT_NE(MAP_FAILED, m1);
	ASSERT_EQ(0, mp_lease(self->fd, c1.pool_id, &id, 1));
	fill(m1, self->bufsz, 0x42);
	ASSERT_EQ(0, mp_export(self->fd, c1.pool_id, id, 0, &dfd));

	/* vgem attaches and maps the sg_table (drm_gem_prime_import). */
	ph.fd = dfd;
	ASSERT_EQ(0, ioctl(card, MP_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph));
	ASSERT_NE(0, ph.handle);
	/* CPU access syncs vgem's mapped attachment. */
	ASSERT_EQ(0, dma_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dma_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	/* Attached: nobody can take it back into a session. */
	ASSERT_EQ(-EBUSY, mp_import(self->fd, c1.pool_id, dfd, NULL));
	ASSERT_EQ(0, close(dfd));
	/* vgem's reference alone keeps it out. */
	expect_counts(_metadata, self->fd, c1.pool_id, 0, 0, 1);
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, c1.pool_id, &id, 1));

	gc.handle = ph.handle;
	ASSERT_EQ(0, ioctl(card, MP_DRM_IOCTL_GEM_CLOSE, &gc));
	ASSERT_EQ(0, close(card));
	expect_counts(_metadata, self->fd, c1.pool_id, 1, 0, 0);
	ASSERT_EQ(0, mp_lease(self->fd, c1.pool_id, &id, 1));
	ASSERT_TRUE(mp_all_zero(m1, self->bufsz));
	ASSERT_EQ(0, mp_release(self->fd, c1.pool_id, &id, 1));
	munmap(m1, c1.mmap_len);
	ASSERT_EQ(0, mp_destroy(self->fd, c1.pool_id));
}

/*
 * A pipe still references a page of the dma-buf's mapping (vmsplice) when
 * the last reference to the dma-buf goes: the buffer is quarantined, not
 * free, until the pipe lets go, and the pipe reads the bytes as they were.
 */
TEST_F(export, referenced_pages_are_quarantined)
{
	struct mpool_pool_stats st;
	struct iovec iov;
	char got[64], *p;
	int dfd, pfd[2];
	__u32 id;

	dfd = lease_fill_export(_metadata, self, 0, 0x3c, &id);
	ASSERT_LE(0, dfd);
	p = mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = p;
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, munmap(p, self->bufsz));
	ASSERT_EQ(0, close(dfd));

	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(0, st.nr_exported);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 0);
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	ASSERT_TRUE(filled(got, sizeof(got), 0x3c));
	/* Drained: the next look at the pool finds it free. */
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * An exporter (its own session) hands two dma-bufs to a receiver, which
 * maps one; both die by SIGKILL. Every buffer is back once both are
 * reaped: their descriptors, mappings and sessions went with them.
 */
TEST_F(export, sigkill_every_holder)
{
	int sv[2], ready[2], fds[2];
	pid_t exporter, receiver;

	ASSERT_EQ(0, mp_set_access(self->fd, self->c.pool_id, MPOOL_ACCESS_ALL));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, pipe(ready));

	exporter = fork();
	ASSERT_LE(0, exporter);
	if (!exporter) {
		struct mpool_pool_attach a;
		__u32 ids[2];
		int s = mp_open();
		char *m;

		if (s < 0 || mp_attach(s, self->name, &a) || mp_lease(s, a.pool_id, ids, 2))
			_exit(1);
		m = mp_map(s, a.mmap_offset, a.mmap_len);
		if (m == MAP_FAILED)
			_exit(2);
		memset(m + (size_t)ids[0] * self->bufsz, 0xab, self->bufsz);
		if (mp_export(s, a.pool_id, ids[0], 0, &fds[0]) ||
		    mp_export(s, a.pool_id, ids[1], MPOOL_EXPORT_F_RDONLY, &fds[1]) ||
		    send_fds(sv[1], fds, 2))
			_exit(3);
		mp_signal_fd(ready[1]);
		pause();
		_exit(4);
	}
	receiver = fork();
	ASSERT_LE(0, receiver);
	if (!receiver) {
		char *p;

		if (recv_fds(sv[0], fds, 2))
			_exit(1);
		p = mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
		if (p == MAP_FAILED || p[0] != (char)0xab)
			_exit(2);
		mp_signal_fd(ready[1]);
		pause();
		_exit(4);
	}
	ASSERT_EQ(0, mp_wait_fd(ready[0]));
	ASSERT_EQ(0, mp_wait_fd(ready[0]));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 2, 0, 2);

	ASSERT_EQ(0, kill(exporter, SIGKILL));
	ASSERT_EQ(0, kill(receiver, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, mp_wait(exporter));
	ASSERT_EQ(128 + SIGKILL, mp_wait(receiver));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	close(sv[0]);
	close(sv[1]);
	close(ready[0]);
	close(ready[1]);
}

TEST_F(export, destroy_with_exported_buffers_out)
{
	struct mpool_info base, info;
	struct mpool_pool_stats st;
	int watcher, dfd[2], tmp;
	__u32 ids[2], id;
	char *p;

	watcher = mp_open();
	ASSERT_LE(0, watcher);
	ASSERT_EQ(0, mp_info(watcher, &base));
	dfd[0] = lease_fill_export(_metadata, self, 0, 0x21, &ids[0]);
	ASSERT_LE(0, dfd[0]);
	dfd[1] = lease_fill_export(_metadata, self, 0, 0x22, &ids[1]);
	ASSERT_LE(0, dfd[1]);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));

	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(MPOOL_STATE_DESTROYED, st.state & MPOOL_STATE_DESTROYED);
	ASSERT_EQ(2, st.nr_exported);
	/* No new exports or imports from a destroyed pool; the old ones still work. */
	ASSERT_EQ(-EIDRM, mp_export(self->fd, self->c.pool_id, id, 0, &tmp));
	ASSERT_EQ(-EIDRM, mp_import(self->fd, self->c.pool_id, dfd[1], NULL));

	/* The session goes; the dma-bufs keep the pool's memory. */
	ASSERT_EQ(0, munmap(self->map, self->c.mmap_len));
	self->map = MAP_FAILED;
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, mp_info(watcher, &info));
	ASSERT_EQ(base.nr_pools, info.nr_pools);
	ASSERT_EQ(base.bytes_used, info.bytes_used);
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd[0], 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(filled(p, self->bufsz, 0x21));
	ASSERT_EQ(0, munmap(p, self->bufsz));
	ASSERT_EQ(0, close(dfd[0]));
	ASSERT_EQ(0, mp_info(watcher, &info));
	ASSERT_EQ(base.nr_pools, info.nr_pools);

	/* The last one frees everything. */
	ASSERT_EQ(0, close(dfd[1]));
	ASSERT_EQ(0, mp_info(watcher, &info));
	ASSERT_EQ(base.nr_pools - 1, info.nr_pools);
	ASSERT_EQ(base.bytes_used - NBUF * self->bufsz, info.bytes_used);
	close(watcher);
}

/* /sys/module/mempool/refcnt: the module's references now, or -1. */
static long module_refs(void)
{
	long n = -1;
	FILE *f = fopen("/sys/module/mempool/refcnt", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/*
 * The dma-buf's ops are the module's code: with no session and no mapping
 * left, a dma-buf alone keeps the module loaded (one reference, its
 * exp_info.owner), and gives that reference back when it goes.
 */
TEST_F(export, module_stays_while_a_dmabuf_lives)
{
	long refs;
	int dfd;
	__u32 id;

	if (geteuid())
		SKIP(return, "needs CAP_SYS_MODULE");
	dfd = lease_fill_export(_metadata, self, 0, 0x31, &id);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, munmap(self->map, self->c.mmap_len));
	self->map = MAP_FAILED;
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;

	refs = module_refs();
	ASSERT_LE(1, refs);
	ASSERT_EQ(-1, syscall(SYS_delete_module, "mempool", O_NONBLOCK));
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	ASSERT_EQ(0, close(dfd));
	ASSERT_EQ(refs - 1, module_refs());
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Read a byte of every page of [p, p + len): the faults that took. */
static long faults_to_read(const char *p, size_t len)
{
	long before = minflt();
	size_t off;

	for (off = 0; off < len; off += mp_page())
		(void)((volatile const char *)p)[off];
	return minflt() - before;
}

/*
 * A fault maps the whole leased buffer (as much of it as the VMA covers),
 * and the dma-buf's mmap() maps everything: 64 KiB is one fault in the
 * session's mapping and none in the dma-buf's. The pages mapped ahead go
 * with the lease all the same.
 */
TEST(fault_maps_the_whole_buffer)
{
	const size_t page = mp_page(), bufsz = 16 * page, part = 8 * page;
	char name[MPOOL_POOL_NAME_MAX], *map, *buf, *win, *p;
	struct mpool_pool_create c;
	__u32 ids[2];
	int fd, dfd;
	off_t off;

	MP_SKIP_WITHOUT_DEVICE();
	/* The first call may fault in its own way (lazy binding): not counted. */
	minflt();
	fd = mp_open();
	ASSERT_LE(0, fd);
	mp_name(name, "expflt");
	ASSERT_EQ(0, mp_create(fd, name, MPOOL_ENG_PERCPU, bufsz, 3, &c));
	map = mp_map(fd, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, map);

	/* One fault per buffer, and not one page of the next. */
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, ids, 2));
	buf = map + (size_t)ids[0] * bufsz;
	EXPECT_EQ(1, faults_to_read(buf, bufsz));
	EXPECT_EQ(1, faults_to_read(map + (size_t)ids[1] * bufsz, bufsz));
	fill(buf, bufsz, 0x3c);
	ASSERT_EQ(0, mp_release(fd, c.pool_id, &ids[1], 1));

	/* A mapping of the middle of the buffer only: one fault, the same bytes. */
	off = (off_t)(c.mmap_offset + (size_t)ids[0] * bufsz + 4 * page);
	win = mmap(NULL, part, PROT_READ, MAP_SHARED, fd, off);
	ASSERT_NE(MAP_FAILED, win);
	EXPECT_EQ(1, faults_to_read(win + 3 * page, part - 3 * page));
	EXPECT_EQ(0, faults_to_read(win, part));
	EXPECT_EQ(0, memcmp(win, buf + 4 * page, part));
	ASSERT_EQ(0, munmap(win, part));

	/* The dma-buf's mmap(), whole or in part, maps every page it covers. */
	ASSERT_EQ(0, mp_export(fd, c.pool_id, ids[0], 0, &dfd));
	p = mmap(NULL, bufsz, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, faults_to_read(p, bufsz));
	EXPECT_TRUE(filled(p, bufsz, 0x3c));
	win = mmap(NULL, part, PROT_READ, MAP_SHARED, dfd, (off_t)(4 * page));
	ASSERT_NE(MAP_FAILED, win);
	EXPECT_EQ(0, faults_to_read(win, part));
	EXPECT_EQ(0, memcmp(win, p + 4 * page, part));
	ASSERT_EQ(0, munmap(win, part));
	/* Pages zapped from under it fault back in, the bytes unchanged. */
	ASSERT_EQ(0, madvise(p, bufsz, MADV_DONTNEED));
	EXPECT_LT(0, faults_to_read(p, bufsz));
	EXPECT_TRUE(filled(p, bufsz, 0x3c));
	ASSERT_EQ(0, munmap(p, bufsz));
	ASSERT_EQ(0, close(dfd));

	/* A page mapped ahead of its first touch is revoked with the rest. */
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, ids, 1));
	buf = map + (size_t)ids[0] * bufsz;
	EXPECT_EQ(1, faults_to_read(buf, 1));
	EXPECT_EQ(0, faults_to_read(buf + bufsz - page, 1));
	ASSERT_EQ(0, mp_release(fd, c.pool_id, ids, 1));
	EXPECT_EQ(SIGBUS, mp_read_sig(buf + bufsz - page));
	EXPECT_EQ(SIGBUS, mp_read_sig(buf));

	ASSERT_EQ(0, munmap(map, c.mmap_len));
	ASSERT_EQ(0, mp_destroy(fd, c.pool_id));
	ASSERT_EQ(0, close(fd));
}

/*
 * A pipe still references pages of the buffer (vmsplice through the
 * session's mapping before the export, or through the dma-buf's mapping
 * since unmapped): import must refuse (EBUSY), as the pipe reaches the
 * buffer and would read what the importing session writes to its lease.
 * Once the pipe lets go, the import goes through.
 */
TEST_F(export, import_refused_while_pages_referenced)
{
	struct mpool_pool_attach a;
	int dfd, pfd[2], other, ret, round;
	char got[64], *om, *p;
	struct iovec iov;
	__u32 id, got_id;

	other = mp_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, mp_attach(other, self->name, &a));
	om = mp_map(other, a.mmap_offset, a.mmap_len);
	ASSERT_NE(MAP_FAILED, om);
	ASSERT_EQ(0, pipe(pfd));

	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		fill(buf_of(self, id), self->bufsz, 0x44);
		iov.iov_len = sizeof(got);
		if (!round) {
			iov.iov_base = buf_of(self, id);
			ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
			ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
		} else {
			ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
			p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
			ASSERT_NE(MAP_FAILED, p);
			iov.iov_base = p;
			ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
			ASSERT_EQ(0, munmap(p, self->bufsz));
		}

		ret = mp_import(other, a.pool_id, dfd, &got_id);
		if (!ret) {
			/* What that would mean: the pipe reads the importer's bytes. */
			memset(om + (size_t)got_id * self->bufsz, 0x99, self->bufsz);
			ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
			TH_LOG("round %d: imported under a pipe reference; the pipe read %#x",
			       round, (unsigned char)got[0]);
			ASSERT_EQ(0, mp_release(other, a.pool_id, &got_id, 1));
			close(dfd);
		}
		ASSERT_EQ(-EBUSY, ret);
		expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);

		/* The pipe reads the exporter's bytes, then lets go: it imports. */
		ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
		ASSERT_TRUE(filled(got, sizeof(got), 0x44));
		ASSERT_EQ(0, mp_import(other, a.pool_id, dfd, &got_id));
		ASSERT_EQ(id, got_id);
		ASSERT_EQ(0, close(dfd));
		ASSERT_TRUE(filled(om + (size_t)id * self->bufsz, self->bufsz, 0x44));
		expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 0);
		ASSERT_EQ(0, mp_release(other, a.pool_id, &id, 1));
		expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	}
	close(pfd[0]);
	close(pfd[1]);
	munmap(om, a.mmap_len);
	close(other);
}

#define RACE_ITERS	400

/* What the racing thread does to the dma-buf while the main thread imports it. */
enum race_op { RACE_MMAP, RACE_DUP_MMAP, RACE_CLOSE, RACE_NR_OPS };

struct import_race {
	pthread_barrier_t go, done, next;
	int dfd;
	enum race_op op;
	size_t len;
	bool mapped;		/* out: the racer held a mapping of the dma-buf */
	bool closed;		/* out: the racer closed dfd */
	bool stop;
};

static void *import_racer(void *arg)
{
	struct import_race *r = arg;
	int dup_fd;
	void *p;

	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			return NULL;
		p = MAP_FAILED;
		dup_fd = -1;
		switch (r->op) {
		case RACE_MMAP:
			p = mmap(NULL, r->len, PROT_READ, MAP_SHARED, r->dfd, 0);
			break;
		case RACE_DUP_MMAP:
			dup_fd = dup(r->dfd);
			if (dup_fd >= 0)
				p = mmap(NULL, r->len, PROT_READ, MAP_SHARED, dup_fd, 0);
			break;
		default:
			r->closed = !close(r->dfd);
			break;
		}
		r->mapped = p != MAP_FAILED;
		/* Held until the main thread has judged the import. */
		pthread_barrier_wait(&r->done);
		if (p != MAP_FAILED)
			munmap(p, r->len);
		if (dup_fd >= 0)
			close(dup_fd);
		pthread_barrier_wait(&r->next);
	}
}

/*
 * IMPORT races mmap(), dup() + mmap() and close() of the dma-buf's
 * descriptor in another thread. Whatever the interleaving, an import that
 * succeeds never leaves a mapping of the dma-buf behind, a mapping made
 * makes the import fail (EBUSY), a close lets it succeed or fail (EBADF),
 * and no buffer is lost or counted twice.
 */
TEST_F(export, import_races_mmap_dup_close)
{
	struct import_race r = { .len = self->bufsz };
	unsigned int i, imported = 0, busy = 0;
	long long t0 = mp_now_ns();
	pthread_t th;
	__u32 id, got;
	int ret;

	ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&r.done, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&r.next, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, import_racer, &r));

	for (i = 0; i < RACE_ITERS; i++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &r.dfd));
		r.op = i % RACE_NR_OPS;
		r.closed = false;
		pthread_barrier_wait(&r.go);
		ret = mp_import(self->fd, self->c.pool_id, r.dfd, &got);
		pthread_barrier_wait(&r.done);
		if (!ret) {
			imported++;
			ASSERT_EQ(id, got);
			/* Both at once: the dma-buf's mapping outlived the import. */
			ASSERT_FALSE(r.mapped) TH_LOG("iteration %u op %d", i, r.op);
		} else if (ret == -EBUSY) {
			busy++;
		} else {
			ASSERT_TRUE(ret == -EBADF && r.op == RACE_CLOSE)
				TH_LOG("iteration %u op %d: %d", i, r.op, ret);
		}
		pthread_barrier_wait(&r.next);
		if (!ret)
			ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
		if (!r.closed)
			ASSERT_EQ(0, close(r.dfd));
		if (ret == -EBUSY && r.op != RACE_CLOSE)
			expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	}
	r.stop = true;
	pthread_barrier_wait(&r.go);
	pthread_join(th, NULL);
	TH_LOG("%u imported, %u busy of %u, %lld ms", imported, busy, i,
	       (mp_now_ns() - t0) / 1000000);
	/* Every buffer back, whichever way each iteration went. */
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

struct export_race {
	pthread_barrier_t go, done;
	int fd;
	__u32 pool_id, id;
	bool release;		/* the second thread releases instead of exporting */
	bool stop;
	int ret, dfd;
};

static void *export_racer(void *arg)
{
	struct export_race *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			return NULL;
		r->dfd = -1;
		if (r->release)
			r->ret = mp_release(r->fd, r->pool_id, &r->id, 1);
		else
			r->ret = mp_export(r->fd, r->pool_id, r->id, 0, &r->dfd);
		pthread_barrier_wait(&r->done);
	}
}

/*
 * Two threads of a session race for one leased buffer: EXPORT against
 * EXPORT, EXPORT against RELEASE. Exactly one wins each time, so the
 * buffer has one holder; the loser gets EINVAL.
 */
TEST_F(export, export_races_export_and_release)
{
	struct export_race r = { .fd = self->fd, .pool_id = self->c.pool_id };
	long long t0 = mp_now_ns();
	unsigned int i;
	int ret, dfd;
	pthread_t th;
	__u32 id;

	ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&r.done, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, export_racer, &r));
	for (i = 0; i < RACE_ITERS; i++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		r.id = id;
		r.release = i & 1;
		dfd = -1;
		pthread_barrier_wait(&r.go);
		ret = mp_export(self->fd, self->c.pool_id, id, 0, &dfd);
		pthread_barrier_wait(&r.done);
		ASSERT_EQ(1, !ret + !r.ret) TH_LOG("iteration %u: %d %d", i, ret, r.ret);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		ASSERT_TRUE(r.ret == 0 || r.ret == -EINVAL);
		/* Whoever won, the session holds it no more. */
		ASSERT_EQ(-EINVAL, mp_release(self->fd, self->c.pool_id, &id, 1));
		if (!ret)
			ASSERT_EQ(0, close(dfd));
		if (!r.ret && r.dfd >= 0)
			ASSERT_EQ(0, close(r.dfd));
	}
	r.stop = true;
	pthread_barrier_wait(&r.go);
	pthread_join(th, NULL);
	TH_LOG("%u iterations, %lld ms", i, (mp_now_ns() - t0) / 1000000);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

struct import_pair {
	pthread_barrier_t go, done;
	int fd, dfd;
	__u32 pool_id, got;
	bool stop;
	int ret;
};

static void *import_pair_racer(void *arg)
{
	struct import_pair *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			return NULL;
		r->ret = mp_import(r->fd, r->pool_id, r->dfd, &r->got);
		pthread_barrier_wait(&r->done);
	}
}

/*
 * Two sessions import one dma-buf at once, through the same descriptor:
 * never both (the buffer would have two holders). Whatever is left is
 * imported afterwards, and every buffer comes back.
 */
TEST_F(export, two_sessions_import_one_dmabuf_at_once)
{
	struct import_pair r = {};
	struct mpool_pool_attach a;
	unsigned int i, wins[2] = {};
	__u32 id, got;
	pthread_t th;
	int ret;

	r.fd = mp_open();
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, mp_attach(r.fd, self->name, &a));
	r.pool_id = a.pool_id;
	ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&r.done, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, import_pair_racer, &r));
	for (i = 0; i < RACE_ITERS; i++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &r.dfd));
		pthread_barrier_wait(&r.go);
		ret = mp_import(self->fd, self->c.pool_id, r.dfd, &got);
		pthread_barrier_wait(&r.done);
		ASSERT_FALSE(!ret && !r.ret) TH_LOG("iteration %u: both imported", i);
		ASSERT_TRUE(ret == 0 || ret == -EBUSY || ret == -EINVAL) TH_LOG("%d", ret);
		ASSERT_TRUE(r.ret == 0 || r.ret == -EBUSY || r.ret == -EINVAL)
			TH_LOG("%d", r.ret);
		if (!ret) {
			wins[0]++;
			ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
		} else if (!r.ret) {
			wins[1]++;
			ASSERT_EQ(id, r.got);
			ASSERT_EQ(0, mp_release(r.fd, r.pool_id, &id, 1));
		} else {
			ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, r.dfd, &got));
			ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
		}
		ASSERT_EQ(0, close(r.dfd));
	}
	r.stop = true;
	pthread_barrier_wait(&r.go);
	pthread_join(th, NULL);
	TH_LOG("wins %u and %u of %u", wins[0], wins[1], i);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	close(r.fd);
}

/*
 * The dma-buf's descriptor goes to a child by fork(): while the child
 * lives, the parent cannot import (EBUSY), and the child still reads the
 * bytes; once it has exited, the import goes through, bytes and all.
 */
TEST_F(export, fork_child_holds_the_dmabuf)
{
	int dfd, go[2];
	__u32 id, got;
	char c = 0;
	pid_t pid;

	dfd = lease_fill_export(_metadata, self, 0, 0x29, &id);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
		if (p == MAP_FAILED || !filled(p, self->bufsz, 0x29))
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(-EBUSY, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(0, mp_wait(pid));
	close(go[1]);
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(id, got);
	ASSERT_EQ(0, close(dfd));
	ASSERT_TRUE(filled(buf_of(self, id), self->bufsz, 0x29));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

/*
 * Hostile mmap() requests on a dma-buf: past its end, private, executable
 * (now or by mprotect), growing; and a mapping moved by mremap() or zapped
 * by MADV_DONTNEED still reads the buffer's bytes and only those.
 */
TEST_F(export, dmabuf_mmap_hostile_requests)
{
	const size_t page = mp_page();
	char *p, *q, *r;
	int dfd, rofd;
	__u32 id, rid;

	dfd = lease_fill_export(_metadata, self, 0, 0x63, &id);
	ASSERT_LE(0, dfd);
	/* Past the end: offset at the end, a range overhanging it, a huge offset. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, dfd, self->bufsz));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, dfd,
				   self->bufsz - page));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->bufsz + page, PROT_READ, MAP_SHARED, dfd, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, dfd, (off_t)1 << 40));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, dfd,
				   (off_t)(-(long)page) & ~((off_t)1 << 63)));
	/* Private, executable. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ, MAP_PRIVATE, dfd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ | PROT_EXEC, MAP_SHARED,
				   dfd, 0));
	EXPECT_EQ(EPERM, errno);

	p = mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_NE(0, mprotect(p, self->bufsz, PROT_READ | PROT_EXEC));
	/* Cannot grow, in place or moving. */
	EXPECT_EQ(MAP_FAILED, mremap(p, self->bufsz, self->bufsz + page, 0));
	EXPECT_EQ(MAP_FAILED, mremap(p, self->bufsz, self->bufsz + page, MREMAP_MAYMOVE));
	/* Moved, with a hole punched first: the same bytes. */
	q = mmap(NULL, 4 * self->bufsz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, madvise(p, page, MADV_DONTNEED));
	r = mremap(p, self->bufsz, self->bufsz, MREMAP_MAYMOVE | MREMAP_FIXED, q + page);
	ASSERT_EQ(q + page, r);
	EXPECT_TRUE(filled(r, self->bufsz, 0x63));
	EXPECT_EQ(SIGSEGV, mp_read_sig(r + self->bufsz));
	/* Shrunk: the tail is gone, the head still the buffer's. */
	ASSERT_EQ(r, mremap(r, self->bufsz, page, 0));
	EXPECT_TRUE(filled(r, page, 0x63));
	EXPECT_EQ(SIGSEGV, mp_read_sig(r + page));
	ASSERT_EQ(0, munmap(r, page));
	munmap(q, 4 * self->bufsz);

	/* A read-only dma-buf: never writable, whatever the request. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &rid, 1));
	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, rid, MPOOL_EXPORT_F_RDONLY, &rofd));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->bufsz, PROT_READ | PROT_WRITE, MAP_SHARED,
				   rofd, 0));
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, rofd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_NE(0, mprotect(p, self->bufsz, PROT_READ | PROT_WRITE));
	EXPECT_EQ(SIGSEGV, mp_write_byte(p, 1));
	EXPECT_TRUE(mp_all_zero(p, self->bufsz));
	ASSERT_EQ(0, munmap(p, self->bufsz));

	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 2, 0, 2);
	ASSERT_EQ(0, close(dfd));
	ASSERT_EQ(0, close(rofd));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

/*
 * The ioctl argument where it hurts. EXPORT and IMPORT with a read-only
 * argument (copied in, the copy out fails): EFAULT and nothing changed,
 * the lease still the session's and mapped, the dma-buf still owning
 * the buffer. EXPORT whose argument sits in the very buffer it exports:
 * the descriptor lands in the dma-buf's bytes, the session's view is
 * gone. IMPORT whose argument sits in the buffer it would import (the
 * session cannot read it yet): EFAULT, nothing changed.
 */
TEST_F(export, argument_in_hostile_places)
{
	struct mpool_export *xarg;
	struct mpool_import *iarg;
	int dfd, guess;
	size_t i;
	__u32 id, got;
	char *ro, *p;

	ro = mmap(NULL, mp_page(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	fill(buf_of(self, id), self->bufsz, 0x5d);

	/* Read-only EXPORT argument. */
	xarg = (struct mpool_export *)ro;
	*xarg = (struct mpool_export){ .pool_id = self->c.pool_id, .buf_id = id, .fd = -1 };
	ASSERT_EQ(0, mprotect(ro, mp_page(), PROT_READ));
	ASSERT_EQ(-EFAULT, mp_ioctl(self->fd, MPOOL_IOC_EXPORT, xarg));
	ASSERT_TRUE(filled(buf_of(self, id), self->bufsz, 0x5d));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 1, 0);

	/* Read-only IMPORT argument. */
	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
	ASSERT_EQ(0, mprotect(ro, mp_page(), PROT_READ | PROT_WRITE));
	iarg = (struct mpool_import *)ro;
	*iarg = (struct mpool_import){ .pool_id = self->c.pool_id, .fd = dfd };
	ASSERT_EQ(0, mprotect(ro, mp_page(), PROT_READ));
	ASSERT_EQ(-EFAULT, mp_ioctl(self->fd, MPOOL_IOC_IMPORT, iarg));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(filled(p, self->bufsz, 0x5d));
	ASSERT_EQ(0, munmap(p, self->bufsz));

	/* IMPORT's argument in the session's window of that very buffer. */
	ASSERT_EQ(-EFAULT, mp_ioctl(self->fd, MPOOL_IOC_IMPORT, buf_of(self, id)));
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(id, got);
	ASSERT_EQ(0, close(dfd));
	ASSERT_TRUE(filled(buf_of(self, id), self->bufsz, 0x5d));

	/* EXPORT's argument inside the buffer it exports. */
	guess = dup(0);
	ASSERT_LE(0, guess);
	ASSERT_EQ(0, close(guess));
	xarg = (struct mpool_export *)buf_of(self, id);
	*xarg = (struct mpool_export){ .pool_id = self->c.pool_id, .buf_id = id, .fd = -1 };
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_EXPORT, xarg));
	ASSERT_EQ(SIGBUS, mp_read_sig(buf_of(self, id)));
	ASSERT_EQ(SIGBUS, mp_read_sig(buf_of(self, id) + self->bufsz - 1));
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, guess, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(guess, ((struct mpool_export *)p)->fd);
	/* The rest of the bytes as the session left them. */
	for (i = sizeof(*xarg); i < self->bufsz; i++)
		ASSERT_EQ((char)(0x5d + i * 7 + (i >> 12)), p[i]);
	ASSERT_EQ(0, munmap(p, self->bufsz));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 1, 0, 1);
	ASSERT_EQ(0, close(guess));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
	munmap(ro, mp_page());
}

/*
 * IMPORT over the session's lease cap (EDQUOT): the dma-buf keeps the
 * buffer, still maps and imports later; nothing counted twice.
 */
TEST_F(export, import_over_quota_keeps_the_dmabuf)
{
	unsigned long long cap;
	__u32 id, held, got;
	int dfd, ret;
	char *p;

	if (geteuid())
		SKIP(return, "needs root to set max_session_leases");
	cap = mp_param_get("max_session_leases");
	dfd = lease_fill_export(_metadata, self, 0, 0x6e, &id);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &held, 1));
	ASSERT_EQ(0, mp_param_set("max_session_leases", 1));
	ret = mp_import(self->fd, self->c.pool_id, dfd, &got);
	ASSERT_EQ(0, mp_param_set("max_session_leases", cap));
	ASSERT_EQ(-EDQUOT, ret);
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF - 2, 1, 1);
	p = mmap(NULL, self->bufsz, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(filled(p, self->bufsz, 0x6e));
	ASSERT_EQ(0, munmap(p, self->bufsz));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &held, 1));
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &got));
	ASSERT_EQ(id, got);
	ASSERT_EQ(0, close(dfd));
	ASSERT_TRUE(filled(buf_of(self, id), self->bufsz, 0x6e));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	expect_counts(_metadata, self->fd, self->c.pool_id, NBUF, 0, 0);
}

TEST_HARNESS_MAIN
