/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mempool.ko userspace API: /dev/mempool ioctls.
 *
 * Rules every struct here follows: fixed-width fields, no implicit padding,
 * sizes a multiple of 8, user pointers carried as __u64. Structs may grow at
 * the end: the kernel accepts a shorter (older) struct and rejects a longer
 * one whose extra bytes are not zero (-E2BIG). Reserved and flag bits the
 * kernel does not know are rejected with -EINVAL; unknown commands get
 * -ENOTTY.
 */
#ifndef _UAPI_LINUX_MEMPOOL_H
#define _UAPI_LINUX_MEMPOOL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MPOOL_DEVICE		"/dev/mempool"
#define MPOOL_API_VERSION	1

/* Not listed in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define MPOOL_IOC_MAGIC		0xBD

/**
 * struct mpool_info - what this module supports
 * @api_version: out: MPOOL_API_VERSION of the running module
 * @flags: in: must be zero
 * @features: out: MPOOL_FEAT_* bits the module implements
 * @max_pools: out: how many pools may exist at once
 * @reserved: must be zero
 */
struct mpool_info {
	__u32 api_version;
	__u32 flags;
	__u64 features;
	__u32 max_pools;
	__u32 reserved;
};

#define MPOOL_IOC_INFO		_IOWR(MPOOL_IOC_MAGIC, 0x00, struct mpool_info)

#endif /* _UAPI_LINUX_MEMPOOL_H */
