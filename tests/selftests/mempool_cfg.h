/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the tests of issue 12's ioctls (POOL_CONFIG, POOL_EVENTS,
 * POOL_LIST, access modes): wrappers returning 0 or -errno like
 * mempool_util.h's, switching the caller's credentials around an open(),
 * event-descriptor polling and debugfs "key value" files.
 */
#ifndef MEMPOOL_CFG_H
#define MEMPOOL_CFG_H

#include <grp.h>
#include <stddef.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mempool_util.h"

#define MP_DBG_DIR	"/sys/kernel/debug/mempool"

/*
 * A pool with max_buf_count and access set; 0 or -errno. Session-scoped
 * (MPOOL_CREATE_F_SESSION) with @session: it goes with the test process
 * even when an assertion ends the test before its teardown could run.
 */
static inline int mp_create_cfg(int fd, const char *name, __u32 engine, __u64 buf_size,
				__u32 buf_count, __u32 max_buf_count, __u32 access,
				bool session, struct mpool_pool_create *out)
{
	struct mpool_pool_create c = {
		.engine = engine, .buf_size = buf_size, .buf_count = buf_count,
		.max_buf_count = max_buf_count, .access = access,
		.flags = session ? MPOOL_CREATE_F_SESSION : 0,
	};
	int ret;

	memcpy(c.name, name, strnlen(name, sizeof(c.name)));
	ret = mp_ioctl(fd, MPOOL_IOC_POOL_CREATE, &c);
	if (out)
		*out = c;
	return ret;
}

/* POOL_CONFIG with @flags; the rest of @cfg as given; @cfg gets the reply. */
static inline int mp_config(int fd, __u32 pool_id, __u32 flags, struct mpool_pool_config *cfg)
{
	cfg->pool_id = pool_id;
	cfg->flags = flags;
	return mp_ioctl(fd, MPOOL_IOC_POOL_CONFIG, cfg);
}

/* Resize: 0 or -errno; *now (if not NULL) gets the buf_count reported. */
static inline int mp_resize(int fd, __u32 pool_id, __u32 count, __u32 *now)
{
	struct mpool_pool_config cfg = { .buf_count = count };
	int ret = mp_config(fd, pool_id, MPOOL_CONFIG_F_RESIZE, &cfg);

	if (now)
		*now = ret ? 0 : cfg.buf_count;
	return ret;
}

/* Drain: 0 or -errno; *drained (if not NULL) gets the count reported. */
static inline int mp_drain(int fd, __u32 pool_id, __u32 *drained)
{
	struct mpool_pool_config cfg = {};
	int ret = mp_config(fd, pool_id, MPOOL_CONFIG_F_DRAIN, &cfg);

	if (drained)
		*drained = ret ? 0 : cfg.drained;
	return ret;
}

static inline int mp_thresholds(int fd, __u32 pool_id, __u32 low, __u32 high,
				__u32 fail_permille, __u32 hysteresis)
{
	struct mpool_pool_config cfg = {
		.low_watermark = low, .high_watermark = high,
		.fail_permille = fail_permille, .hysteresis = hysteresis,
	};

	return mp_config(fd, pool_id, MPOOL_CONFIG_F_THRESHOLDS, &cfg);
}

/* A new event descriptor of the pool, or -errno. */
static inline int mp_events(int fd, __u32 pool_id)
{
	struct mpool_pool_events e = { .pool_id = pool_id, .fd = -1 };
	int ret = mp_ioctl(fd, MPOOL_IOC_POOL_EVENTS, &e);

	return ret ? ret : e.fd;
}

/* poll()'s revents for @efd after up to @ms milliseconds (0: just look). */
static inline short mp_poll(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

/* Read records: how many (whole) records, or -errno. */
static inline int mp_read_events(int efd, struct mpool_event *ev, int max)
{
	ssize_t n = read(efd, ev, max * sizeof(*ev));

	if (n < 0)
		return -errno;
	if (n % sizeof(*ev))
		return -EPROTO;
	return n / sizeof(*ev);
}

/* POOL_LIST into @e (room for @room entries): 0 or -errno; @l gets the reply. */
static inline int mp_list(int fd, struct mpool_pool_entry *e, __u32 room,
			  struct mpool_pool_list *l)
{
	memset(l, 0, sizeof(*l));
	l->entry_size = sizeof(*e);
	l->entries = (__u64)(unsigned long)e;
	l->count = room;
	return mp_ioctl(fd, MPOOL_IOC_POOL_LIST, l);
}

/* The entry called @name in a list reply, or NULL. */
static inline const struct mpool_pool_entry *mp_list_find(const struct mpool_pool_entry *e,
							   __u32 n, const char *name)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		if (!strncmp(e[i].name, name, MPOOL_POOL_NAME_MAX))
			return &e[i];
	}
	return NULL;
}

/*
 * Credentials to take around an open() or an ioctl: effective uid and gid
 * and supplementary groups. Taken from root (euid 0) and given back with
 * mp_cred_root(); a non-zero euid has no effective capabilities, so the
 * calls made in between are an unprivileged user's.
 */
struct mp_cred {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
};

static inline int mp_cred_take(const struct mp_cred *c)
{
	if (setgroups(c->ngroups, c->groups) || setegid(c->gid) || seteuid(c->uid))
		return -errno;
	return 0;
}

static inline void mp_cred_root(void)
{
	if (seteuid(0) || setegid(0) || setgroups(0, NULL))
		abort();
}

/*
 * A device node anyone may open (the real one is 0600), so that the
 * module judges a session by whoever opened it. 0 or -errno.
 */
static inline int mp_make_node(const char *path)
{
	struct stat sb;

	if (stat(MPOOL_DEVICE, &sb))
		return -errno;
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, sb.st_rdev) || chmod(path, 0666))
		return -errno;
	return 0;
}

/* Open @node as @c, with @flags (O_RDWR or O_RDONLY); fd or -errno. */
static inline int mp_open_as(const char *node, const struct mp_cred *c, int flags)
{
	int fd, err;

	err = mp_cred_take(c);
	if (err) {
		mp_cred_root();
		return err;
	}
	fd = open(node, flags | O_CLOEXEC);
	err = errno;
	mp_cred_root();
	return fd < 0 ? -err : fd;
}

/* The CPUs this process may run on, in order; how many (at most @max). */
static inline int mp_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < max; i++) {
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	}
	return n;
}

static inline int mp_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The whole of a small (pseudo) file, NUL-terminated and malloc()ed; NULL on failure. */
static inline char *mp_slurp(const char *path)
{
	size_t len = 0, size = 65536;
	char *buf = malloc(size);
	ssize_t n = 0;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

/* In a "key value" text, the value of @key; false if absent. */
static inline bool mp_kv_in(const char *text, const char *key, long long *val)
{
	size_t klen = strlen(key);
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*val = strtoll(line + klen + 1, NULL, 0);
			return true;
		}
	}
	return false;
}


#endif /* MEMPOOL_CFG_H */
