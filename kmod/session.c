// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions (one per open file) and their attachments to user pools: the
 * info, create, attach, destroy and stats ioctls.
 *
 * Create and attach follow "publish last": the result is copied to
 * userspace while the new attachment's slot is only reserved (and a new
 * pool only has its name reserved); if the copy fails, everything is taken
 * down again and nobody ever saw it.
 *
 * Every permission and every charge is decided by the credentials the file
 * was opened with (file->f_cred), not by whoever uses the descriptor now:
 * a descriptor passed to a more privileged process lends it no rights (the
 * confused deputy).
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "session.h"
#include "upool.h"

#define MPOOL_FEATURES		(MPOOL_FEAT_POOLS | MPOOL_FEAT_WAIT | MPOOL_FEAT_NODE | \
				 MPOOL_FEAT_USER_LIMITS | MPOOL_FEAT_LIFETIME | MPOOL_FEAT_LIST | \
				 MPOOL_FEAT_FULL_STATS | MPOOL_FEAT_ACCESS | MPOOL_FEAT_CONFIG | \
				 MPOOL_FEAT_EVENTS | MPOOL_FEAT_EXPORT | MPOOL_FEAT_NUMA | \
				 MPOOL_FEAT_HUGE)

static_assert(MPOOL_MAX_POOL_BYTES <= MPOOL_MMAP_WINDOW);

/* Attachment ids, unique across the device: they make the mmap cookies. */
static DEFINE_IDA(mpool_att_ida);

/**
 * mpool_session_new() - the session behind a newly opened file
 * @file: the file
 *
 * Return: the session, or NULL if out of memory.
 */
struct mpool_session *mpool_session_new(struct file *file)
{
	struct mpool_session *sess;
	struct mpool_user *user;

	user = mpool_user_get(file->f_cred->euid);
	if (IS_ERR(user))
		return NULL;
	sess = kzalloc(sizeof(*sess), GFP_KERNEL_ACCOUNT);
	if (!sess) {
		mpool_user_put(user);
		return NULL;
	}
	mutex_init(&sess->lock);
	xa_init(&sess->atts);
	sess->acct.cred = get_cred(file->f_cred);
	sess->acct.user = user;
	/* As RLIMIT_* checks let CAP_SYS_RESOURCE through. */
	sess->acct.unlimited = file_ns_capable(file, &init_user_ns, CAP_SYS_RESOURCE);
	/* As IPC permission checks let CAP_SYS_ADMIN through. */
	sess->acct.admin = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	atomic_set(&sess->acct.nr_leases, 0);
	sess->mapping = file->f_mapping;
	return sess;
}

/**
 * mpool_session_att() - look up one of a session's attachments
 * @sess: the session
 * @id: the pool_id userspace passed
 *
 * Attachments are only freed with their session, which cannot end while
 * one of its files' ioctls, faults or polls runs; so the result needs no
 * reference.
 *
 * Return: the attachment, or NULL (reserved slots included).
 */
struct mpool_att *mpool_session_att(struct mpool_session *sess, u32 id)
{
	return xa_load(&sess->atts, id);
}

/* A new attachment of @sess to @up, with its own reference on @up. */
static struct mpool_att *mpool_att_new(struct mpool_session *sess,
				       struct mpool_upool *up)
{
	struct mpool_att *att;
	int id;

	att = kzalloc(sizeof(*att), GFP_KERNEL_ACCOUNT);
	if (!att)
		return ERR_PTR(-ENOMEM);
	att->nr_bufs = mpool_upool_max_bufs(up);
	att->buf_pages = mpool_upool_buf_pages(up);
	att->leased = bitmap_zalloc(att->nr_bufs, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!att->leased) {
		id = -ENOMEM;
		goto err_att;
	}
	id = ida_alloc_range(&mpool_att_ida, 1, MPOOL_ATT_ID_MAX, GFP_KERNEL);
	if (id < 0)
		goto err_leased;
	mutex_init(&att->lock);
	att->sess = sess;
	att->up = up;
	att->id = id;
	att->base_pgoff = (pgoff_t)id << MPOOL_MMAP_PGOFF_SHIFT;
	att->npages = mpool_upool_window(up) >> PAGE_SHIFT;
	mpool_upool_attach(up, &sess->acct);
	return att;

err_leased:
	bitmap_free(att->leased);
err_att:
	kfree(att);
	return ERR_PTR(id);
}

/* The attachment holds no lease and no mapping any more. */
static void mpool_att_free(struct mpool_att *att)
{
	mpool_upool_detach(att->up, &att->sess->acct);
	ida_free(&mpool_att_ida, att->id);
	mutex_destroy(&att->lock);
	bitmap_free(att->leased);
	kfree(att);
}

/**
 * mpool_session_free() - end a session: return every lease, detach
 * @sess: the session of a file being released
 *
 * Runs when the file's last reference goes. Every VMA holds one, so no
 * mapping of the session is left and no revocation is needed.
 */
void mpool_session_free(struct mpool_session *sess)
{
	struct mpool_att *att;
	unsigned long id;

	xa_for_each(&sess->atts, id, att) {
		mpool_att_return_all(att);
		mpool_att_free(att);
	}
	xa_destroy(&sess->atts);
	mutex_destroy(&sess->lock);
	mpool_user_put(sess->acct.user);
	put_cred(sess->acct.cred);
	kfree(sess);
}

/*
 * Hand @att's id, cookie and length to userspace, then make it visible in
 * the session. On failure @att is freed and the caller undoes the rest.
 */
static int mpool_att_commit(struct mpool_session *sess, struct mpool_att *att,
			    struct mpool_ioctl *io, u32 *pool_id,
			    u64 *mmap_offset, u64 *mmap_len)
{
	int err;

	lockdep_assert_held(&sess->lock);
	err = xa_reserve(&sess->atts, att->id, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free;
	*pool_id = att->id;
	*mmap_offset = (u64)att->id << MPOOL_MMAP_ID_SHIFT;
	*mmap_len = mpool_upool_window(att->up);
	err = mpool_ioctl_copy_out(io);
	if (err)
		goto err_release;
	/* Into the reserved slot: this allocates nothing and cannot fail. */
	xa_store(&sess->atts, att->id, att, GFP_KERNEL);
	sess->nr_atts++;
	return 0;

err_release:
	xa_release(&sess->atts, att->id);
err_free:
	mpool_att_free(att);
	return err;
}

/**
 * mpool_ioctl_info() - MPOOL_IOC_INFO
 * @file: the session's file
 * @io: struct mpool_info
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_info(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_info *info = io->arg;

	if (info->flags || info->reserved)
		return -EINVAL;
	info->api_version = MPOOL_API_VERSION;
	info->features = MPOOL_FEATURES;
	mpool_upool_info(info, &sess->acct);
	return 0;
}

/**
 * mpool_ioctl_pool_create() - MPOOL_IOC_POOL_CREATE
 * @file: the session's file
 * @io: struct mpool_pool_create
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_create(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_create *req = io->arg;
	struct mpool_upool *up;
	struct mpool_att *att;
	int err;

	err = mpool_upool_check(req);
	if (err)
		return err;

	mutex_lock(&sess->lock);
	if (sess->nr_atts >= MPOOL_SESSION_POOLS_MAX) {
		err = -EDQUOT;
		goto out_unlock;
	}
	up = mpool_upool_create(req, &sess->acct);
	if (IS_ERR(up)) {
		err = PTR_ERR(up);
		goto out_unlock;
	}
	att = mpool_att_new(sess, up);
	if (IS_ERR(att)) {
		err = PTR_ERR(att);
		goto out_abort;
	}
	err = mpool_att_commit(sess, att, io, &req->pool_id, &req->mmap_offset,
			       &req->mmap_len);
	if (err)
		goto out_abort;
	mpool_upool_publish(up);
	mutex_unlock(&sess->lock);
	return 0;

out_abort:
	mpool_upool_abort(up);
out_unlock:
	mutex_unlock(&sess->lock);
	return err;
}

/**
 * mpool_ioctl_pool_attach() - MPOOL_IOC_POOL_ATTACH
 * @file: the session's file
 * @io: struct mpool_pool_attach
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_attach(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_attach *req = io->arg;
	struct mpool_upool *up;
	struct mpool_att *att;
	unsigned long id;
	int err = 0;

	if (req->flags || !mpool_upool_name_valid(req->name))
		return -EINVAL;

	mutex_lock(&sess->lock);
	if (sess->nr_atts >= MPOOL_SESSION_POOLS_MAX) {
		err = -EDQUOT;
		goto out_unlock;
	}
	up = mpool_upool_find(req->name);
	if (!up) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (!mpool_upool_may_attach(up, &sess->acct)) {
		err = -EACCES;
		goto out_put;
	}
	xa_for_each(&sess->atts, id, att) {
		if (att->up == up) {
			err = -EEXIST;
			goto out_put;
		}
	}
	att = mpool_att_new(sess, up);
	if (IS_ERR(att)) {
		err = PTR_ERR(att);
		goto out_put;
	}
	req->buf_size = mpool_upool_buf_size(up);
	req->buf_count = mpool_upool_nr_bufs(up);
	req->engine = mpool_upool_engine(up);
	err = mpool_att_commit(sess, att, io, &req->pool_id, &req->mmap_offset,
			       &req->mmap_len);
out_put:
	mpool_upool_put(up);
out_unlock:
	mutex_unlock(&sess->lock);
	return err;
}

/**
 * mpool_ioctl_pool_destroy() - MPOOL_IOC_POOL_DESTROY
 * @file: the session's file
 * @io: struct mpool_pool_destroy
 *
 * Like IPC_RMID: the user who created the pool, or CAP_SYS_ADMIN, both
 * judged by the credentials the file was opened with.
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_destroy(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_destroy *req = io->arg;
	struct mpool_att *att;

	if (req->flags)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	if (!mpool_upool_owned_by(att->up, &sess->acct) && !sess->acct.admin)
		return -EPERM;
	return mpool_upool_destroy(att->up);
}

/**
 * mpool_ioctl_pool_stats() - MPOOL_IOC_POOL_STATS
 * @file: the session's file
 * @io: struct mpool_pool_stats
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_stats(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_stats *st = io->arg;
	struct mpool_att *att;

	if (st->flags)
		return -EINVAL;
	att = mpool_session_att(sess, st->pool_id);
	if (!att)
		return -ENOENT;
	mpool_upool_stats(att->up, st, file->f_cred->user_ns);
	mutex_lock(&att->lock);
	st->nr_mine = att->nr_leased;
	mutex_unlock(&att->lock);
	st->mmap_offset = (u64)att->id << MPOOL_MMAP_ID_SHIFT;
	return 0;
}

/* The longest entry a caller may say it knows: room for many versions. */
#define MPOOL_POOL_ENTRY_SIZE_MAX	4096

/**
 * mpool_ioctl_pool_list() - MPOOL_IOC_POOL_LIST
 * @file: the session's file
 * @io: struct mpool_pool_list
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_list(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_list *req = io->arg;
	size_t esize = req->entry_size, ksize = sizeof(struct mpool_pool_entry);
	void __user *uptr = u64_to_user_ptr(req->entries);
	struct mpool_pool_entry *buf = NULL;
	u32 i, max, total;
	int err = 0;

	if (req->flags || esize < MPOOL_POOL_ENTRY_SIZE_VER0)
		return -EINVAL;
	if (esize > MPOOL_POOL_ENTRY_SIZE_MAX)
		return -E2BIG;
	/* A snapshot under the registry lock, copied out after it. */
	max = min_t(u32, req->count, MPOOL_MAX_POOLS);
	if (max) {
		buf = kvcalloc(max, ksize, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
	}
	total = mpool_upool_list(buf, max, &sess->acct);
	max = min(max, total);
	for (i = 0; i < max; i++, uptr += esize) {
		/* An older caller's shorter entry, or a newer one's zeroed tail. */
		if (copy_to_user(uptr, &buf[i], min(esize, ksize)) ||
		    (esize > ksize && clear_user(uptr + ksize, esize - ksize))) {
			err = -EFAULT;
			break;
		}
	}
	kvfree(buf);
	req->count = max;
	req->total = total;
	return err;
}

/**
 * mpool_ioctl_pool_config() - MPOOL_IOC_POOL_CONFIG
 * @file: the session's file
 * @io: struct mpool_pool_config
 *
 * Reading the settings back works on any descriptor; changing them needs
 * one opened for writing.
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_config(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_config *cfg = io->arg;
	struct mpool_att *att;

	att = mpool_session_att(sess, cfg->pool_id);
	if (!att)
		return -ENOENT;
	if (cfg->flags && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	return mpool_upool_config(att->up, &sess->acct, cfg);
}

/* The longest event record a caller may say it knows. */
#define MPOOL_EVENT_SIZE_MAX	4096

/**
 * mpool_ioctl_pool_events() - MPOOL_IOC_POOL_EVENTS
 * @file: the session's file
 * @io: struct mpool_pool_events
 *
 * Publish last: the descriptor number reaches userspace before the
 * descriptor exists in the caller's table, so a failed copy leaves none
 * behind that userspace cannot know about.
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_events(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_events *req = io->arg;
	size_t rsize = req->record_size ?: MPOOL_EVENT_SIZE_VER0;
	struct mpool_att *att;
	struct file *evf;
	int fd, err;

	if (req->flags || rsize < MPOOL_EVENT_SIZE_VER0)
		return -EINVAL;
	if (rsize > MPOOL_EVENT_SIZE_MAX)
		return -E2BIG;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	evf = mpool_upool_events_open(att->up, rsize);
	if (IS_ERR(evf)) {
		err = PTR_ERR(evf);
		goto err_fd;
	}
	req->fd = fd;
	err = mpool_ioctl_copy_out(io);
	if (err)
		goto err_file;
	fd_install(fd, evf);
	return 0;

err_file:
	fput(evf);
err_fd:
	put_unused_fd(fd);
	return err;
}

/**
 * mpool_session_exit() - module unload: no session is left
 */
void mpool_session_exit(void)
{
	ida_destroy(&mpool_att_ida);
}
