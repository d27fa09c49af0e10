/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/mempool kselftests. Every wrapper returns 0 or
 * -errno, so a test reads ASSERT_EQ(-EINVAL, mp_lease(...)).
 */
#ifndef MEMPOOL_UTIL_H
#define MEMPOOL_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <grp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mempool.h>

#define MP_PARAM_DIR	"/sys/module/mempool/parameters/"

/*
 * The first line of every FIXTURE_SETUP: without /dev/mempool (mempool.ko
 * not loaded) every test SKIPs, the kselftest way, instead of failing.
 * The harness then runs neither the test nor its teardown.
 */
#define MP_SKIP_WITHOUT_DEVICE() do {						\
	if (access(MPOOL_DEVICE, F_OK))						\
		SKIP(return, "%s: %s (is mempool.ko loaded?)", MPOOL_DEVICE,	\
		     strerror(errno));						\
} while (0)

static inline long mp_page(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline int mp_open(void)
{
	return open(MPOOL_DEVICE, O_RDWR | O_CLOEXEC);
}

static inline int mp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* A pool name unique to this process and call: "tag-pid-n". */
static inline void mp_name(char name[MPOOL_POOL_NAME_MAX], const char *tag)
{
	static unsigned int counter;

	memset(name, 0, MPOOL_POOL_NAME_MAX);
	snprintf(name, MPOOL_POOL_NAME_MAX, "%.8s-%d-%u", tag, (int)getpid(), counter++);
}

static inline int mp_info(int fd, struct mpool_info *info)
{
	memset(info, 0, sizeof(*info));
	return mp_ioctl(fd, MPOOL_IOC_INFO, info);
}

static inline int mp_create_ex(int fd, const char *name, __u32 engine, __u64 buf_size,
			       __u32 buf_count, __u32 flags, __u32 access,
			       struct mpool_pool_create *out)
{
	struct mpool_pool_create c = {
		.engine = engine, .buf_size = buf_size, .buf_count = buf_count,
		.flags = flags, .access = access,
	};
	int ret;

	memcpy(c.name, name, strnlen(name, sizeof(c.name)));
	ret = mp_ioctl(fd, MPOOL_IOC_POOL_CREATE, &c);
	if (out)
		*out = c;
	return ret;
}

static inline int mp_create(int fd, const char *name, __u32 engine, __u64 buf_size,
			    __u32 buf_count, struct mpool_pool_create *out)
{
	return mp_create_ex(fd, name, engine, buf_size, buf_count, 0, MPOOL_ACCESS_OWNER, out);
}

static inline int mp_set_access(int fd, __u32 pool_id, __u32 access)
{
	struct mpool_pool_config cfg = {
		.pool_id = pool_id, .flags = MPOOL_CONFIG_F_ACCESS, .access = access,
	};

	return mp_ioctl(fd, MPOOL_IOC_POOL_CONFIG, &cfg);
}

static inline int mp_attach(int fd, const char *name, struct mpool_pool_attach *out)
{
	struct mpool_pool_attach a = {};
	int ret;

	memcpy(a.name, name, strnlen(name, sizeof(a.name)));
	ret = mp_ioctl(fd, MPOOL_IOC_POOL_ATTACH, &a);
	if (out)
		*out = a;
	return ret;
}

static inline int mp_destroy(int fd, __u32 pool_id)
{
	struct mpool_pool_destroy d = { .pool_id = pool_id };

	return mp_ioctl(fd, MPOOL_IOC_POOL_DESTROY, &d);
}

static inline int mp_lease_ex(int fd, __u32 pool_id, __u32 *ids, __u32 n, __u32 flags,
			      __u64 timeout_ns)
{
	struct mpool_lease l = {
		.pool_id = pool_id, .flags = flags, .count = n,
		.ids = (__u64)(unsigned long)ids, .timeout_ns = timeout_ns,
	};

	return mp_ioctl(fd, MPOOL_IOC_LEASE, &l);
}

static inline int mp_lease(int fd, __u32 pool_id, __u32 *ids, __u32 n)
{
	return mp_lease_ex(fd, pool_id, ids, n, 0, 0);
}

static inline int mp_release(int fd, __u32 pool_id, const __u32 *ids, __u32 n)
{
	struct mpool_release r = {
		.pool_id = pool_id, .count = n, .ids = (__u64)(unsigned long)ids,
	};

	return mp_ioctl(fd, MPOOL_IOC_RELEASE, &r);
}

static inline int mp_stats(int fd, __u32 pool_id, struct mpool_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->pool_id = pool_id;
	return mp_ioctl(fd, MPOOL_IOC_POOL_STATS, st);
}

/* Export buffer @id as a dma-buf: 0 and *@dfd, or -errno. */
static inline int mp_export(int fd, __u32 pool_id, __u32 id, __u32 flags, int *dfd)
{
	struct mpool_export x = { .pool_id = pool_id, .buf_id = id, .flags = flags, .fd = -1 };
	int ret = mp_ioctl(fd, MPOOL_IOC_EXPORT, &x);

	if (!ret)
		*dfd = x.fd;
	return ret;
}

/* Import dma-buf @dfd into pool @pool_id: 0 and *@id, or -errno. */
static inline int mp_import(int fd, __u32 pool_id, int dfd, __u32 *id)
{
	struct mpool_import m = { .pool_id = pool_id, .fd = dfd };
	int ret = mp_ioctl(fd, MPOOL_IOC_IMPORT, &m);

	if (!ret && id)
		*id = m.buf_id;
	return ret;
}

/* Map a whole pool window; MAP_FAILED on error. */
static inline void *mp_map(int fd, __u64 offset, __u64 len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
}

/*
 * A second session of pool @name: attached (*@a), its whole window mapped,
 * @n buffers leased into @ids. The mapping, or MAP_FAILED with *@fdp -1
 * (or the session, if only the map or lease failed).
 */
static inline char *mp_second_session(const char *name, struct mpool_pool_attach *a,
				      __u32 *ids, __u32 n, int *fdp)
{
	char *m;

	*fdp = mp_open();
	if (*fdp < 0 || mp_attach(*fdp, name, a))
		return MAP_FAILED;
	m = mp_map(*fdp, a->mmap_offset, a->mmap_len);
	if (m != MAP_FAILED && mp_lease(*fdp, a->pool_id, ids, n)) {
		munmap(m, a->mmap_len);
		return MAP_FAILED;
	}
	return m;
}

/*
 * Touch one byte and report the signal it raised (0: none). The handler
 * jumps back past the faulting access; sigsetjmp(…, 1) restores the mask.
 */
static sigjmp_buf mp_probe_env;
static volatile sig_atomic_t mp_probe_sig;

static void mp_probe_handler(int sig)
{
	mp_probe_sig = sig;
	siglongjmp(mp_probe_env, 1);
}

static inline int mp_probe(volatile char *p, bool write, char *val)
{
	struct sigaction sa = { .sa_handler = mp_probe_handler }, obus, osegv;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	mp_probe_sig = 0;
	if (!sigsetjmp(mp_probe_env, 1)) {
		if (write)
			*p = *val;
		else
			*val = *p;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return mp_probe_sig;
}

static inline int mp_read_byte(volatile char *p, char *val)
{
	return mp_probe(p, false, val);
}

/* The signal a read of @p raises (0: none). */
static inline int mp_read_sig(volatile char *p)
{
	char v;

	return mp_read_byte(p, &v);
}

static inline int mp_write_byte(volatile char *p, char val)
{
	return mp_probe(p, true, &val);
}

/* Every byte of [p, p + len) is zero. */
static inline bool mp_all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (c[i])
			return false;
	}
	return true;
}

/* Module parameters: read, and write returning the old value. */
static inline unsigned long long mp_param_get(const char *name)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), MP_PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoull(buf, NULL, 0);
}

static inline int mp_param_set(const char *name, unsigned long long val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), MP_PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%llu\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/* Wait for @pid; return its exit code, or 128 + signal. */
static inline int mp_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* A pipe used as a one-shot event between processes. */
static inline void mp_signal_fd(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(99);
}

static inline int mp_wait_fd(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static inline const char *mp_engine_name(__u32 engine)
{
	static const char *const names[] = { "percpu", "ring", "lockfree" };

	return engine < 3 ? names[engine] : "?";
}

/* Wait until @pid sleeps in system call @nr (0 when it does, -1 otherwise). */
static inline int mp_wait_blocked_in(pid_t pid, long nr)
{
	char path[64], buf[512];
	ssize_t n;
	long i;
	char *p;
	int fd;

	for (i = 0; i < 20000000; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S') {
			snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				return -1;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = 0;
				if (strtol(buf, NULL, 10) == nr)
					return 0;
			}
		}
		sched_yield();
	}
	return -1;
}

/*
 * Wait until @pid sleeps inside ioctl(): the way to know a blocking lease
 * is really blocked before waking it, without sleeping ourselves.
 */
static inline int mp_wait_blocked_in_ioctl(pid_t pid)
{
	return mp_wait_blocked_in(pid, SYS_ioctl);
}

/*
 * A uid and gid that the node at @path grants nothing by owner or group:
 * 65534 (nobody), or the next one down if the node belongs to it. Such a
 * user opens the node only if its mode lets everyone in.
 */
static inline int mp_outsider(const char *path, uid_t *uid, gid_t *gid)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	for (*uid = 65534; *uid == st.st_uid; (*uid)--)
		;
	for (*gid = 65534; *gid == st.st_gid; (*gid)--)
		;
	return 0;
}

/* open(@path, @flags) as @uid:@gid with no supplementary group: 0 or -errno. */
static inline int mp_try_open_as(const char *path, int flags, uid_t uid, gid_t gid)
{
	pid_t pid = fork();
	int fd, rc;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
			_exit(120);
		fd = open(path, flags | O_CLOEXEC);
		_exit(fd >= 0 ? 0 : errno < 120 ? errno : 119);
	}
	rc = mp_wait(pid);
	return rc == 120 ? -EPERM : -rc;
}

static inline long long mp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif /* MEMPOOL_UTIL_H */
