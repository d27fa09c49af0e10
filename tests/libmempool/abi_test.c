// SPDX-License-Identifier: GPL-2.0
/*
 * libmempool's ABI, on the build machine: this program links the shared
 * library (libmempool.so.1, as a distribution ships it) and stands in for
 * the kernel by defining ioctl() itself (the program's symbol comes before
 * the C library's for the library's calls). The fake writes what the real
 * module writes: as many bytes as the ioctl's size field says, up to the
 * struct it knows, and refuses a longer struct with a non-zero tail.
 *
 * Every struct that may grow is passed at a shorter size than today's (the
 * first published one, or a 1.0 program's: abi_old.c) with guard bytes
 * behind it: nothing past the size may change. Longer callers get a
 * zeroed tail. Prints one "ok"/"FAIL" line per check; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mempool.h>

#include "abi.h"

#define FILL	0x5A
#define POOL_ID	7

static int failed;
static int fake_fd = -1;
static unsigned long fake_calls;

#define CHECK(what, cond) do { \
	bool ok_ = (cond); \
	printf("%s %s\n", ok_ ? "ok  " : "FAIL", what); \
	if (!ok_) \
		failed = 1; \
} while (0)

/* ---- the fake module: sizes as kernel/chardev.c treats them ------------ */

static size_t kernel_size(unsigned int nr, size_t *min)
{
	switch (nr) {
	case _IOC_NR(MPOOL_IOC_INFO):
		*min = 0;
		return sizeof(struct mpool_info);
	case _IOC_NR(MPOOL_IOC_POOL_CREATE):
		*min = MPOOL_POOL_CREATE_SIZE_VER0;
		return sizeof(struct mpool_pool_create);
	case _IOC_NR(MPOOL_IOC_POOL_STATS):
		*min = MPOOL_POOL_STATS_SIZE_VER0;
		return sizeof(struct mpool_pool_stats);
	case _IOC_NR(MPOOL_IOC_POOL_LIST):
		*min = sizeof(struct mpool_pool_list);
		return sizeof(struct mpool_pool_list);
	case _IOC_NR(MPOOL_IOC_POOL_CONFIG):
		*min = MPOOL_POOL_CONFIG_SIZE_VER0;
		return sizeof(struct mpool_pool_config);
	}
	return 0;
}

static int fake(unsigned long req, void *arg)
{
	size_t usize = _IOC_SIZE(req), min, ksize = kernel_size(_IOC_NR(req), &min), out, i;
	unsigned char *p = arg;

	if (_IOC_TYPE(req) != MPOOL_IOC_MAGIC || !ksize)
		return -ENOTTY;
	if (usize < min)
		return -EINVAL;
	for (i = ksize; i < usize; i++) {
		if (p[i])
			return -E2BIG;
	}
	out = usize < ksize ? usize : ksize;

	switch (_IOC_NR(req)) {
	case _IOC_NR(MPOOL_IOC_INFO):
		memset(p, FILL, out);
		((struct mpool_info *)arg)->api_version = MPOOL_API_VERSION;
		return 0;
	case _IOC_NR(MPOOL_IOC_POOL_CREATE): {
		struct mpool_pool_create *c = arg;

		c->pool_id = POOL_ID;
		c->mmap_offset = 0;
		c->mmap_len = c->buf_size * c->buf_count;
		return 0;
	}
	case _IOC_NR(MPOOL_IOC_POOL_STATS):
	case _IOC_NR(MPOOL_IOC_POOL_CONFIG):
		if (*(uint32_t *)arg != POOL_ID)
			return -ENOENT;
		/* Everything after pool_id and flags is "out". */
		memset(p + 8, FILL, out - 8);
		if (_IOC_NR(req) == _IOC_NR(MPOOL_IOC_POOL_STATS))
			((struct mpool_pool_stats *)arg)->buf_count = 8;
		return 0;
	case _IOC_NR(MPOOL_IOC_POOL_LIST): {
		struct mpool_pool_list *l = arg;
		unsigned char *e = (unsigned char *)(uintptr_t)l->entries;
		size_t esz = sizeof(struct mpool_pool_entry);

		if (l->entry_size < MPOOL_POOL_ENTRY_SIZE_VER0)
			return -EINVAL;
		l->total = 2;
		l->count = l->count < 2 ? l->count : 2;
		for (i = 0; i < l->count; i++) {
			memset(e + i * l->entry_size, FILL, l->entry_size < esz ? l->entry_size : esz);
			if (l->entry_size > esz)
				memset(e + i * l->entry_size + esz, 0, l->entry_size - esz);
		}
		return 0;
	}
	}
	return -ENOTTY;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_fd || fake_fd < 0)
		return syscall(SYS_ioctl, fd, req, arg);
	fake_calls++;
	ret = fake(req, arg);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* Bytes [from, to) of @p all hold @byte. */
static bool all_are(const void *p, size_t from, size_t to, unsigned char byte)
{
	const unsigned char *b = p;

	for (; from < to; from++) {
		if (b[from] != byte)
			return false;
	}
	return true;
}

/* Room for a struct of @size plus the guard, 8-aligned, all guard bytes. */
static void *guarded(size_t size)
{
	void *p = aligned_alloc(8, (size + GUARD_LEN + 7) / 8 * 8);

	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	memset(p, GUARD_BYTE, size + GUARD_LEN);
	return p;
}

/* ---- the checks ------------------------------------------------------- */

static void check_info(struct mpl_dev *dev)
{
	size_t full = sizeof(struct mpool_info), v0 = MPOOL_INFO_SIZE_VER0;
	struct abi_seen seen = { 0 };
	struct mpool_info info;
	unsigned char *b;

	CHECK("1.0 program: mpl_info() succeeds and fills its struct",
	      abi_old_info(dev, &seen) == 0 && seen.api_version == MPOOL_API_VERSION);
	CHECK("1.0 program: mpl_info() writes nothing past its 64 bytes", seen.guard_ok);

	b = guarded(full);
	CHECK("mpl_info_size(first version) succeeds",
	      mpl_info_size(dev, (struct mpool_info *)b, v0) == 0);
	CHECK("mpl_info_size(first version) fills the first version",
	      all_are(b, 4, v0, FILL));
	CHECK("mpl_info_size(first version) writes nothing past it",
	      all_are(b, v0, full + GUARD_LEN, GUARD_BYTE));
	free(b);

	memset(&info, 0, sizeof(info));
	CHECK("mpl_info() (the macro) passes today's size: the user fields are filled",
	      mpl_info(dev, &info) == 0 && info.user_bytes == 0x5A5A5A5A5A5A5A5AULL);

	b = guarded(full + 16);
	CHECK("mpl_info_size(newer, longer caller) succeeds, tail zeroed",
	      mpl_info_size(dev, (struct mpool_info *)b, full + 16) == 0 &&
	      all_are(b, full, full + 16, 0) && all_are(b, full + 16, full + 16 + GUARD_LEN,
							 GUARD_BYTE));
	free(b);

	b = guarded(full);
	CHECK("mpl_info_size(below the first version) is -EINVAL and writes nothing",
	      mpl_info_size(dev, (struct mpool_info *)b, v0 - 8) == -EINVAL &&
	      all_are(b, 0, full + GUARD_LEN, GUARD_BYTE));
	free(b);
}

static void check_stats(struct mpl_pool *pool)
{
	size_t full = sizeof(struct mpool_pool_stats), v0 = MPOOL_POOL_STATS_SIZE_VER0;
	struct abi_seen seen = { 0 };
	struct mpool_pool_stats st;
	unsigned char *b;

	CHECK("1.0 program: mpl_pool_stats() succeeds",
	      abi_old_stats(pool, &seen) == 0 && seen.buf_count == 8);
	CHECK("1.0 program: mpl_pool_stats() writes nothing past its 104 bytes", seen.guard_ok);

	b = guarded(full);
	CHECK("mpl_pool_stats_size(first version) writes nothing past it",
	      mpl_pool_stats_size(pool, (struct mpool_pool_stats *)b, v0) == 0 &&
	      all_are(b, v0, full + GUARD_LEN, GUARD_BYTE));
	free(b);

	CHECK("mpl_pool_stats() (the macro) gets today's fields",
	      mpl_pool_stats(pool, &st) == 0 && st.fail_events == 0x5A5A5A5A5A5A5A5AULL);
}

static void check_counters(struct mpl_pool *pool)
{
	size_t full = sizeof(struct mpl_counters), v0 = MPL_COUNTERS_SIZE_VER0;
	struct abi_seen seen = { 0 };
	struct mpl_counters c;
	unsigned char *b;

	abi_old_counters(pool, &seen);
	CHECK("1.0 program: mpl_pool_counters() fills its struct", seen.lease_calls == 0);
	CHECK("1.0 program: mpl_pool_counters() writes nothing past its 48 bytes",
	      seen.guard_ok);

	b = guarded(full + 16);
	CHECK("mpl_pool_counters_size(first version) writes it all and nothing past it",
	      mpl_pool_counters_size(pool, (struct mpl_counters *)b, v0) == 0 &&
	      all_are(b, 0, v0, 0) && all_are(b, v0, full + 16 + GUARD_LEN, GUARD_BYTE));
	free(b);

	b = guarded(full + 16);
	CHECK("mpl_pool_counters_size(newer, longer caller) zeroes the tail only",
	      mpl_pool_counters_size(pool, (struct mpl_counters *)b, full + 16) == 0 &&
	      all_are(b, 0, full + 16, 0) &&
	      all_are(b, full + 16, full + 16 + GUARD_LEN, GUARD_BYTE));
	free(b);

	b = guarded(full);
	CHECK("mpl_pool_counters_size(too small) is -EINVAL and writes nothing",
	      mpl_pool_counters_size(pool, (struct mpl_counters *)b, v0 - 8) == -EINVAL &&
	      all_are(b, 0, full + GUARD_LEN, GUARD_BYTE));
	free(b);

	CHECK("mpl_pool_counters() (the macro) returns 0", mpl_pool_counters(pool, &c) == 0);
}

static void check_list_config_thresholds(struct mpl_dev *dev, struct mpl_pool *pool)
{
	size_t v0 = MPOOL_POOL_ENTRY_SIZE_VER0, full = sizeof(struct mpool_pool_config);
	size_t tsz = offsetof(struct mpl_thresholds, hysteresis);
	unsigned int count = 2, total = 0;
	struct mpl_thresholds *t;
	unsigned char *b;

	b = guarded(2 * v0);
	CHECK("mpl_pool_list(first-version entries) writes 2 entries and nothing past them",
	      mpl_pool_list(dev, (struct mpool_pool_entry *)b, v0, &count, &total) == 0 &&
	      count == 2 && total == 2 && all_are(b, 0, 2 * v0, FILL) &&
	      all_are(b, 2 * v0, 2 * v0 + GUARD_LEN, GUARD_BYTE));
	free(b);

	b = guarded(full);
	memset(b, 0, MPOOL_POOL_CONFIG_SIZE_VER0);
	CHECK("mpl_pool_configure(first version) writes nothing past it",
	      mpl_pool_configure(pool, (struct mpool_pool_config *)b,
				 MPOOL_POOL_CONFIG_SIZE_VER0) == 0 &&
	      all_are(b, MPOOL_POOL_CONFIG_SIZE_VER0, full + GUARD_LEN, GUARD_BYTE));
	free(b);

	/* A caller whose struct mpl_thresholds ended before hysteresis. */
	t = guarded(sizeof(*t));
	t->sz = tsz;
	CHECK("mpl_pool_get_thresholds(shorter sz) fills up to sz, keeps sz, nothing past",
	      mpl_pool_get_thresholds(pool, t) == 0 && t->sz == tsz &&
	      t->low_watermark == 0x5A5A5A5A &&
	      all_are(t, tsz, sizeof(*t) + GUARD_LEN, GUARD_BYTE));
	free(t);
}

static void check_events(void)
{
	size_t v0 = MPOOL_EVENT_SIZE_VER0;
	struct mpool_event ev[2];
	unsigned char *b;
	int p[2];

	if (pipe(p)) {
		perror("pipe");
		exit(2);
	}
	memset(ev, FILL, sizeof(ev));
	if (write(p[1], ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
		perror("write");
		exit(2);
	}
	b = guarded(2 * v0);
	CHECK("mpl_event_read(first-version records) reads 2, writes nothing past them",
	      mpl_event_read(p[0], (struct mpool_event *)b, v0, 2) == 2 &&
	      all_are(b, 0, 2 * v0, FILL) && all_are(b, 2 * v0, 2 * v0 + GUARD_LEN, GUARD_BYTE));
	CHECK("mpl_event_read(below the first version) is -EINVAL and writes nothing",
	      mpl_event_read(p[0], (struct mpool_event *)b, v0 - 8, 1) == -EINVAL &&
	      all_are(b, 2 * v0, 2 * v0 + GUARD_LEN, GUARD_BYTE));
	free(b);
	close(p[0]);
	close(p[1]);
}

static void check_version(void)
{
	unsigned int major = 99, minor = 99;
	const char *v = mpl_version(&major, &minor);
	char want[32];

	snprintf(want, sizeof(want), "%u.%u.", MPL_VERSION_MAJOR, MPL_VERSION_MINOR);
	CHECK("mpl_version() is the VERSION file's", !strcmp(v, ABI_VERSION));
	CHECK("mpl_version() agrees with MPL_VERSION_MAJOR/MINOR",
	      major == MPL_VERSION_MAJOR && minor == MPL_VERSION_MINOR &&
	      !strncmp(v, want, strlen(want)));
	CHECK("mpl_version(NULL, NULL) works", mpl_version(NULL, NULL) == v);
}

int main(void)
{
	struct mpl_pool *pool = NULL;
	struct mpl_dev *dev;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mpl_open("/dev/null", &dev)) {
		fprintf(stderr, "mpl_open(/dev/null) failed\n");
		return 2;
	}
	fake_fd = mpl_fd(dev);

	check_version();
	check_info(dev);
	CHECK("1.0 program: mpl_pool_create() with its struct mpl_pool_config",
	      abi_old_create(dev, "abi", &pool) == 0 && pool && mpl_pool_buf_count(pool) == 8);
	if (pool) {
		check_stats(pool);
		check_counters(pool);
		check_list_config_thresholds(dev, pool);
	}
	check_events();
	CHECK("the library's ioctls reached this program's fake", fake_calls >= 10);
	fake_fd = -1;
	mpl_close(dev);
	return failed;
}
