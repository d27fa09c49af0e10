/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One /dev/mempool ioctl in flight, as the dispatcher (chardev.c) hands it
 * to a handler: the kernel copy of the caller's struct and where the result
 * goes. Most handlers only fill @arg in and let the dispatcher copy it out.
 * Create and attach must not make anything visible before the caller has
 * its result ("publish last"), so they copy out themselves, in the middle,
 * with mpool_ioctl_copy_out(); the dispatcher then copies nothing more.
 */
#ifndef _MPOOL_IOCTL_H
#define _MPOOL_IOCTL_H

#include <linux/types.h>
#include <linux/uaccess.h>

struct mpool_ioctl {
	void *arg;		/* kernel copy of the caller's struct */
	void __user *uarg;	/* the caller's struct */
	size_t out_size;	/* bytes to copy back: 0 for _IOW commands */
	bool copied;		/* the handler copied out already */
};

/**
 * mpool_ioctl_copy_out() - give the caller its result now
 * @io: the ioctl in flight
 *
 * Return: 0 or -EFAULT.
 */
static inline int mpool_ioctl_copy_out(struct mpool_ioctl *io)
{
	if (io->out_size && copy_to_user(io->uarg, io->arg, io->out_size))
		return -EFAULT;
	io->copied = true;
	return 0;
}

#endif /* _MPOOL_IOCTL_H */
