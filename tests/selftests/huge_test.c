// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pools (MPOOL_CREATE_F_HUGE): a 2 MiB buffer is mapped by one PMD,
 * which one minor fault fills and smaps shows as no 4 KiB page; revoked at
 * release (SIGBUS), zeroed for the next lessee, quarantined while pinned,
 * open to O_DIRECT;
 * the PTE fallbacks counted, each with its reason; sizes refused.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define HUGE		(2UL << 20)
#define NBUF		2

FIXTURE(huge) {
	int fd;
	struct mpool_pool_create c;
	char *map;
	long page;
	size_t npages;
};

static bool huge_supported(int fd)
{
	struct mpool_info info;

	return !mp_info(fd, &info) && (info.features & MPOOL_FEAT_HUGE);
}

FIXTURE_SETUP(huge)
{
	char name[MPOOL_POOL_NAME_MAX];

	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->npages = HUGE / self->page;
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	if (!huge_supported(self->fd))
		SKIP(return, "no MPOOL_FEAT_HUGE");
	mp_name(name, "huge");
	ASSERT_EQ(0, mp_create_ex(self->fd, name, MPOOL_ENG_PERCPU, HUGE, NBUF,
				  MPOOL_CREATE_F_HUGE, MPOOL_ACCESS_OWNER, &self->c));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, self->c.mmap_len);
	if (self->fd >= 0) {
		mp_destroy(self->fd, self->c.pool_id);
		close(self->fd);
	}
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Write a byte to every page of [p, p + len): the faults that took. */
static long touch(char *p, size_t len, long page)
{
	long before = minflt();
	size_t off;

	for (off = 0; off < len; off += page)
		((volatile char *)p)[off] = (char)(off / page + 1);
	return minflt() - before;
}

static bool reads_back(const char *p, size_t len, long page)
{
	size_t off;

	for (off = 0; off < len; off += page) {
		if (p[off] != (char)(off / page + 1))
			return false;
	}
	return true;
}

/*
 * Rss minus FilePmdMapped of the VMA at @addr, in kB: the 4 KiB pages
 * mapped there. A PMD of ours is FilePmdMapped where the kernel counts it
 * (6.1) and not counted at all where it is special (6.12); pages the
 * fault handler mapped one by one are Rss on both. FilePmdMapped goes
 * to *@pmd_kb if not NULL.
 */
static long smaps_pte_kb(void *addr, long *pmd_kb)
{
	unsigned long start, end, a = (unsigned long)addr;
	long rss = -1, pmd = -1, v;
	bool in = false;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			if (in)
				break;
			in = a >= start && a < end;
		} else if (in && sscanf(line, "Rss: %ld kB", &v) == 1) {
			rss = v;
		} else if (in && sscanf(line, "FilePmdMapped: %ld kB", &v) == 1) {
			pmd = v;
		}
	}
	fclose(f);
	if (pmd_kb)
		*pmd_kb = pmd;
	return rss < 0 || pmd < 0 ? -1 : rss - pmd;
}

static void stats(struct __test_metadata *_metadata, FIXTURE_DATA(huge) *self,
		  struct mpool_pool_stats *st)
{
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, st));
}

TEST_F(huge, one_pmd_one_fault)
{
	struct mpool_pool_stats st;
	long pmd_kb;
	__u32 id;
	char *b;

	ASSERT_EQ(0, (unsigned long)self->map % HUGE);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	/* 512 pages, one fault: the rest were mapped by the same PMD. */
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	ASSERT_EQ(0, smaps_pte_kb(b, &pmd_kb));
	TH_LOG("smaps FilePmdMapped: %ld kB", pmd_kb);
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.pmd_maps);
	ASSERT_EQ(0, st.pte_misaligned + st.pte_disabled + st.pte_other);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
}

TEST_F(huge, revoked_and_zeroed)
{
	struct mpool_pool_stats st;
	__u32 id, ids[NBUF];
	char *b;
	int i;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	memset(b, 0x5a, HUGE);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	/* The PMD is gone: every page of the buffer raises SIGBUS. */
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE - 1));
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.nr_quarantined);

	/* Whichever buffer comes next, it reads as zeros, through a new PMD. */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++)
		ASSERT_TRUE(mp_all_zero(self->map + (size_t)ids[i] * HUGE, HUGE));
	stats(_metadata, self, &st);
	ASSERT_EQ(1 + NBUF, st.pmd_maps);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
}

/* A pinned buffer is quarantined at release until the pin goes. */
TEST_F(huge, pinned_buffer_quarantined)
{
	struct mpool_pool_stats st;
	char got[64], want[64];
	struct iovec iov;
	__u32 id;
	int pfd[2];
	char *b;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	memset(b, 0x6d, HUGE);
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.pmd_maps);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = b + HUGE - sizeof(got);
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(NBUF - 1, st.nr_free);

	/* The pipe still reads what the lessee wrote, then lets go. */
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	memset(want, 0x6d, sizeof(want));
	ASSERT_EQ(0, memcmp(got, want, sizeof(got)));
	close(pfd[0]);
	close(pfd[1]);
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.nr_quarantined);
	ASSERT_EQ(NBUF, st.nr_free);
}

/*
 * O_DIRECT both ways through the PMD: get_user_pages() reads the buffer
 * for a write to a ram disk and writes it for the read back.
 */
TEST_F(huge, o_direct_through_pmd)
{
	const size_t len = 64 << 10;
	struct mpool_pool_stats st;
	__u32 id;
	char *b;
	int rd;

	rd = open("/dev/ram15", O_RDWR | O_DIRECT);
	if (rd < 0)
		SKIP(return, "no /dev/ram15 (brd)");
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	memset(b, 0x3c, len);
	ASSERT_EQ((ssize_t)len, pwrite(rd, b, len, 0));
	ASSERT_EQ((ssize_t)len, pread(rd, b + HUGE - len, len, 0));
	ASSERT_EQ(0, memcmp(b, b + HUGE - len, len));
	close(rd);
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.pmd_maps);
	ASSERT_EQ(0, st.pte_misaligned + st.pte_disabled + st.pte_other);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.nr_quarantined);
}

/* A mapping whose address is not congruent with its offset gets PTEs. */
TEST_F(huge, misaligned_mapping_falls_back)
{
	struct mpool_pool_stats st;
	char *area, *b;
	__u32 id;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	area = mmap(NULL, 2 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	b = (char *)(((unsigned long)area + HUGE - 1) / HUGE * HUGE) + self->page;
	ASSERT_EQ(b, mmap(b, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			  self->fd, self->c.mmap_offset + (__u64)id * HUGE));
	/* One fault still: it maps all 512 PTEs. */
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	ASSERT_EQ((long)(HUGE >> 10), smaps_pte_kb(b, NULL));
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.pmd_maps);
	ASSERT_EQ(1, st.pte_misaligned);
	ASSERT_EQ(0, st.pte_disabled + st.pte_other);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2));
	munmap(area, 2 * HUGE);
}

/* MADV_NOHUGEPAGE turns PMDs off for the VMA: PTEs, counted as disabled. */
TEST_F(huge, nohugepage_falls_back)
{
	struct mpool_pool_stats st;
	__u32 id, ids[NBUF];
	char *b;
	int i;

	ASSERT_EQ(0, madvise(self->map, self->c.mmap_len, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
	for (i = 0; i < NBUF; i++) {
		b = self->map + (size_t)ids[i] * HUGE;
		ASSERT_EQ(1, touch(b, HUGE, self->page));
		/* The VMA spans the pool's window: every buffer touched so far. */
		ASSERT_EQ((long)(i + 1) * (long)(HUGE >> 10), smaps_pte_kb(b, NULL));
	}
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.pmd_maps);
	ASSERT_EQ(NBUF, st.pte_disabled);
	ASSERT_EQ(0, st.pte_misaligned + st.pte_other);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, NBUF));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));

	/*
	 * Back on, the range keeps the page table its PTEs left: PTEs again,
	 * for another reason. A new mapping of the buffer gets its PMD.
	 */
	ASSERT_EQ(0, madvise(self->map, self->c.mmap_len, MADV_HUGEPAGE));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, self->page, self->page));
	stats(_metadata, self, &st);
	ASSERT_EQ(0, st.pmd_maps);
	ASSERT_EQ(1, st.pte_other);
	ASSERT_EQ(0, munmap(self->map, self->c.mmap_len));
	self->map = mp_map(self->fd, self->c.mmap_offset, self->c.mmap_len);
	ASSERT_NE(MAP_FAILED, self->map);
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_EQ(0, smaps_pte_kb(b, NULL));
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.pmd_maps);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
}

TEST(huge_sizes)
{
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	char name[MPOOL_POOL_NAME_MAX];
	long page = mp_page();
	size_t len = 2 * HUGE;
	__u32 id;
	char *m;
	int fd;

	MP_SKIP_WITHOUT_DEVICE();
	fd = mp_open();
	ASSERT_LE(0, fd);
	if (!huge_supported(fd))
		SKIP(return, "no MPOOL_FEAT_HUGE");
	mp_name(name, "hsz");
	ASSERT_EQ(-EINVAL, mp_create_ex(fd, name, MPOOL_ENG_RING, page, 1,
					MPOOL_CREATE_F_HUGE, MPOOL_ACCESS_OWNER, NULL));
	ASSERT_EQ(-EINVAL, mp_create_ex(fd, name, MPOOL_ENG_RING, HUGE + HUGE / 2, 1,
					MPOOL_CREATE_F_HUGE, MPOOL_ACCESS_OWNER, NULL));

	/*
	 * A 4 MiB buffer: two PMDs where the kernel has a special PMD bit
	 * (6.12); the first 2 MiB by PMD, the rest by PTE on 6.1 (compat.h).
	 */
	ASSERT_EQ(0, mp_create_ex(fd, name, MPOOL_ENG_RING, len, 1, MPOOL_CREATE_F_HUGE,
				  MPOOL_ACCESS_OWNER, &c));
	m = mp_map(fd, c.mmap_offset, c.mmap_len);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, &id, 1));
	touch(m, len, page);
	ASSERT_TRUE(reads_back(m, len, page));
	ASSERT_EQ(0, mp_stats(fd, c.pool_id, &st));
	ASSERT_EQ(0, st.pte_misaligned + st.pte_disabled);
	if (st.pmd_maps == 1) {
		ASSERT_EQ(1, st.pte_other);
	} else {
		ASSERT_EQ(2, st.pmd_maps);
	}
	ASSERT_EQ(0, mp_release(fd, c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(m + len - 1));
	ASSERT_EQ(0, mp_lease(fd, c.pool_id, &id, 1));
	ASSERT_TRUE(mp_all_zero(m, len));
	ASSERT_EQ(0, mp_release(fd, c.pool_id, &id, 1));
	munmap(m, c.mmap_len);
	ASSERT_EQ(0, mp_destroy(fd, c.pool_id));
	close(fd);
}

TEST_HARNESS_MAIN
