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
#include <linux/io_uring.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define HUGE		(2UL << 20)
#define NBUF		2

FIXTURE(huge) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
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
	MP_SKIP_WITHOUT_DEVICE();
	self->page = mp_page();
	self->npages = HUGE / self->page;
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	if (!huge_supported(self->fd))
		SKIP(return, "no MPOOL_FEAT_HUGE");
	mp_name(self->name, "huge");
	ASSERT_EQ(0, mp_create_ex(self->fd, self->name, MPOOL_ENG_PERCPU, HUGE, NBUF,
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

/* Pages of [p, p + len) that have a page table entry (mincore()). */
static long mapped_pages(void *p, size_t len, long page)
{
	unsigned char vec[1024];
	size_t n = len / page, i;
	long sum = 0;

	if (n > sizeof(vec) || mincore(p, len, vec))
		return -1;
	for (i = 0; i < n; i++)
		sum += vec[i] & 1;
	return sum;
}

/* The pool is quiet and every buffer back: the header's invariants. */
static void expect_all_free(struct __test_metadata *_metadata, int fd, __u32 pool_id)
{
	struct mpool_pool_stats st;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_EQ(NBUF, st.nr_free);
	EXPECT_EQ(0, st.nr_leased + st.nr_exported + st.nr_quarantined);
	EXPECT_EQ(st.buf_count, st.nr_free + st.nr_leased + st.nr_exported + st.nr_quarantined);
	EXPECT_EQ(st.nr_leased + st.nr_exported, st.leases - st.releases);
}

/*
 * MADV_DONTNEED on a PMD-mapped buffer, whole and then one page of it (the
 * PMD goes whole): the next touch maps it again, the bytes unchanged. Once
 * released, no refault maps it: SIGBUS everywhere, also after another
 * DONTNEED.
 */
TEST_F(huge, dontneed_refault_then_release_sigbus)
{
	struct mpool_pool_stats st;
	__u32 id;
	char *b;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_EQ(0, madvise(b, HUGE, MADV_DONTNEED));
	ASSERT_EQ(0, mapped_pages(b, HUGE, self->page));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	ASSERT_EQ((long)self->npages, mapped_pages(b, HUGE, self->page));
	ASSERT_EQ(0, madvise(b + HUGE / 2, self->page, MADV_DONTNEED));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	stats(_metadata, self, &st);
	ASSERT_LE(2, st.pmd_maps);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(0, mapped_pages(b, HUGE, self->page));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2));
	ASSERT_EQ(0, madvise(b, HUGE, MADV_DONTNEED));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE - 1));
	ASSERT_EQ(SIGBUS, mp_write_byte(b + self->page, 1));
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * A page punched out of the middle of a PMD-mapped buffer (munmap splits
 * the VMA and the PMD): both halves still read the buffer; the release
 * revokes both; another session leasing it after never shows through
 * them.
 */
TEST_F(huge, partial_munmap_then_release_and_relet)
{
	struct mpool_pool_attach a;
	__u32 id, ids[NBUF];
	int other, i;
	char *b, *om;
	size_t off;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_EQ(0, munmap(b + HUGE / 2, self->page));
	ASSERT_EQ(SIGSEGV, mp_read_sig(b + HUGE / 2));
	ASSERT_TRUE(reads_back(b, HUGE / 2, self->page));
	for (off = HUGE / 2 + self->page; off < HUGE; off += self->page)
		ASSERT_EQ((char)(off / self->page + 1), b[off]);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE - 1));

	om = mp_second_session(self->name, &a, ids, NBUF, &other);
	ASSERT_NE(MAP_FAILED, om);
	for (i = 0; i < NBUF; i++) {
		ASSERT_TRUE(mp_all_zero(om + (size_t)ids[i] * HUGE, HUGE));
		memset(om + (size_t)ids[i] * HUGE, 0x5e, HUGE);
	}
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2 - 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2 + self->page));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE - 1));
	ASSERT_EQ(0, mp_release(other, a.pool_id, ids, NBUF));
	munmap(om, a.mmap_len);
	close(other);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * A PMD-mapped buffer moved by mremap(), to an address aligned to 2 MiB
 * (the PMD moves) and to a misaligned one (it is split, the next fault
 * maps PTEs): the bytes follow, and the release still revokes it where it
 * went.
 */
TEST_F(huge, mremap_aligned_and_misaligned)
{
	char *area, *aligned, *b, *to;
	int round;
	__u32 id;

	area = mmap(NULL, 6 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	aligned = (char *)(((unsigned long)area + HUGE - 1) / HUGE * HUGE);
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
		b = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
			 self->c.mmap_offset + (__u64)id * HUGE);
		ASSERT_NE(MAP_FAILED, b);
		ASSERT_EQ(1, touch(b, HUGE, self->page));
		/* Apart from each other and from any hole a round leaves. */
		to = aligned + round * 2 * HUGE + (round ? self->page : 0);
		ASSERT_EQ(to, mremap(b, HUGE, HUGE, MREMAP_MAYMOVE | MREMAP_FIXED, to));
		ASSERT_TRUE(reads_back(to, HUGE, self->page));
		((volatile char *)to)[HUGE - 1] = 0x11;
		ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
		ASSERT_EQ(SIGBUS, mp_read_sig(to));
		ASSERT_EQ(SIGBUS, mp_read_sig(to + HUGE - 1));
		/* Back to the reservation: no hole for the next mmap() to land in. */
		ASSERT_EQ(to, mmap(to, HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				   -1, 0));
	}
	munmap(area, 6 * HUGE);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * A huge buffer exported: the session's PMD goes, the dma-buf's mmap()
 * maps its 512 pages and reads the bytes; it imports back only once
 * unmapped, and the session's next fault maps a PMD again. Exported once
 * more, a page of it spliced into a pipe when the dma-buf goes: the
 * buffer is quarantined until the pipe lets go.
 */
TEST_F(huge, export_import_and_quarantine)
{
	struct mpool_pool_stats st;
	char got[64], *p, *b;
	struct iovec iov;
	int dfd, pfd[2];
	__u32 id, back;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
	ASSERT_EQ(0, mapped_pages(b, HUGE, self->page));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2));
	p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(reads_back(p, HUGE, self->page));
	p[HUGE - 1] = 0x42;
	ASSERT_EQ(-EBUSY, mp_import(self->fd, self->c.pool_id, dfd, &back));
	ASSERT_EQ(0, munmap(p, HUGE));
	ASSERT_EQ(0, mp_import(self->fd, self->c.pool_id, dfd, &back));
	ASSERT_EQ(id, back);
	ASSERT_EQ(0, close(dfd));
	ASSERT_TRUE(reads_back(b, HUGE - self->page, self->page));
	ASSERT_EQ(0x42, b[HUGE - 1]);
	stats(_metadata, self, &st);
	ASSERT_EQ(2, st.pmd_maps);
	ASSERT_EQ(1, st.nr_leased);
	ASSERT_EQ(0, st.nr_exported);

	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
	p = mmap(NULL, HUGE, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = p + HUGE - sizeof(got);
	iov.iov_len = sizeof(got);
	ASSERT_EQ(sizeof(got), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, munmap(p, HUGE));
	ASSERT_EQ(0, close(dfd));
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(0, st.nr_exported);
	ASSERT_EQ(NBUF - 1, st.nr_free);
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	ASSERT_EQ(0x42, got[sizeof(got) - 1]);
	close(pfd[0]);
	close(pfd[1]);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * madvise(MADV_DOFORK) lets a child inherit a PMD-mapped buffer; the
 * parent's release revokes the child's view too, and the next lessee's
 * bytes never show through it.
 */
TEST_F(huge, dofork_child_revoked_at_release)
{
	int to_child[2], to_parent[2], other;
	struct mpool_pool_attach a;
	__u32 id, ids[NBUF];
	char *b, *om, c = 0;
	pid_t pid;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	ASSERT_EQ(0, madvise(self->map, self->c.mmap_len, MADV_DOFORK));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ret = 0;

		if (!reads_back(b, HUGE, self->page))
			ret |= 1;
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(64);
		/* Released by the parent (the same session). */
		if (mp_read_sig(b) != SIGBUS || mp_read_sig(b + HUGE - 1) != SIGBUS)
			ret |= 2;
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(64);
		/* Leased by another session, written 0x77 all over. */
		if (mp_read_sig(b) != SIGBUS || mp_read_sig(b + HUGE / 2) != SIGBUS)
			ret |= 4;
		_exit(ret);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	om = mp_second_session(self->name, &a, ids, NBUF, &other);
	ASSERT_NE(MAP_FAILED, om);
	memset(om, 0x77, a.mmap_len);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(0, mp_wait(pid));
	ASSERT_EQ(0, mp_release(other, a.pool_id, ids, NBUF));
	munmap(om, a.mmap_len);
	close(other);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * Read-only first (the fault maps a read-only PMD), then made writable by
 * mprotect(): the write lands in the buffer, and the release revokes
 * whatever the write fault left (a PMD or PTEs).
 */
TEST_F(huge, mprotect_readonly_then_writable)
{
	__u32 id;
	char *b;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(0, mprotect(self->map, self->c.mmap_len, PROT_READ));
	ASSERT_TRUE(mp_all_zero(b, HUGE));
	ASSERT_EQ(SIGSEGV, mp_write_byte(b, 1));
	ASSERT_EQ(0, mprotect(self->map, self->c.mmap_len, PROT_READ | PROT_WRITE));
	touch(b, HUGE, self->page);
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	/* Half read-only again: the PMD splits. */
	ASSERT_EQ(0, mprotect(b, HUGE / 2, PROT_READ));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));
	ASSERT_EQ(SIGSEGV, mp_write_byte(b, 1));
	ASSERT_EQ(0, mp_write_byte(b + HUGE / 2, (char)(HUGE / 2 / self->page + 1)));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(b + HUGE / 2));
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * A mapping that starts one page into buffer 0 and covers buffer 1 whole:
 * with only one of them leased, a fault maps that one (buffer 0 with
 * PTEs, the VMA does not cover its 2 MiB; buffer 1 with a PMD) and never
 * a page of the other, which raises SIGBUS.
 */
TEST_F(huge, fault_around_stops_at_the_buffer)
{
	const size_t len = 2 * HUGE - self->page;
	__u32 ids[NBUF], keep, other;
	char *w, *b0, *b1;
	int round;

	w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 self->c.mmap_offset + self->page);
	ASSERT_NE(MAP_FAILED, w);
	b0 = w;				/* buffer 0 from its second page */
	b1 = w + HUGE - self->page;	/* buffer 1 */
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, NBUF));
		keep = round;
		other = 1 - keep;
		/* NBUF is 2: the session holds buffers 0 and 1; keep one. */
		ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &other, 1));
		if (!keep) {
			((volatile char *)b0)[HUGE / 2] = 1;
			ASSERT_EQ((long)(HUGE / self->page - 1),
				  mapped_pages(b0, HUGE - self->page, self->page));
			ASSERT_EQ(0, mapped_pages(b1, HUGE, self->page));
			ASSERT_EQ(SIGBUS, mp_read_sig(b1));
			ASSERT_EQ(SIGBUS, mp_read_sig(b1 + HUGE - 1));
		} else {
			((volatile char *)b1)[0] = 1;
			ASSERT_EQ((long)(HUGE / self->page), mapped_pages(b1, HUGE, self->page));
			ASSERT_EQ(0, mapped_pages(b0, HUGE - self->page, self->page));
			ASSERT_EQ(SIGBUS, mp_read_sig(b0));
			ASSERT_EQ(SIGBUS, mp_read_sig(b0 + HUGE - self->page - 1));
		}
		ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &keep, 1));
		ASSERT_EQ(0, mapped_pages(w, len, self->page));
	}
	munmap(w, len);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

/*
 * A long-term pin through the PMD (an io_uring fixed-buffer registration,
 * FOLL_LONGTERM) outlives the release: the buffer is quarantined, another
 * session cannot lease it, and it comes back zeroed once unregistered.
 */
TEST_F(huge, io_uring_registration_quarantines)
{
	struct io_uring_params params = {};
	struct mpool_pool_stats st;
	struct mpool_pool_attach a;
	__u32 id, ids[NBUF];
	struct iovec iov;
	int ring, other;
	char *b, *om;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	b = self->map + (size_t)id * HUGE;
	memset(b, 0x4b, HUGE);
	ring = syscall(__NR_io_uring_setup, 1, &params);
	if (ring < 0)
		SKIP(return, "io_uring_setup: %s", strerror(errno));
	iov.iov_base = b;
	iov.iov_len = HUGE;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1)) {
		close(ring);
		SKIP(return, "IORING_REGISTER_BUFFERS: %s", strerror(errno));
	}
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	stats(_metadata, self, &st);
	ASSERT_EQ(1, st.nr_quarantined);
	ASSERT_EQ(NBUF - 1, st.nr_free);

	other = mp_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, mp_attach(other, self->name, &a));
	om = mp_map(other, a.mmap_offset, a.mmap_len);
	ASSERT_NE(MAP_FAILED, om);
	ASSERT_EQ(-EAGAIN, mp_lease(other, a.pool_id, ids, NBUF));
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0));
	ASSERT_EQ(0, close(ring));
	/* The unpin may trail the unregistration: wait for the quarantine to let go. */
	ASSERT_EQ(0, mp_lease_ex(other, a.pool_id, ids, NBUF, MPOOL_LEASE_F_WAIT,
				 2000000000ULL));
	ASSERT_TRUE(mp_all_zero(om + (size_t)id * HUGE, HUGE));
	ASSERT_EQ(0, mp_release(other, a.pool_id, ids, NBUF));
	munmap(om, a.mmap_len);
	close(other);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
}

#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

/* Every advice a user may give a mapping of someone's pages: results ignored. */
static void madvise_everything(char *p, size_t len)
{
	static const int advice[] = {
		MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_SEQUENTIAL, MADV_RANDOM,
		MADV_NORMAL, MADV_FREE, MADV_COLLAPSE, MADV_HUGEPAGE, MADV_MERGEABLE,
		MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_REMOVE,
	};
	unsigned int i;

	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		madvise(p, len, advice[i]);
		/* Part of a PMD too: the kernel would split it. */
		madvise(p + len / 2, len / 4, advice[i]);
	}
}

/*
 * Hostile madvise() on a buffer of 512 pages in one compound page, mapped
 * by a PMD, by PTEs (a misaligned mapping), and through its dma-buf:
 * MADV_COLD and MADV_PAGEOUT try to lock, split and isolate it, and the
 * rest do what they do. The bytes stay, no reference is left behind (the
 * buffer comes back, not quarantined), and a buffer not leased is not
 * populated (EFAULT).
 */
TEST_F(huge, madvise_everything_on_a_huge_buffer)
{
	char *area, *mis, *b, *p;
	__u32 id, unleased;
	int dfd;

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));
	unleased = !id;
	b = self->map + (size_t)id * HUGE;
	ASSERT_EQ(1, touch(b, HUGE, self->page));
	madvise_everything(b, HUGE);
	ASSERT_TRUE(reads_back(b, HUGE, self->page));

	area = mmap(NULL, 2 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	mis = (char *)(((unsigned long)area + HUGE - 1) / HUGE * HUGE) + self->page;
	ASSERT_EQ(mis, mmap(mis, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			    self->fd, self->c.mmap_offset + (__u64)id * HUGE));
	ASSERT_TRUE(reads_back(mis, HUGE, self->page));
	madvise_everything(mis, HUGE);
	ASSERT_TRUE(reads_back(mis, HUGE, self->page));
	ASSERT_TRUE(reads_back(b, HUGE, self->page));

	/* Not leased: nothing to populate. */
	ASSERT_EQ(-1, madvise(self->map + (size_t)unleased * HUGE, HUGE, MADV_POPULATE_READ));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, madvise(self->map + (size_t)unleased * HUGE, HUGE, MADV_POPULATE_WRITE));
	ASSERT_EQ(EFAULT, errno);

	ASSERT_EQ(0, mp_export(self->fd, self->c.pool_id, id, 0, &dfd));
	ASSERT_EQ(SIGBUS, mp_read_sig(mis + HUGE / 2));
	p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	madvise_everything(p, HUGE);
	ASSERT_TRUE(reads_back(p, HUGE, self->page));
	ASSERT_EQ(0, munmap(p, HUGE));
	ASSERT_EQ(0, close(dfd));
	ASSERT_EQ(SIGBUS, mp_read_sig(b));
	ASSERT_EQ(SIGBUS, mp_read_sig(mis));
	munmap(area, 2 * HUGE);
	expect_all_free(_metadata, self->fd, self->c.pool_id);
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
