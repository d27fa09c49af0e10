// SPDX-License-Identifier: GPL-2.0
/*
 * Leasing buffers to a session and taking them back: the LEASE and RELEASE
 * ioctls, the end-of-session return, and poll().
 *
 * Both ioctls are all or nothing. A lease reserves, takes, zeroes and
 * copies the ids out before the session's bitmap shows the buffers as its
 * own, so a failure at any step leaves no trace. A release checks every id
 * before it changes anything, then revokes the mappings, and only then
 * lets the buffers go back to the pool.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "session.h"
#include "upool.h"

/* Ids handled per round when a session ends, without allocating. */
#define MPOOL_RETURN_BATCH	64

/**
 * mpool_ioctl_lease() - MPOOL_IOC_LEASE
 * @file: the session's file
 * @io: struct mpool_lease
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_lease(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_lease *req = io->arg;
	bool wait = req->flags & MPOOL_LEASE_F_WAIT;
	struct mpool_att *att;
	u32 *ids, i, n = req->count;
	int err;

	if (req->flags & ~MPOOL_LEASE_F_WAIT || req->reserved ||
	    (!wait && req->timeout_ns) || !n)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	if (n > MPOOL_BATCH_MAX || n > att->nr_bufs)
		return -E2BIG;

	ids = kmalloc_array(n, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!ids)
		return -ENOMEM;
	err = mpool_upool_lease(att->up, &sess->acct, ids, n, wait, req->timeout_ns);
	if (err)
		goto out;
	if (copy_to_user(u64_to_user_ptr(req->ids), ids, array_size(n, sizeof(*ids)))) {
		/* Never the session's: nothing to revoke. */
		mpool_upool_lease_abort(att->up, &sess->acct, ids, n);
		err = -EFAULT;
		goto out;
	}

	mutex_lock(&att->lock);
	for (i = 0; i < n; i++)
		__set_bit(ids[i], att->leased);
	att->nr_leased += n;
	mutex_unlock(&att->lock);
	mpool_upool_lease_commit(att->up, n);
out:
	kfree(ids);
	return err;
}

/**
 * mpool_ioctl_release() - MPOOL_IOC_RELEASE
 * @file: the session's file
 * @io: struct mpool_release
 *
 * Return: 0 or a negative errno (see uapi/linux/mempool.h).
 */
int mpool_ioctl_release(struct file *file, struct mpool_ioctl *io)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_release *req = io->arg;
	struct mpool_att *att;
	u32 *ids, i, n = req->count;
	bool mapped;
	int err = 0;

	if (req->flags || req->reserved || !n)
		return -EINVAL;
	att = mpool_session_att(sess, req->pool_id);
	if (!att)
		return -ENOENT;
	if (n > MPOOL_BATCH_MAX || n > att->nr_bufs)
		return -E2BIG;

	ids = kmalloc_array(n, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!ids)
		return -ENOMEM;
	if (copy_from_user(ids, u64_to_user_ptr(req->ids), array_size(n, sizeof(*ids)))) {
		err = -EFAULT;
		goto out;
	}

	mutex_lock(&att->lock);
	for (i = 0; i < n; i++) {
		/* Clearing as we go also catches an id given twice. */
		if (ids[i] >= att->nr_bufs || !__test_and_clear_bit(ids[i], att->leased)) {
			while (i--)
				__set_bit(ids[i], att->leased);
			mutex_unlock(&att->lock);
			err = -EINVAL;
			goto out;
		}
	}
	att->nr_leased -= n;
	mapped = att->mapped;
	mutex_unlock(&att->lock);

	/*
	 * The bits are clear, so no fault can map these buffers again; zap
	 * what is mapped before anybody else can lease them.
	 */
	if (mapped)
		mpool_revoke(att, ids, n);
	mpool_upool_release(att->up, &sess->acct, ids, n);
out:
	kfree(ids);
	return err;
}

/**
 * mpool_att_unlease() - the session stops holding one buffer, kept out
 * @att: the attachment
 * @idx: a buffer id from userspace
 * @mapped: set to whether the session ever mapped the pool, so that the
 *	caller revokes the buffer's mappings (mpool_revoke()) once it is
 *	sure the buffer leaves
 *
 * For an export: the buffer does not go back to the pool. No fault can
 * map it through the session from now on; undo with mpool_att_relet().
 *
 * Return: 0, or -EINVAL if the session holds no lease on @idx.
 */
int mpool_att_unlease(struct mpool_att *att, u32 idx, bool *mapped)
{
	int err = 0;

	mutex_lock(&att->lock);
	if (idx >= att->nr_bufs || !__test_and_clear_bit(idx, att->leased))
		err = -EINVAL;
	else
		att->nr_leased--;
	*mapped = att->mapped;
	mutex_unlock(&att->lock);
	return err;
}

/**
 * mpool_att_relet() - the session holds one more buffer, already out
 * @att: the attachment
 * @idx: a buffer below @att->nr_bufs that no session holds: one
 *	mpool_att_unlease() took, or an import
 */
void mpool_att_relet(struct mpool_att *att, u32 idx)
{
	mutex_lock(&att->lock);
	__set_bit(idx, att->leased);
	att->nr_leased++;
	mutex_unlock(&att->lock);
}

/**
 * mpool_att_return_all() - return every buffer an ending session holds
 * @att: an attachment of a session being freed (no mapping is left)
 *
 * Allocates nothing, so a session's end cannot lose a buffer.
 */
void mpool_att_return_all(struct mpool_att *att)
{
	u32 ids[MPOOL_RETURN_BATCH];
	unsigned int idx = 0, n;

	for (;;) {
		n = 0;
		mutex_lock(&att->lock);
		while (n < ARRAY_SIZE(ids)) {
			idx = find_next_bit(att->leased, att->nr_bufs, idx);
			if (idx >= att->nr_bufs)
				break;
			__clear_bit(idx, att->leased);
			ids[n++] = idx;
		}
		att->nr_leased -= n;
		mutex_unlock(&att->lock);
		if (!n)
			break;
		mpool_upool_release(att->up, &att->sess->acct, ids, n);
		cond_resched();
	}
}

/**
 * mpool_poll() - EPOLLIN while a pool of the session has a free buffer
 * @file: the session's file
 * @wait: the poll table
 *
 * epoll registers on the wait queues of the pools attached when it first
 * polls; a pool attached later is seen only by poll()/select().
 *
 * Return: the event mask.
 */
__poll_t mpool_poll(struct file *file, poll_table *wait)
{
	struct mpool_session *sess = file->private_data;
	struct mpool_att *att;
	__poll_t mask = 0;
	unsigned long id;

	xa_for_each(&sess->atts, id, att) {
		mpool_upool_poll_wait(att->up, file, wait);
		if (mpool_upool_ready(att->up))
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	return mask;
}
