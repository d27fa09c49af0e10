// SPDX-License-Identifier: GPL-2.0
/*
 * A leased buffer leaves the session as a dma-buf, and may come back: the
 * EXPORT and IMPORT ioctls, and the dma-buf's exporter side.
 *
 * Ownership. Exactly one holder has a buffer at any moment: the session
 * that leased it, or the dma-buf exported from it (struct mpool_xbuf,
 * while @owned). Export moves the lease, charges and all (upool.h), and
 * revokes the session's mappings; the buffer's bytes stay. The dma-buf
 * gives it back to the pool when its last reference goes: every importer
 * holds one while attached, every mmap holds the file, so by then no
 * device can reach the pages through an attachment and no CPU through a
 * mapping. Import moves it back into a session, only when nothing but the
 * caller's descriptor can reach the dma-buf.
 *
 * Locking. The dma-buf core calls map_dma_buf and vmap with the
 * reservation lock held on 6.2 and later (6.1: without it, or with
 * dmabuf->lock for vmap), and mmap under the mmap lock. @lock nests inside
 * all of them and is never held across anything that takes one of them:
 * the import ioctl copies out with it dropped.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "ioctl.h"
#include "session.h"
#include "upool.h"

MODULE_IMPORT_NS(DMA_BUF);

/* One exported buffer: the dma-buf's priv. */
struct mpool_xbuf {
	struct mpool_upool *up;		/* a reference, while @owned */
	struct mpool_user *user;	/* charged with the lease, while @owned */
	u32 idx;
	u32 npages;
	bool rdonly;

	/* Serializes ownership against attach, vmap, mmap and CPU access. */
	struct mutex lock;
	bool owned;			/* the dma-buf holds the buffer */
	struct list_head attachments;	/* struct mpool_xbuf_att */
	unsigned int vmap_count;
	void *vaddr;

	struct page *pages[] __counted_by(npages);
};

/* One importer's view: its own sg_table, mapped for its device. */
struct mpool_xbuf_att {
	struct list_head node;
	struct device *dev;
	struct sg_table table;
	bool mapped;
};

static int mpool_xbuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct mpool_xbuf *xb = dmabuf->priv;
	struct mpool_xbuf_att *a;
	int err;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	err = sg_alloc_table_from_pages(&a->table, xb->pages, xb->npages, 0,
					(unsigned long)xb->npages << PAGE_SHIFT,
					GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free;
	a->dev = attach->dev;

	mutex_lock(&xb->lock);
	if (!xb->owned) {
		mutex_unlock(&xb->lock);
		err = -ENODEV;
		goto err_table;
	}
	list_add(&a->node, &xb->attachments);
	mutex_unlock(&xb->lock);
	attach->priv = a;
	return 0;

err_table:
	sg_free_table(&a->table);
err_free:
	kfree(a);
	return err;
}

static void mpool_xbuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct mpool_xbuf *xb = dmabuf->priv;
	struct mpool_xbuf_att *a = attach->priv;

	mutex_lock(&xb->lock);
	list_del(&a->node);
	mutex_unlock(&xb->lock);
	sg_free_table(&a->table);
	kfree(a);
}

static struct sg_table *mpool_xbuf_map(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir)
{
	struct mpool_xbuf *xb = attach->dmabuf->priv;
	struct mpool_xbuf_att *a = attach->priv;
	int err;

	err = dma_map_sgtable(a->dev, &a->table, dir, 0);
	if (err)
		return ERR_PTR(err);
	mutex_lock(&xb->lock);
	a->mapped = true;
	mutex_unlock(&xb->lock);
	return &a->table;
}

static void mpool_xbuf_unmap(struct dma_buf_attachment *attach, struct sg_table *table,
			     enum dma_data_direction dir)
{
	struct mpool_xbuf *xb = attach->dmabuf->priv;
	struct mpool_xbuf_att *a = attach->priv;

	mutex_lock(&xb->lock);
	a->mapped = false;
	mutex_unlock(&xb->lock);
	dma_unmap_sgtable(a->dev, table, dir, 0);
}

/*
 * Hand the pages between the CPU and the attached devices: before the CPU
 * touches them (@for_cpu) what devices wrote must be visible to it, after
 * it what it wrote must be visible to them.
 */
static void mpool_xbuf_sync(struct mpool_xbuf *xb, enum dma_data_direction dir, bool for_cpu)
{
	size_t len = (size_t)xb->npages << PAGE_SHIFT;
	struct mpool_xbuf_att *a;

	mutex_lock(&xb->lock);
	if (xb->vmap_count && for_cpu)
		invalidate_kernel_vmap_range(xb->vaddr, len);
	else if (xb->vmap_count)
		flush_kernel_vmap_range(xb->vaddr, len);
	list_for_each_entry(a, &xb->attachments, node) {
		if (!a->mapped)
			continue;
		if (for_cpu)
			dma_sync_sgtable_for_cpu(a->dev, &a->table, dir);
		else
			dma_sync_sgtable_for_device(a->dev, &a->table, dir);
	}
	mutex_unlock(&xb->lock);
}

static int mpool_xbuf_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	mpool_xbuf_sync(dmabuf->priv, dir, true);
	return 0;
}

static int mpool_xbuf_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	mpool_xbuf_sync(dmabuf->priv, dir, false);
	return 0;
}

static int mpool_xbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct mpool_xbuf *xb = dmabuf->priv;
	int err = 0;

	mutex_lock(&xb->lock);
	if (!xb->owned) {
		err = -ENODEV;
		goto out;
	}
	if (!xb->vmap_count) {
		xb->vaddr = vmap(xb->pages, xb->npages, VM_MAP, PAGE_KERNEL);
		if (!xb->vaddr) {
			err = -ENOMEM;
			goto out;
		}
	}
	xb->vmap_count++;
	iosys_map_set_vaddr(map, xb->vaddr);
out:
	mutex_unlock(&xb->lock);
	return err;
}

static void mpool_xbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct mpool_xbuf *xb = dmabuf->priv;

	mutex_lock(&xb->lock);
	if (!--xb->vmap_count) {
		vunmap(xb->vaddr);
		xb->vaddr = NULL;
	}
	mutex_unlock(&xb->lock);
	iosys_map_clear(map);
}

static vm_fault_t mpool_xbuf_fault(struct vm_fault *vmf)
{
	struct mpool_xbuf *xb = vmf->vma->vm_private_data;

	/* The core checked the range at mmap; a stray offset must not map past it. */
	if (vmf->pgoff >= xb->npages)
		return VM_FAULT_SIGBUS;
	return vmf_insert_page(vmf->vma, vmf->address, xb->pages[vmf->pgoff]);
}

static const struct vm_operations_struct mpool_xbuf_vm_ops = {
	.fault = mpool_xbuf_fault,
};

/*
 * Every page is mapped here, at mmap(), as the system dma-heap does: the
 * dma-buf owns the buffer for as long as the mapping lives (the mapping
 * holds the file, and import refuses a mapped dma-buf), so nothing ever
 * revokes it, and a buffer handed over is read whole. Each page mapped
 * holds a reference, so the buffer cannot go back to the pool under a
 * mapping (a page still referenced after it would be quarantined). The
 * fault handler maps what this could not (no memory for a page table) and
 * what madvise(MADV_DONTNEED) took away since.
 */
static int mpool_xbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct mpool_xbuf *xb = dmabuf->priv;
	unsigned long npages = vma_pages(vma);
	vm_flags_t clear = VM_MAYEXEC;
	int err;

	err = mpool_vma_check(vma);
	if (err)
		return err;
	/* The file is O_RDONLY then, so the VFS refused PROT_WRITE already. */
	if (xb->rdonly) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		clear |= VM_MAYWRITE;
	}
	/* The core checked the range; the pages array must not be overrun. */
	if (vma->vm_pgoff > xb->npages || npages > xb->npages - vma->vm_pgoff)
		return -EINVAL;

	mpool_vm_flags_mod(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP, clear);
	vma->vm_ops = &mpool_xbuf_vm_ops;
	vma->vm_private_data = xb;

	mutex_lock(&xb->lock);
	if (xb->owned)
		vm_insert_pages(vma, vma->vm_start, xb->pages + vma->vm_pgoff, &npages);
	else
		err = -ENODEV;
	mutex_unlock(&xb->lock);
	return err;
}

/* The last reference went: nothing reaches the buffer through the dma-buf. */
static void mpool_xbuf_release(struct dma_buf *dmabuf)
{
	struct mpool_xbuf *xb = dmabuf->priv;

	if (xb->owned) {
		mpool_upool_unexport(xb->up, xb->user, xb->idx);
		mpool_upool_put(xb->up);
	}
	mutex_destroy(&xb->lock);
	kvfree(xb);
}

static const struct dma_buf_ops mpool_xbuf_ops = {
	.attach = mpool_xbuf_attach,
	.detach = mpool_xbuf_detach,
	.map_dma_buf = mpool_xbuf_map,
	.unmap_dma_buf = mpool_xbuf_unmap,
	.begin_cpu_access = mpool_xbuf_begin_cpu,
	.end_cpu_access = mpool_xbuf_end_cpu,
	.mmap = mpool_xbuf_mmap,
	.vmap = mpool_xbuf_vmap,
	.vunmap = mpool_xbuf_vunmap,
	.release = mpool_xbuf_release,
};

/*
 * A dma-buf for buffer @idx of @att's pool, owning nothing yet, its pages
 * not even looked up: only a lease makes an index safe to look up.
 */
static struct dma_buf *mpool_xbuf_new(struct mpool_att *att, u32 idx, bool rdonly)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct mpool_xbuf *xb;
	struct dma_buf *dmabuf;
	char *name;

	xb = kvzalloc(struct_size(xb, pages, att->buf_pages), GFP_KERNEL_ACCOUNT);
	if (!xb)
		return ERR_PTR(-ENOMEM);
	xb->npages = att->buf_pages;
	xb->idx = idx;
	xb->rdonly = rdonly;
	mutex_init(&xb->lock);
	INIT_LIST_HEAD(&xb->attachments);

	/* At most 23 + 1 + 5 bytes: within DMA_BUF_NAME_LEN. */
	name = kasprintf(GFP_KERNEL_ACCOUNT, "%s:%u", mpool_upool_name(att->up), idx);
	if (!name) {
		dmabuf = ERR_PTR(-ENOMEM);
		goto err_xb;
	}
	info.exp_name = KBUILD_MODNAME;
	/* The dma-buf pins the module until its release has run. */
	info.owner = THIS_MODULE;
	info.ops = &mpool_xbuf_ops;
	info.size = (size_t)xb->npages << PAGE_SHIFT;
	info.flags = rdonly ? O_RDONLY : O_RDWR;
	info.priv = xb;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf))
		goto err_name;
	/* Nobody else sees it yet: no lock needed. */
	dmabuf->name = name;
	return dmabuf;

err_name:
	kfree(name);
err_xb:
	mutex_destroy(&xb->lock);
	kvfree(xb);
	return dmabuf;
}

/**
 * mpool_ioctl_export() - MPOOL_IOC_EXPORT
 * @file: the session's file
 * @io: struct mpool_export
 *
 * Everything that can fail comes before the lease moves, except the copy
 * out, which puts the lease back; the descriptor is installed last.
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_export(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_export *req = io->arg;
	struct dma_buf *dmabuf;
	struct mpool_xbuf *xb;
	struct mpool_att *att;
	bool mapped;
	int fd, err;
	u32 pg;

	if (req->flags & ~MPOOL_EXPORT_F_ALL)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	if (req->buf_id >= att->nr_bufs)
		return -EINVAL;
	if (mpool_upool_destroyed(att->up))
		return -EIDRM;

	dmabuf = mpool_xbuf_new(att, req->buf_id, req->flags & MPOOL_EXPORT_F_RDONLY);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	xb = dmabuf->priv;
	fd = get_unused_fd_flags(req->flags & MPOOL_EXPORT_F_NOCLOEXEC ? 0 : O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_put;
	}
	err = mpool_att_unlease(att, req->buf_id, &mapped);
	if (err)
		goto err_fd;
	req->fd = fd;
	err = mpool_ioctl_copy_out(io);
	if (err)
		goto err_relet;

	/* The bit is clear, so no fault maps the buffer through the session again. */
	if (mapped)
		mpool_revoke(att, &req->buf_id, 1);
	for (pg = 0; pg < xb->npages; pg++)
		xb->pages[pg] = mpool_upool_page(att->up, req->buf_id, pg);
	mpool_upool_get(att->up);
	xb->up = att->up;
	xb->user = mpool_upool_export(att->up, &sess->acct);
	xb->owned = true;
	fd_install(fd, dmabuf->file);
	return 0;

err_relet:
	mpool_att_relet(att, req->buf_id);
err_fd:
	put_unused_fd(fd);
err_put:
	/* Owning nothing, its release only frees it. */
	dma_buf_put(dmabuf);
	return err;
}

/*
 * Can anything but the caller's descriptor reach @dmabuf? The caller's
 * descriptor and its own reference from dma_buf_get() are two; any other
 * descriptor, mmap or importer holds one more. An attachment or a kernel
 * mapping whose holder dropped its reference early still counts.
 */
static bool mpool_xbuf_busy(struct dma_buf *dmabuf, struct mpool_xbuf *xb)
{
	lockdep_assert_held(&xb->lock);
	return file_count(dmabuf->file) > 2 || !list_empty(&xb->attachments) ||
	       xb->vmap_count;
}

/**
 * mpool_ioctl_import() - MPOOL_IOC_IMPORT
 * @file: the session's file
 * @io: struct mpool_import
 *
 * The dma-buf stops owning the buffer before the copy out, with @lock
 * dropped (a fault in copy_to_user() takes the mmap lock, which nests
 * outside it), so that no new mmap or attachment can start meanwhile;
 * a failed copy gives it back.
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_import(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_import *req = io->arg;
	struct dma_buf *dmabuf;
	struct mpool_xbuf *xb;
	struct mpool_att *att;
	int err = 0;

	if (req->flags)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	dmabuf = dma_buf_get(req->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &mpool_xbuf_ops) {
		err = -EINVAL;
		goto out_put;
	}
	xb = dmabuf->priv;

	mutex_lock(&xb->lock);
	if (!xb->owned)
		err = -EINVAL;
	else if (xb->up != att->up)
		err = -EXDEV;
	else if (mpool_upool_destroyed(xb->up))
		err = -EIDRM;
	else if (mpool_xbuf_busy(dmabuf, xb))
		err = -EBUSY;
	else
		xb->owned = false;
	mutex_unlock(&xb->lock);
	if (err)
		goto out_put;

	req->buf_id = xb->idx;
	err = mpool_ioctl_copy_out(io);
	if (!err)
		err = mpool_upool_import(xb->up, xb->user, &sess->acct, xb->idx);
	if (err) {
		mutex_lock(&xb->lock);
		xb->owned = true;
		mutex_unlock(&xb->lock);
		goto out_put;
	}
	mpool_att_relet(att, xb->idx);
	/* The session's attachment holds a reference: never the last. */
	mpool_upool_put(xb->up);
	xb->up = NULL;
	xb->user = NULL;
out_put:
	dma_buf_put(dmabuf);
	return err;
}
