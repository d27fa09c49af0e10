// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping buffers into userspace, and taking them away again.
 *
 * mmap() only checks the range and sets the VMA up: no page is mapped
 * then. Pages are inserted by the fault handler, and only if the session
 * holds a lease on their buffer at that moment; any other page of the
 * range raises SIGBUS. vmf_insert_page() takes a reference on the page
 * for as long as it stays mapped, so a page can never be freed under a
 * mapping, whatever happens to its pool.
 *
 * A fault maps the whole buffer around it, as far as the VMA reaches (at
 * most 2 MiB of it, the PMD-aligned stretch holding the faulting page),
 * not the faulting page alone: a buffer is leased, filled and read whole,
 * and a fault costs thousands of instructions. That is as safe as mapping
 * one page because the lease is per buffer: every page inserted was
 * checked against the same leased bit, under att->lock, which the release
 * clears before it zaps, and the zap (below) covers the whole buffer, so
 * a page mapped ahead of its first touch goes with the rest.
 *
 * A huge pool's buffers (MPOOL_F_HUGE: compound pages) are mapped 2 MiB at
 * a time by one PMD, vmf_insert_pfn_pmd(), where the VMA allows: the only
 * way a module can map a PMD on both 6.1 and 6.12. Such a PMD holds no
 * page reference (6.12 marks it special). None is needed: it maps only a
 * buffer under lease, and a lease ends by zapping it (below) or with the
 * session, which outlives every mapping. get_user_pages() through it
 * counts its references on the compound head, where the quarantine looks.
 * The VMA stays VM_MIXEDMAP, as for every pool: the pages a fault maps
 * with PTEs are still referenced by their mapping, and get_user_pages()
 * works through both kinds of entry (VM_PFNMAP would refuse it all). The
 * PMD is inserted from ->fault, not ->huge_fault: for such a VMA both
 * kernels call ->huge_fault only while THP is enabled system-wide (sysfs
 * "always", or "madvise" and MADV_HUGEPAGE; 6.1 perhaps not at all, see
 * its hugepage_vma_check()), and a pool created huge should not depend on
 * that.
 *
 * Revocation zaps the released buffers' PTEs in the file's address space.
 * Every attachment owns a window of offsets no other attachment (of any
 * session) uses, so the zap reaches exactly the session's own mappings of
 * those buffers, in every process that maps the session.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/sched/coredump.h>

#include "compat.h"
#include "session.h"
#include "upool.h"

/* Pages one PMD maps. */
#define MPOOL_PMD_PAGES		(PMD_SIZE >> PAGE_SHIFT)

/*
 * At most this many pages (the 2 MiB one PMD would map) per fault: the
 * handler holds att->lock throughout and cannot reschedule while it
 * inserts, and a buffer larger than that is not touched whole at once.
 */
#define MPOOL_FAULT_AROUND	MPOOL_PMD_PAGES

/*
 * Whether the 2 MiB around @vmf can be one PMD of its VMA: the VMA covers
 * it, at an address congruent with the offset (a huge pool's buffers, and
 * so each 2 MiB of them, start at offsets that are multiples of 2 MiB),
 * and THP is not off for it. Return: MPOOL_MAP_PMD, or why not.
 */
static enum mpool_map mpool_pmd_fit(const struct vm_fault *vmf)
{
	const struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;

	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end ||
	    ((vmf->address >> PAGE_SHIFT) - vmf->pgoff) % MPOOL_PMD_PAGES)
		return MPOOL_MAP_PTE_MISALIGNED;
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) || !has_transparent_hugepage() ||
	    (vma->vm_flags & VM_NOHUGEPAGE) ||
	    test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags))
		return MPOOL_MAP_PTE_DISABLED;
	return MPOOL_MAP_PMD;
}

/*
 * Map the 2 MiB of a huge pool's buffer around the fault with one PMD.
 * Only this handler, under att->lock with the buffer leased, fills the
 * VMA's page tables there, and a zap comes only after the lease ends: the
 * PMD read here stays what it is until the insertion.
 *
 * Return: VM_FAULT_NOPAGE (mapped, now or by a fault that came first), an
 * error, or 0 to map with PTEs (mpool_fault_around()).
 */
static vm_fault_t mpool_fault_pmd(struct vm_fault *vmf, struct mpool_att *att,
				  u32 idx, u32 pg)
{
	struct page *page = mpool_upool_page(att->up, idx, pg & ~(MPOOL_PMD_PAGES - 1));
	struct folio *folio = page_folio(page);
	pmd_t pmd = READ_ONCE(*vmf->pmd);
	enum mpool_map how;

	/* Not a huge pool. */
	if (!folio_test_large(folio))
		return 0;
	if (pmd_trans_huge(pmd))
		return VM_FAULT_NOPAGE;
	how = mpool_pmd_fit(vmf);
	/* A page table left from PTEs mapped here before, or 6.1 (compat.h). */
	if (how == MPOOL_MAP_PMD &&
	    (!pmd_none(pmd) || (!MPOOL_PMD_MAPS_TAIL && page != &folio->page)))
		how = MPOOL_MAP_PTE_OTHER;
	mpool_upool_count_map(att->up, how);
	if (how != MPOOL_MAP_PMD)
		return 0;
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(page_to_pfn(page)),
				  vmf->vma->vm_flags & VM_WRITE);
}

/*
 * Map the faulting page @pg of leased buffer @idx, then the others of its
 * MPOOL_FAULT_AROUND-aligned stretch that the VMA covers. A page mapped
 * already (by a racing fault in another thread) is not an error:
 * vmf_insert_page() returns VM_FAULT_NOPAGE for it too. Only the faulting
 * page's result matters; any other failure (no memory for a page table)
 * just ends the prefault, the next fault there will retry it.
 *
 * Return: what inserting the faulting page returned.
 */
static vm_fault_t mpool_fault_around(struct vm_fault *vmf, struct mpool_att *att,
				     u32 idx, u32 pg)
{
	struct vm_area_struct *vma = vmf->vma;
	u32 first = pg & ~(MPOOL_FAULT_AROUND - 1);
	u32 end = min_t(u32, first + MPOOL_FAULT_AROUND, att->buf_pages);
	unsigned long addr, before, after;
	vm_fault_t ret;
	u32 i;

	ret = vmf_insert_page(vma, vmf->address, mpool_upool_page(att->up, idx, pg));
	if (ret != VM_FAULT_NOPAGE)
		return ret;
	/* Bound the stretch by the VMA: it may map only part of the buffer. */
	before = (vmf->address - vma->vm_start) >> PAGE_SHIFT;
	after = (vma->vm_end - vmf->address) >> PAGE_SHIFT;
	if (before < pg - first)
		first = pg - before;
	if (after < end - pg)
		end = pg + after;
	for (i = first; i < end; i++) {
		if (i == pg)
			continue;
		addr = vmf->address + ((long)i - (long)pg) * (long)PAGE_SIZE;
		if (vmf_insert_page(vma, addr, mpool_upool_page(att->up, idx, i)) !=
		    VM_FAULT_NOPAGE)
			break;
	}
	return ret;
}

static vm_fault_t mpool_vm_fault(struct vm_fault *vmf)
{
	struct mpool_att *att = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long off;
	u32 idx, pg;

	/*
	 * mmap() checked the range and the VMA cannot grow, but a fault is
	 * cheap to check again and a stray offset here would map another
	 * buffer's page (CVE-2023-2008).
	 */
	if (vmf->pgoff < att->base_pgoff)
		return VM_FAULT_SIGBUS;
	off = vmf->pgoff - att->base_pgoff;
	if (off >= att->npages)
		return VM_FAULT_SIGBUS;
	idx = off / att->buf_pages;
	pg = off % att->buf_pages;

	mutex_lock(&att->lock);
	if (test_bit(idx, att->leased)) {
		ret = mpool_fault_pmd(vmf, att, idx, pg);
		if (!ret)
			ret = mpool_fault_around(vmf, att, idx, pg);
	}
	mutex_unlock(&att->lock);
	return ret;
}

static const struct vm_operations_struct mpool_vm_ops = {
	.fault = mpool_vm_fault,
};

/**
 * mpool_vma_check() - what every mapping of pool pages must be
 * @vma: a VMA being set up by an mmap() handler
 *
 * Shared, since a private mapping would COW pool pages into anonymous
 * memory, and never executable.
 *
 * Return: 0, -EINVAL (not MAP_SHARED) or -EPERM (executable).
 */
int mpool_vma_check(const struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	return 0;
}

/**
 * mpool_mmap() - map (part of) one pool's window of a session
 * @file: the session's file
 * @vma: the new VMA; vm_pgoff is the cookie from create or attach, plus
 *	any page offset into the window
 *
 * Return: 0, -EINVAL (not MAP_SHARED, range outside one attached pool) or
 * -EPERM (executable).
 */
int mpool_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mpool_session *sess = file->private_data;
	unsigned long id = vma->vm_pgoff >> MPOOL_MMAP_PGOFF_SHIFT;
	unsigned long off, npages = vma_pages(vma);
	struct mpool_att *att;
	int err;

	err = mpool_vma_check(vma);
	if (err)
		return err;
	if (id > MPOOL_ATT_ID_MAX)
		return -EINVAL;
	att = mpool_session_att(sess, id);
	if (!att)
		return -EINVAL;
	off = vma->vm_pgoff - att->base_pgoff;
	if (off >= att->npages || npages > att->npages - off)
		return -EINVAL;

	/*
	 * MIXEDMAP now, so that vm_insert_page() in the fault handler need
	 * not set it (that would need the mmap lock held for writing); not
	 * executable, ever; no growing (mremap), no core dumps; not copied
	 * into a child on fork, which has the session through the file and
	 * can map it again.
	 */
	mpool_vm_flags_mod(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY,
			   VM_MAYEXEC);
	vma->vm_ops = &mpool_vm_ops;
	vma->vm_private_data = att;

	mutex_lock(&att->lock);
	att->mapped = true;
	mutex_unlock(&att->lock);
	return 0;
}

/**
 * mpool_revoke() - zap the session's mappings of some buffers
 * @att: the attachment
 * @ids: buffer ids whose leased bits the caller has cleared
 * @n: how many
 *
 * Context: process context; not under @att->lock (the zap takes the
 * mapping's i_mmap lock and page table locks).
 */
void mpool_revoke(struct mpool_att *att, const u32 *ids, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		pgoff_t pgoff = att->base_pgoff + (pgoff_t)ids[i] * att->buf_pages;

		unmap_mapping_range(att->sess->mapping, (loff_t)pgoff << PAGE_SHIFT,
				    (loff_t)att->buf_pages << PAGE_SHIFT, 1);
	}
}
