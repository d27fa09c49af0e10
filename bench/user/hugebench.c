// SPDX-License-Identifier: GPL-2.0
/*
 * Random 8-byte reads over 256 MiB of leased 2 MiB buffers: one pool
 * created with MPOOL_CREATE_F_HUGE (each buffer mapped by one PMD), one
 * without (512 PTEs per buffer), the same memory otherwise. The two are
 * measured in turns, round after round, so that whatever else slows the
 * machine down slows both.
 *
 *   mpool-hugebench READS ROUNDS
 *
 * Prints one line per pool and round:
 *   HUGEBENCH,<kernel>,<vcpus>,<mode>,<round>,<ns_per_read>,<prefault_faults>,<pmd_maps>
 * Under QEMU -icount shift=0 the guest clock counts instructions, so
 * ns_per_read is instructions per read there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempool.h>

#define BUF_SIZE	(2UL << 20)
#define NR_BUFS		128		/* 256 MiB */

struct subject {
	const char *mode;
	__u32 flags;
	struct mpool_pool_create c;
	uint8_t *map;
	long faults;
};

static void die(const char *what)
{
	printf("HUGEBENCH-ERROR,%s: %s\n", what, strerror(errno));
	exit(1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void setup(int fd, struct subject *s)
{
	struct mpool_lease l = { 0 };
	__u32 ids[NR_BUFS];
	long before;
	size_t off;

	memset(&s->c, 0, sizeof(s->c));
	snprintf(s->c.name, sizeof(s->c.name), "hb-%s", s->mode);
	s->c.engine = MPOOL_ENG_PERCPU;
	s->c.flags = s->flags;
	s->c.buf_size = BUF_SIZE;
	s->c.buf_count = NR_BUFS;
	if (ioctl(fd, MPOOL_IOC_POOL_CREATE, &s->c))
		die("POOL_CREATE");
	l.pool_id = s->c.pool_id;
	l.count = NR_BUFS;
	l.ids = (uintptr_t)ids;
	if (ioctl(fd, MPOOL_IOC_LEASE, &l))
		die("LEASE");
	s->map = mmap(NULL, s->c.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      (off_t)s->c.mmap_offset);
	if (s->map == MAP_FAILED)
		die("mmap");
	/* Map everything first: the reads measure TLB misses, not faults. */
	before = minflt();
	for (off = 0; off < s->c.mmap_len; off += 4096)
		s->map[off] = (uint8_t)off;
	s->faults = minflt() - before;
}

static __u64 pmd_maps(int fd, const struct subject *s)
{
	struct mpool_pool_stats st = { .pool_id = s->c.pool_id };

	if (ioctl(fd, MPOOL_IOC_POOL_STATS, &st))
		die("POOL_STATS");
	return st.pmd_maps;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* xorshift64: cheap, and the same sequence for both pools. */
static uint64_t reads(const uint8_t *map, uint64_t n, uint64_t *sum)
{
	const uint64_t words = (uint64_t)NR_BUFS * BUF_SIZE / 8;
	uint64_t x = 0x9e3779b97f4a7c15ULL, s = 0, t0, i;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s += *(const volatile uint64_t *)(map + (x % words) * 8);
	}
	*sum += s;
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	struct subject subj[] = {
		{ .mode = "pmd-2M", .flags = MPOOL_CREATE_F_HUGE },
		{ .mode = "pte-4K", .flags = 0 },
	};
	uint64_t n, sum = 0;
	struct utsname u;
	int fd, rounds, r;
	unsigned int i;

	if (argc != 3)
		return fprintf(stderr, "usage: %s READS ROUNDS\n", argv[0]), 2;
	n = strtoull(argv[1], NULL, 0);
	rounds = atoi(argv[2]);
	uname(&u);
	fd = open(MPOOL_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(MPOOL_DEVICE);
	for (i = 0; i < 2; i++)
		setup(fd, &subj[i]);
	for (r = 1; r <= rounds; r++) {
		for (i = 0; i < 2; i++) {
			uint64_t ns = reads(subj[i].map, n, &sum);

			printf("HUGEBENCH,%s,%ld,%s,%d,%.2f,%ld,%llu\n", u.release,
			       sysconf(_SC_NPROCESSORS_ONLN), subj[i].mode, r, (double)ns / n,
			       subj[i].faults, (unsigned long long)pmd_maps(fd, &subj[i]));
		}
	}
	/* Keeps the reads from being optimised away. */
	printf("HUGEBENCH-SUM,%llu\n", (unsigned long long)sum);
	return 0;
}
