/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/mempool sessions and their attachments to user pools.
 *
 * Who holds what:
 *  - A session (struct mpool_session) is one open file. It lives until the
 *    file's last reference goes, and every VMA of the file holds one, so a
 *    session never ends while it is mapped. It acts for the user who
 *    opened the file (struct mpool_account), whoever uses it later.
 *  - An attachment (struct mpool_att) joins a session to a user pool. It
 *    lives as long as its session, so anything that found it through the
 *    session (ioctl, fault, poll) can use it without a reference. It holds
 *    a reference on its user pool (upool.h), which it reaches only through
 *    the upool functions.
 */
#ifndef _MPOOL_SESSION_H
#define _MPOOL_SESSION_H

#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "user.h"

struct address_space;
struct file;
struct mpool_ioctl;
struct mpool_upool;
struct poll_table_struct;
struct vm_area_struct;

/*
 * The mmap cookie of attachment @id is @id << MPOOL_MMAP_ID_SHIFT bytes: a
 * 4 GiB window per attachment, unique across the device, so that revoking
 * one session's access to one buffer (unmap_mapping_range() on the shared
 * inode mapping) can never touch another session's mappings.
 */
#define MPOOL_MMAP_ID_SHIFT	32
#define MPOOL_MMAP_PGOFF_SHIFT	(MPOOL_MMAP_ID_SHIFT - PAGE_SHIFT)
#define MPOOL_MMAP_WINDOW	BIT_ULL(MPOOL_MMAP_ID_SHIFT)
/* Keeps cookies below 2^63, a valid off_t. */
#define MPOOL_ATT_ID_MAX	((1U << (63 - MPOOL_MMAP_ID_SHIFT)) - 1)

struct mpool_session;

struct mpool_att {
	struct mpool_session *sess;
	struct mpool_upool *up;
	u32 id;
	/* The pool's id range, fixed at create: faults and releases check ids here. */
	u32 nr_bufs;
	u32 buf_pages;
	pgoff_t base_pgoff;
	unsigned long npages;

	/*
	 * Serializes the fault handler's "is it leased?" check and page
	 * insertion against a release clearing the bit, so that once release
	 * has cleared it and zapped, no fault can map the buffer again.
	 */
	struct mutex lock;
	unsigned long *leased;		/* [nr_bufs], under @lock */
	u32 nr_leased;			/* under @lock */
	bool mapped;			/* ever mmapped; under @lock */
};

struct mpool_session {
	/* Serializes create, attach and destroy within the session. */
	struct mutex lock;
	struct xarray atts;		/* attachment id -> att; never shrinks */
	unsigned int nr_atts;		/* under @lock */
	struct mpool_account acct;	/* the opener's user; leases held */
	struct address_space *mapping;	/* where this file's VMAs live */
};

/* session.c */
struct mpool_session *mpool_session_new(struct file *file);
void mpool_session_free(struct mpool_session *sess);
struct mpool_att *mpool_session_att(struct mpool_session *sess, u32 id);
int mpool_ioctl_info(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_create(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_attach(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_destroy(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_stats(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_list(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_config(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_pool_events(struct file *file, struct mpool_ioctl *io);
void mpool_session_exit(void);

/* lease.c */
int mpool_ioctl_lease(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_release(struct file *file, struct mpool_ioctl *io);
int mpool_att_unlease(struct mpool_att *att, u32 idx, bool *mapped);
void mpool_att_relet(struct mpool_att *att, u32 idx);
void mpool_att_return_all(struct mpool_att *att);
__poll_t mpool_poll(struct file *file, struct poll_table_struct *wait);

/* export.c */
int mpool_ioctl_export(struct file *file, struct mpool_ioctl *io);
int mpool_ioctl_import(struct file *file, struct mpool_ioctl *io);

/* mmap.c */
int mpool_vma_check(const struct vm_area_struct *vma);
int mpool_mmap(struct file *file, struct vm_area_struct *vma);
void mpool_revoke(struct mpool_att *att, const u32 *ids, u32 n);

#endif /* _MPOOL_SESSION_H */
