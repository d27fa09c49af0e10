// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Messages for the library's negative errno codes. The codes that mean
 * something particular here get text that says what, in the words of the
 * uapi header; the rest get the C library's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "internal.h"

const char *mpl_strerror(int err)
{
	const char *msg;

	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case EAGAIN:
		return "pool has too few free buffers";
	case EDQUOT:
		return "quota reached (the session's pools or leases, or your user's pools, "
		       "bytes or leases: see 'mempoolctl info')";
	case ENOSPC:
		return "module limit reached (max_pools or max_bytes)";
	case EIDRM:
		return "pool was destroyed";
	case EEXIST:
		return "a pool of that name exists";
	case E2BIG:
		return "batch larger than the pool or MPOOL_BATCH_MAX";
	case ENOTTY:
		return "not a mempool device, or the module is too old";
	}
	/* Thread-safe, unlike strerror(): the table's own string. */
	msg = strerrordesc_np(err);
	return msg ? msg : "unknown error";
}
