/* SPDX-License-Identifier: GPL-2.0 */
/* The uapi <linux/errno.h> already has the numbers kernel code uses (ENOMEM...). */
#ifndef _MPOOL_SHIM_LINUX_ERRNO_H
#define _MPOOL_SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif
