/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/types.h>.  The uapi header of the
 * same name supplies __u32 and friends (and other system headers include it),
 * so pull it in and add the kernel-internal names on top.
 */
#ifndef _MPOOL_SHIM_LINUX_TYPES_H
#define _MPOOL_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

#endif
