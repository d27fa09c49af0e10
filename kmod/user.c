// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounting of /dev/mempool (see user.h): one entry per kuid that
 * holds anything or has a session open, found in an xarray keyed by the
 * uid's global value and freed with its last reference.
 */
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "compat.h"
#include "user.h"

/* Each a quarter of its global counterpart: one user leaves room for three. */
static unsigned int mpool_max_user_pools = 64;
module_param_named(max_user_pools, mpool_max_user_pools, uint, 0644);
MODULE_PARM_DESC(max_user_pools, "Most /dev/mempool pools one user may own");

static unsigned long mpool_max_user_bytes = 64UL << 20;
module_param_named(max_user_bytes, mpool_max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes, "Most buffer memory one user's /dev/mempool pools may hold (bytes)");

static unsigned int mpool_max_user_leases = 16384;
module_param_named(max_user_leases, mpool_max_user_leases, uint, 0644);
MODULE_PARM_DESC(max_user_leases, "Most buffers one user's /dev/mempool sessions may hold");

/* Lookups and the last put; the counters themselves are atomics. */
static DEFINE_MUTEX(mpool_users_lock);
static DEFINE_XARRAY(mpool_users);

/**
 * mpool_user_get() - the accounting entry of @uid, made on first use
 * @uid: the user
 *
 * Context: process context.
 * Return: the entry with a new reference, or ERR_PTR(-ENOMEM).
 */
struct mpool_user *mpool_user_get(kuid_t uid)
{
	unsigned long key = __kuid_val(uid);
	struct mpool_user *user;
	int err;

	mutex_lock(&mpool_users_lock);
	user = xa_load(&mpool_users, key);
	if (user) {
		refcount_inc(&user->ref);
		goto out;
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user) {
		user = ERR_PTR(-ENOMEM);
		goto out;
	}
	user->uid = uid;
	refcount_set(&user->ref, 1);
	err = xa_err(xa_store(&mpool_users, key, user, GFP_KERNEL));
	if (err) {
		kfree(user);
		user = ERR_PTR(err);
	}
out:
	mutex_unlock(&mpool_users_lock);
	return user;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_get);

/**
 * mpool_user_hold() - another reference on an entry the caller holds
 * @user: the entry
 *
 * Return: @user.
 */
struct mpool_user *mpool_user_hold(struct mpool_user *user)
{
	refcount_inc(&user->ref);
	return user;
}

/**
 * mpool_user_put() - drop a reference; the last one frees the entry
 * @user: the entry, which by then holds nothing
 *
 * Context: process context.
 */
void mpool_user_put(struct mpool_user *user)
{
	if (!refcount_dec_and_mutex_lock(&user->ref, &mpool_users_lock))
		return;
	xa_erase(&mpool_users, __kuid_val(user->uid));
	mutex_unlock(&mpool_users_lock);
	kfree(user);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_put);

/**
 * mpool_user_cap() - the per-user cap on @res
 * @res: which resource
 *
 * Return: the cap, as the module parameter says now.
 */
u64 mpool_user_cap(enum mpool_user_res res)
{
	switch (res) {
	case MPOOL_RES_POOLS:
		return READ_ONCE(mpool_max_user_pools);
	case MPOOL_RES_BYTES:
		return READ_ONCE(mpool_max_user_bytes);
	case MPOOL_RES_LEASES:
		return READ_ONCE(mpool_max_user_leases);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_cap);

/**
 * mpool_user_charge() - count @n more of @res against @user
 * @user: the entry
 * @res: which resource
 * @n: how much
 * @unlimited: the caller's credentials lift the cap: count, never refuse
 *
 * Return: 0, or -EDQUOT if the user would go over its cap (nothing is
 * charged then).
 */
int mpool_user_charge(struct mpool_user *user, enum mpool_user_res res, u64 n,
		      bool unlimited)
{
	u64 cap = min_t(u64, mpool_user_cap(res), S64_MAX);
	atomic64_t *used = &user->used[res];
	s64 old = atomic64_read(used);

	if (unlimited) {
		atomic64_add(n, used);
		return 0;
	}
	/* Unsigned, so that no @n wraps past the cap; usage stays below S64_MAX. */
	do {
		if (n > cap || (u64)old > cap - n)
			return -EDQUOT;
	} while (!atomic64_try_cmpxchg(used, &old, old + n));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_charge);

/**
 * mpool_user_uncharge() - undo mpool_user_charge()
 * @user: the entry
 * @res: which resource
 * @n: as much as was charged
 */
void mpool_user_uncharge(struct mpool_user *user, enum mpool_user_res res, u64 n)
{
	atomic64_sub(n, &user->used[res]);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_uncharge);

/**
 * mpool_user_used() - what @user holds of @res now
 * @user: the entry
 * @res: which resource
 *
 * Return: the count.
 */
u64 mpool_user_used(const struct mpool_user *user, enum mpool_user_res res)
{
	return atomic64_read(&user->used[res]);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_user_used);

/**
 * mpool_user_show() - debugfs "users": one line per user that holds anything
 * @m: the seq_file
 * @unused: unused
 *
 * Return: 0.
 */
int mpool_user_show(struct seq_file *m, void *unused)
{
	struct mpool_user *user;
	unsigned long key;

	seq_printf(m, "%-10s %6s %12s %8s\n", "uid", "pools", "bytes", "leases");
	seq_printf(m, "%-10s %6llu %12llu %8llu\n", "cap",
		   mpool_user_cap(MPOOL_RES_POOLS), mpool_user_cap(MPOOL_RES_BYTES),
		   mpool_user_cap(MPOOL_RES_LEASES));
	mutex_lock(&mpool_users_lock);
	xa_for_each(&mpool_users, key, user) {
		seq_printf(m, "%-10u %6llu %12llu %8llu\n",
			   from_kuid_munged(&init_user_ns, user->uid),
			   mpool_user_used(user, MPOOL_RES_POOLS),
			   mpool_user_used(user, MPOOL_RES_BYTES),
			   mpool_user_used(user, MPOOL_RES_LEASES));
	}
	mutex_unlock(&mpool_users_lock);
	return 0;
}

/**
 * mpool_user_exit() - module unload: every entry is gone
 */
void mpool_user_exit(void)
{
	WARN_ON_ONCE(!xa_empty(&mpool_users));
	xa_destroy(&mpool_users);
}
