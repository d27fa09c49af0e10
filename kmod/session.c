// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions (one per open file) and their attachments to user pools: the
 * create, attach, destroy and stats ioctls.
 *
 * Create and attach follow "publish last": the result is copied to
 * userspace while the new attachment's slot is only reserved (and a new
 * pool only has its name reserved); if the copy fails, everything is taken
 * down again and nobody ever saw it.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/slab.h>

#include "pool.h"
#include "session.h"

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

	sess = kzalloc(sizeof(*sess), GFP_KERNEL_ACCOUNT);
	if (!sess)
		return NULL;
	mutex_init(&sess->lock);
	xa_init(&sess->atts);
	atomic_set(&sess->nr_leases, 0);
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
	att->leased = bitmap_zalloc(up->nr_bufs, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!att->leased) {
		kfree(att);
		return ERR_PTR(-ENOMEM);
	}
	id = ida_alloc_range(&mpool_att_ida, 1, MPOOL_ATT_ID_MAX, GFP_KERNEL);
	if (id < 0) {
		bitmap_free(att->leased);
		kfree(att);
		return ERR_PTR(id);
	}
	mutex_init(&att->lock);
	att->sess = sess;
	att->up = up;
	att->id = id;
	att->base_pgoff = (pgoff_t)id << MPOOL_MMAP_PGOFF_SHIFT;
	att->npages = up->bytes >> PAGE_SHIFT;
	kref_get(&up->ref);
	atomic_inc(&up->nr_sessions);
	mpool_stats_session(up->pool, 1);
	return att;
}

/* The attachment holds no lease and no mapping any more. */
static void mpool_att_free(struct mpool_att *att)
{
	atomic_dec(&att->up->nr_sessions);
	mpool_stats_session(att->up->pool, -1);
	mpool_upool_put(att->up);
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
	kfree(sess);
}

/*
 * Hand @att's id, cookie and length to userspace, then make it visible in
 * the session. On failure @att is freed and the caller undoes the rest.
 */
static int mpool_att_commit(struct mpool_session *sess, struct mpool_att *att,
			    struct file *file, void *arg, u32 *pool_id,
			    u64 *mmap_offset, u64 *mmap_len)
{
	int err;

	lockdep_assert_held(&sess->lock);
	err = xa_reserve(&sess->atts, att->id, GFP_KERNEL_ACCOUNT);
	if (err)
		goto fail;
	*pool_id = att->id;
	*mmap_offset = (u64)att->id << MPOOL_MMAP_ID_SHIFT;
	*mmap_len = att->up->bytes;
	err = mpool_ioctl_copy_out(file, arg);
	if (err) {
		xa_release(&sess->atts, att->id);
		goto fail;
	}
	/* Into the reserved slot: this allocates nothing and cannot fail. */
	xa_store(&sess->atts, att->id, att, GFP_KERNEL);
	sess->nr_atts++;
	return 0;

fail:
	mpool_att_free(att);
	return err;
}

/**
 * mpool_ioctl_pool_create() - MPOOL_IOC_POOL_CREATE
 * @file: the session's file
 * @arg: struct mpool_pool_create
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_create(struct file *file, void *arg)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_create *req = arg;
	struct mpool_upool *up;
	struct mpool_att *att;
	int err;

	err = mpool_upool_check(req);
	if (err)
		return err;

	mutex_lock(&sess->lock);
	if (sess->nr_atts >= MPOOL_SESSION_POOLS_MAX) {
		err = -EDQUOT;
		goto out;
	}
	/* Whoever opened the file, not whoever holds it now (a passed fd). */
	up = mpool_upool_create(req, file->f_cred->euid);
	if (IS_ERR(up)) {
		err = PTR_ERR(up);
		goto out;
	}
	att = mpool_att_new(sess, up);
	if (IS_ERR(att)) {
		err = PTR_ERR(att);
	} else {
		err = mpool_att_commit(sess, att, file, arg, &req->pool_id,
				       &req->mmap_offset, &req->mmap_len);
	}
	if (err)
		mpool_upool_abort(up);
	else
		mpool_upool_publish(up);
out:
	mutex_unlock(&sess->lock);
	return err;
}

/**
 * mpool_ioctl_pool_attach() - MPOOL_IOC_POOL_ATTACH
 * @file: the session's file
 * @arg: struct mpool_pool_attach
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_attach(struct file *file, void *arg)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_attach *req = arg;
	struct mpool_upool *up;
	struct mpool_att *att;
	unsigned long id;
	int err = 0;

	if (req->flags || !mpool_upool_name_valid(req->name))
		return -EINVAL;

	mutex_lock(&sess->lock);
	if (sess->nr_atts >= MPOOL_SESSION_POOLS_MAX) {
		err = -EDQUOT;
		goto out;
	}
	up = mpool_upool_find(req->name);
	if (!up) {
		err = -ENOENT;
		goto out;
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
	req->buf_size = up->buf_size;
	req->buf_count = up->nr_bufs;
	req->engine = up->engine;
	err = mpool_att_commit(sess, att, file, arg, &req->pool_id,
			       &req->mmap_offset, &req->mmap_len);
out_put:
	mpool_upool_put(up);
out:
	mutex_unlock(&sess->lock);
	return err;
}

/**
 * mpool_ioctl_pool_destroy() - MPOOL_IOC_POOL_DESTROY
 * @file: the session's file
 * @arg: struct mpool_pool_destroy
 *
 * Like IPC_RMID: the user who created the pool, or CAP_SYS_ADMIN, judged
 * by the credentials the file was opened with: a descriptor passed to a
 * more privileged process lends it no rights (the confused deputy).
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_destroy(struct file *file, void *arg)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_destroy *req = arg;
	struct mpool_att *att;

	if (req->flags)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	if (!uid_eq(file->f_cred->euid, att->up->owner) &&
	    !file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return mpool_upool_destroy(att->up);
}

/**
 * mpool_ioctl_pool_stats() - MPOOL_IOC_POOL_STATS
 * @file: the session's file
 * @arg: struct mpool_pool_stats
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_pool_stats(struct file *file, void *arg)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_pool_stats *st = arg;
	struct mpool_upool *up;
	struct mpool_att *att;
	struct mpool_stats_sum sum;

	if (st->flags)
		return -EINVAL;
	att = mpool_session_att(sess, st->pool_id);
	if (!att)
		return -ENOENT;
	up = att->up;
	/* So that buffers no longer referenced from outside count as free. */
	mpool_upool_reclaim(up);

	/* The pool's per-CPU counters: lease and release count there already. */
	mpool_stats_read(up->pool, &sum);
	st->buf_size = up->buf_size;
	st->buf_count = up->nr_bufs;
	st->engine = up->engine;
	st->nr_free = max(atomic_read(&up->nr_free), 0);
	st->nr_leased = sum.leased;
	mutex_lock(&att->lock);
	st->nr_mine = att->nr_leased;
	mutex_unlock(&att->lock);
	st->nr_quarantined = READ_ONCE(up->nr_quarantined);
	st->nr_sessions = atomic_read(&up->nr_sessions);
	st->state = READ_ONCE(up->state) == MPOOL_UP_DEAD ? MPOOL_STATE_DESTROYED : 0;
	st->leases = sum.leases;
	st->releases = sum.releases;
	st->mmap_offset = (u64)att->id << MPOOL_MMAP_ID_SHIFT;
	st->mmap_len = up->bytes;
	memcpy(st->name, up->name, sizeof(st->name));
	return 0;
}

/**
 * mpool_session_exit() - module unload: no session is left
 */
void mpool_session_exit(void)
{
	ida_destroy(&mpool_att_ida);
}
