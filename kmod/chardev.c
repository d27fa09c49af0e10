// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mempool: the userspace face of the module.
 *
 * Every ioctl goes through one table indexed by command number. The size
 * encoded in the command is the caller's struct size: copy_struct_from_user()
 * lets older (shorter) structs in and refuses longer ones with a non-zero
 * tail, so structs can grow without new command numbers.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <uapi/linux/mempool.h>

#include "compat.h"
#include "internal.h"

#define MPOOL_FEATURES		0ULL
#define MPOOL_MAX_POOLS		64

VISIBLE_IF_KUNIT int mpool_ioctl_info(struct file *file, void *arg)
{
	struct mpool_info *info = arg;

	if (info->flags || info->reserved)
		return -EINVAL;
	info->api_version = MPOOL_API_VERSION;
	info->features = MPOOL_FEATURES;
	info->max_pools = MPOOL_MAX_POOLS;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_ioctl_info);

struct mpool_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct file *file, void *arg);
};

static const struct mpool_ioctl_desc mpool_ioctls[] = {
	[_IOC_NR(MPOOL_IOC_INFO)] = { MPOOL_IOC_INFO, mpool_ioctl_info },
};

/* Large enough for the biggest struct in the table; checked at build time. */
#define MPOOL_IOCTL_MAX_SIZE	64

static long mpool_ioctl(struct file *file, unsigned int ucmd, unsigned long uarg)
{
	const struct mpool_ioctl_desc *desc;
	void __user *ubuf = (void __user *)uarg;
	u8 kbuf[MPOOL_IOCTL_MAX_SIZE] __aligned(8);
	unsigned int nr = _IOC_NR(ucmd);
	size_t ksize, usize;
	int ret;

	static_assert(sizeof(struct mpool_info) <= MPOOL_IOCTL_MAX_SIZE);

	if (_IOC_TYPE(ucmd) != MPOOL_IOC_MAGIC || nr >= ARRAY_SIZE(mpool_ioctls))
		return -ENOTTY;
	desc = &mpool_ioctls[nr];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;

	ksize = _IOC_SIZE(desc->cmd);
	usize = _IOC_SIZE(ucmd);
	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(kbuf, ksize, ubuf, usize);
		if (ret)
			return ret;
	} else {
		memset(kbuf, 0, ksize);
	}

	ret = desc->fn(file, kbuf);
	if (ret)
		return ret;

	/* An older caller gets the prefix it knows about. */
	if ((_IOC_DIR(ucmd) & _IOC_READ) && copy_to_user(ubuf, kbuf, min(ksize, usize)))
		return -EFAULT;
	return 0;
}

static const struct file_operations mpool_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mpool_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mpool_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KBUILD_MODNAME,
	.fops	= &mpool_fops,
	.mode	= 0600,
};

int mpool_chardev_init(void)
{
	return misc_register(&mpool_miscdev);
}

void mpool_chardev_exit(void)
{
	misc_deregister(&mpool_miscdev);
}
