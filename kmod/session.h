/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/mempool internals: user pools, sessions and their attachments.
 *
 * Who holds what:
 *  - A session (struct mpool_session) is one open file. It lives until the
 *    file's last reference goes, and every VMA of the file holds one, so a
 *    session never ends while it is mapped.
 *  - An attachment (struct mpool_att) joins a session to a user pool. It
 *    lives as long as its session, so anything that found it through the
 *    session (ioctl, fault, poll) can use it without a reference.
 *  - A user pool (struct mpool_upool) wraps a struct mpool with what
 *    userspace needs: a name in /dev/mempool's own namespace, who holds
 *    each buffer, a wait queue. The registry and every attachment hold a
 *    reference; the mpool is destroyed with the last one, when no lease can
 *    be left because every attachment returned its leases first.
 */
#ifndef _MPOOL_SESSION_H
#define _MPOOL_SESSION_H

#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/mempool.h>

struct address_space;
struct file;
struct mpool;
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

#define MPOOL_MAX_BUF_COUNT	65536U
/* User pools that may exist at once, destroyed ones still in use included. */
#define MPOOL_MAX_POOLS		256

enum mpool_upool_state {
	MPOOL_UP_NEW,		/* name reserved, not yet attachable */
	MPOOL_UP_LIVE,
	MPOOL_UP_DEAD,		/* destroyed: no name, no new leases */
};

struct mpool_upool {
	struct mpool *pool;
	struct kref ref;
	struct list_head node;		/* on the registry while NEW or LIVE */
	enum mpool_upool_state state;	/* written under the registry lock */
	kuid_t owner;
	u32 engine;			/* MPOOL_ENG_* */
	u32 nr_bufs;
	u32 buf_pages;
	u64 buf_size;
	u64 bytes;			/* charged against max_bytes */

	/* Buffers free to lease; a lease reserves before it takes. */
	atomic_t nr_free;
	atomic_t nr_sessions;
	wait_queue_head_t wq;		/* buffers came back, or the pool died */

	/* Set from the moment a buffer leaves the mpool until it is back. */
	unsigned long *busy;

	/* Released buffers whose pages something outside still references. */
	struct mutex qlock;
	unsigned long *quarantine;
	unsigned int nr_quarantined;

	char name[MPOOL_POOL_NAME_MAX];
};

struct mpool_session;

struct mpool_att {
	struct mpool_session *sess;
	struct mpool_upool *up;
	u32 id;
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
	atomic_t nr_leases;		/* buffers held, all pools */
	struct address_space *mapping;	/* where this file's VMAs live */
};

/* upool.c */
extern unsigned long mpool_max_bytes;
extern unsigned int mpool_max_session_leases;
int mpool_upool_check(const struct mpool_pool_create *req);
struct mpool_upool *mpool_upool_create(const struct mpool_pool_create *req,
				       kuid_t owner);
void mpool_upool_publish(struct mpool_upool *up);
void mpool_upool_abort(struct mpool_upool *up);
struct mpool_upool *mpool_upool_find(const char *name);
int mpool_upool_destroy(struct mpool_upool *up);
void mpool_upool_put(struct mpool_upool *up);
bool mpool_upool_name_valid(const char *name);
bool mpool_upool_ready(struct mpool_upool *up);
int mpool_upool_reserve(struct mpool_upool *up, u32 n, bool wait, u64 timeout_ns);
int mpool_upool_take(struct mpool_upool *up, u32 *ids, u32 n);
void mpool_upool_return(struct mpool_upool *up, const u32 *ids, u32 n);
void mpool_upool_reclaim(struct mpool_upool *up);
u64 mpool_upool_bytes_used(void);
unsigned int mpool_upool_count(void);
void mpool_upool_exit(void);

/* session.c */
struct mpool_session *mpool_session_new(struct file *file);
void mpool_session_free(struct mpool_session *sess);
struct mpool_att *mpool_session_att(struct mpool_session *sess, u32 id);
int mpool_ioctl_pool_create(struct file *file, void *arg);
int mpool_ioctl_pool_attach(struct file *file, void *arg);
int mpool_ioctl_pool_destroy(struct file *file, void *arg);
int mpool_ioctl_pool_stats(struct file *file, void *arg);
void mpool_session_exit(void);

/* lease.c */
int mpool_ioctl_lease(struct file *file, void *arg);
int mpool_ioctl_release(struct file *file, void *arg);
void mpool_att_return_all(struct mpool_att *att);
__poll_t mpool_poll(struct file *file, struct poll_table_struct *wait);

/* mmap.c */
int mpool_mmap(struct file *file, struct vm_area_struct *vma);
void mpool_revoke(struct mpool_att *att, const u32 *ids, u32 n);

/* chardev.c: copy an ioctl's result out before making it visible. */
int mpool_ioctl_copy_out(struct file *file, void *arg);

#endif /* _MPOOL_SESSION_H */
