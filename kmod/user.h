/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-user accounting of /dev/mempool: what each user (kuid) holds, with
 * caps of its own below the module's global ones, the way RLIMIT_MEMLOCK
 * and the kernel's ucounts keep one user from taking what others need.
 *
 * A user pool charges its pool and bytes to its creator until its memory is
 * really gone (quarantined pages included); a lease charges the leasing
 * session's user until released. The caps are module parameters;
 * CAP_SYS_RESOURCE in the opener's credentials lifts them (the usage is
 * still counted), never the global ones.
 */
#ifndef _MPOOL_USER_H
#define _MPOOL_USER_H

#include <linux/atomic.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct seq_file;

enum mpool_user_res {
	MPOOL_RES_POOLS,
	MPOOL_RES_BYTES,
	MPOOL_RES_LEASES,
	MPOOL_NR_RES,
};

struct mpool_user {
	kuid_t uid;
	refcount_t ref;
	atomic64_t used[MPOOL_NR_RES];
};

/*
 * Who a session acts for, fixed when the device was opened: the opener's
 * credentials and euid, whether they lift the per-user caps
 * (CAP_SYS_RESOURCE) and every pool's access mode and owner checks
 * (CAP_SYS_ADMIN). Also the session's own lease count, which has a cap of
 * its own.
 */
struct mpool_account {
	const struct cred *cred;
	struct mpool_user *user;
	bool unlimited;
	bool admin;
	atomic_t nr_leases;
};

struct mpool_user *mpool_user_get(kuid_t uid);
struct mpool_user *mpool_user_hold(struct mpool_user *user);
void mpool_user_put(struct mpool_user *user);
int mpool_user_charge(struct mpool_user *user, enum mpool_user_res res, u64 n,
		      bool unlimited);
void mpool_user_uncharge(struct mpool_user *user, enum mpool_user_res res, u64 n);
u64 mpool_user_used(const struct mpool_user *user, enum mpool_user_res res);
u64 mpool_user_cap(enum mpool_user_res res);
int mpool_user_show(struct seq_file *m, void *unused);
void mpool_user_exit(void);

#endif /* _MPOOL_USER_H */
