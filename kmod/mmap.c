// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping buffers into userspace, and taking them away again.
 *
 * mmap() only checks the range and sets the VMA up: no page is mapped
 * then. Each page is inserted by the fault handler, and only if the
 * session holds a lease on its buffer at that moment; any other page of
 * the range raises SIGBUS. vmf_insert_page() takes a reference on the page
 * for as long as it stays mapped, so a page can never be freed under a
 * mapping, whatever happens to its pool.
 *
 * Revocation zaps the released buffers' PTEs in the file's address space.
 * Every attachment owns a window of offsets no other attachment (of any
 * session) uses, so the zap reaches exactly the session's own mappings of
 * those buffers, in every process that maps the session.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "session.h"
#include "upool.h"

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
	if (test_bit(idx, att->leased))
		ret = vmf_insert_page(vmf->vma, vmf->address,
				      mpool_upool_page(att->up, idx, pg));
	mutex_unlock(&att->lock);
	return ret;
}

static const struct vm_operations_struct mpool_vm_ops = {
	.fault = mpool_vm_fault,
};

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

	/* Private mappings would COW pool pages into anonymous memory. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
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
