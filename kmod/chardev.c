// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool: the userspace face of the module.
 *
 * Every ioctl goes through one table indexed by command number. The size
 * encoded in the command is the caller's struct size: copy_struct_from_user()
 * lets older (shorter) structs in and refuses longer ones with a non-zero
 * tail, so structs can grow without new command numbers. A struct shorter
 * than the command's first version is refused, so a handler never works
 * from fields the caller did not know it was sending.
 *
 * Each open file is a session (session.c); its leases (lease.c) and
 * mappings (mmap.c) end with it, except buffers exported as dma-bufs
 * (export.c), which end with the dma-buf. A file holds a module reference
 * (fops owner), every mapping holds the file, and every dma-buf pins the
 * module too, so the module cannot go while a session, a mapping or a
 * dma-buf exists.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <uapi/linux/mempool.h>

#include "compat.h"
#include "internal.h"
#include "ioctl.h"
#include "session.h"
#include "upool.h"
#include "user.h"

struct mpool_ioctl_desc {
	unsigned int cmd;
	/* Shortest struct accepted: the size of the command's first version. */
	unsigned int min_size;
	/* Changes pools or leases: only on a file opened for writing. */
	bool write;
	int (*fn)(struct file *file, struct mpool_ioctl *io);
};

static const struct mpool_ioctl_desc mpool_ioctls[] = {
	[_IOC_NR(MPOOL_IOC_INFO)] = {
		MPOOL_IOC_INFO, 0, false, mpool_ioctl_info },
	[_IOC_NR(MPOOL_IOC_POOL_CREATE)] = {
		MPOOL_IOC_POOL_CREATE, MPOOL_POOL_CREATE_SIZE_VER0, true,
		mpool_ioctl_pool_create },
	[_IOC_NR(MPOOL_IOC_POOL_ATTACH)] = {
		MPOOL_IOC_POOL_ATTACH, sizeof(struct mpool_pool_attach), false,
		mpool_ioctl_pool_attach },
	[_IOC_NR(MPOOL_IOC_POOL_DESTROY)] = {
		MPOOL_IOC_POOL_DESTROY, sizeof(struct mpool_pool_destroy), true,
		mpool_ioctl_pool_destroy },
	[_IOC_NR(MPOOL_IOC_LEASE)] = {
		MPOOL_IOC_LEASE, sizeof(struct mpool_lease), true, mpool_ioctl_lease },
	[_IOC_NR(MPOOL_IOC_RELEASE)] = {
		MPOOL_IOC_RELEASE, sizeof(struct mpool_release), true,
		mpool_ioctl_release },
	[_IOC_NR(MPOOL_IOC_POOL_STATS)] = {
		MPOOL_IOC_POOL_STATS, MPOOL_POOL_STATS_SIZE_VER0, false,
		mpool_ioctl_pool_stats },
	[_IOC_NR(MPOOL_IOC_POOL_LIST)] = {
		MPOOL_IOC_POOL_LIST, sizeof(struct mpool_pool_list), false,
		mpool_ioctl_pool_list },
	/* Reading works read-only; the handler wants FMODE_WRITE for changes. */
	[_IOC_NR(MPOOL_IOC_POOL_CONFIG)] = {
		MPOOL_IOC_POOL_CONFIG, MPOOL_POOL_CONFIG_SIZE_VER0, false,
		mpool_ioctl_pool_config },
	[_IOC_NR(MPOOL_IOC_POOL_EVENTS)] = {
		MPOOL_IOC_POOL_EVENTS, sizeof(struct mpool_pool_events), false,
		mpool_ioctl_pool_events },
	[_IOC_NR(MPOOL_IOC_EXPORT)] = {
		MPOOL_IOC_EXPORT, sizeof(struct mpool_export), true, mpool_ioctl_export },
	[_IOC_NR(MPOOL_IOC_IMPORT)] = {
		MPOOL_IOC_IMPORT, sizeof(struct mpool_import), true, mpool_ioctl_import },
};

/* Large enough for the biggest struct in the table; checked at build time. */
#define MPOOL_IOCTL_MAX_SIZE	256

static long mpool_ioctl(struct file *file, unsigned int ucmd, unsigned long uarg)
{
	u8 kbuf[MPOOL_IOCTL_MAX_SIZE] __aligned(8);
	const struct mpool_ioctl_desc *desc;
	struct mpool_ioctl io;
	unsigned int nr = _IOC_NR(ucmd);
	size_t ksize, usize;
	int ret;

	static_assert(sizeof(struct mpool_info) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_create) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_attach) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_destroy) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_lease) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_release) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_stats) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_list) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_config) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_pool_events) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_export) <= MPOOL_IOCTL_MAX_SIZE);
	static_assert(sizeof(struct mpool_import) <= MPOOL_IOCTL_MAX_SIZE);

	if (_IOC_TYPE(ucmd) != MPOOL_IOC_MAGIC || nr >= ARRAY_SIZE(mpool_ioctls))
		return -ENOTTY;
	/* A user-chosen index: no speculative load past the table (Spectre v1). */
	desc = &mpool_ioctls[array_index_nospec(nr, ARRAY_SIZE(mpool_ioctls))];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;
	/* As write(2) on a file opened O_RDONLY. */
	if (desc->write && !(file->f_mode & FMODE_WRITE))
		return -EBADF;

	ksize = _IOC_SIZE(desc->cmd);
	usize = _IOC_SIZE(ucmd);
	if (usize < desc->min_size)
		return -EINVAL;
	io.arg = kbuf;
	io.uarg = (void __user *)uarg;
	/* An older caller gets the prefix it knows about. */
	io.out_size = _IOC_DIR(ucmd) & _IOC_READ ? min(ksize, usize) : 0;
	io.copied = false;
	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(kbuf, ksize, io.uarg, usize);
		if (ret)
			return ret;
	} else {
		memset(kbuf, 0, ksize);
	}

	ret = desc->fn(file, &io);
	if (ret || io.copied)
		return ret;
	return mpool_ioctl_copy_out(&io);
}

static int mpool_open(struct inode *inode, struct file *file)
{
	struct mpool_session *sess = mpool_session_new(file);

	if (!sess)
		return -ENOMEM;
	file->private_data = sess;
	return 0;
}

static int mpool_release(struct inode *inode, struct file *file)
{
	mpool_session_free(file->private_data);
	return 0;
}

static const struct file_operations mpool_fops = {
	.owner		= THIS_MODULE,
	.open		= mpool_open,
	.release	= mpool_release,
	.unlocked_ioctl	= mpool_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= mpool_mmap,
	.poll		= mpool_poll,
	.llseek		= noop_llseek,
};

static struct miscdevice mpool_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KBUILD_MODNAME,
	.fops	= &mpool_fops,
	.mode	= 0600,
};

DEFINE_SHOW_ATTRIBUTE(mpool_upool);
DEFINE_SHOW_ATTRIBUTE(mpool_user);

static struct dentry *mpool_upools_dentry, *mpool_users_dentry;

int mpool_chardev_init(void)
{
	int err = misc_register(&mpool_miscdev);

	if (err)
		return err;
	/* For operators: where the device's memory is, and who holds it. */
	mpool_upools_dentry = debugfs_create_file("upools", 0400, mpool_debugfs_root,
						  NULL, &mpool_upool_fops);
	mpool_users_dentry = debugfs_create_file("users", 0400, mpool_debugfs_root,
						 NULL, &mpool_user_fops);
	return 0;
}

void mpool_chardev_exit(void)
{
	debugfs_remove(mpool_users_dentry);
	debugfs_remove(mpool_upools_dentry);
	misc_deregister(&mpool_miscdev);
	/* No file is open (each holds a module reference): no session is left. */
	mpool_upool_exit();
	mpool_session_exit();
	mpool_user_exit();
}
