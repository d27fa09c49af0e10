/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User pools: the pools /dev/mempool makes, behind functions. The session
 * layer (session.c, lease.c, mmap.c, export.c) holds references and calls
 * these; it never sees inside struct mpool_upool.
 *
 * Lifetime. A user pool is named (attachable) from publication until it is
 * destroyed: by POOL_DESTROY, by module unload or, for a session-scoped
 * pool, when the last session of its creator attached to it ends. The name
 * holds one reference, every attachment one and every exported buffer's
 * dma-buf one; the last put frees the pool, except that buffers still
 * quarantined keep its memory (and its charges) until whatever references
 * their pages lets go.
 */
#ifndef _MPOOL_UPOOL_H
#define _MPOOL_UPOOL_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/mempool.h>

struct file;
struct mpool_account;
struct mpool_upool;
struct mpool_user;
struct page;
struct poll_table_struct;
struct seq_file;
struct user_namespace;

#define MPOOL_MAX_BUF_COUNT	65536U
/* Most bytes one pool may hold: its mmap window (session.h) is this big. */
#define MPOOL_MAX_POOL_BYTES	BIT_ULL(32)
/* User pools that may exist at once, destroyed ones still holding memory included. */
#define MPOOL_MAX_POOLS		256

/* How a fault mapped (part of) a huge pool's buffer: POOL_STATS counts them. */
enum mpool_map {
	MPOOL_MAP_PMD,			/* 2 MiB with one PMD entry */
	MPOOL_MAP_PTE_MISALIGNED,	/* a PTE: the VMA does not fit a PMD there */
	MPOOL_MAP_PTE_DISABLED,		/* a PTE: THP is off for the VMA */
	MPOOL_MAP_PTE_OTHER,		/* a PTE: a page table was there, or 6.1 */
	MPOOL_NR_MAPS,
};

bool mpool_upool_name_valid(const char *name);
int mpool_upool_check(const struct mpool_pool_create *req);
struct mpool_upool *mpool_upool_create(const struct mpool_pool_create *req,
				       struct mpool_account *creator);
void mpool_upool_publish(struct mpool_upool *up);
void mpool_upool_abort(struct mpool_upool *up);
struct mpool_upool *mpool_upool_find(const char *name);
bool mpool_upool_owned_by(const struct mpool_upool *up, const struct mpool_account *acct);
int mpool_upool_destroy(struct mpool_upool *up);

void mpool_upool_attach(struct mpool_upool *up, struct mpool_account *acct);
void mpool_upool_detach(struct mpool_upool *up, struct mpool_account *acct);
void mpool_upool_get(struct mpool_upool *up);
void mpool_upool_put(struct mpool_upool *up);

int mpool_upool_lease(struct mpool_upool *up, struct mpool_account *acct,
		      u32 *ids, u32 n, bool wait, u64 timeout_ns);
void mpool_upool_lease_commit(struct mpool_upool *up, u32 n);
void mpool_upool_lease_abort(struct mpool_upool *up, struct mpool_account *acct,
			     const u32 *ids, u32 n);
void mpool_upool_release(struct mpool_upool *up, struct mpool_account *acct,
			 const u32 *ids, u32 n);
struct mpool_user *mpool_upool_export(struct mpool_upool *up, struct mpool_account *acct);
void mpool_upool_unexport(struct mpool_upool *up, struct mpool_user *user, u32 idx);
int mpool_upool_import(struct mpool_upool *up, struct mpool_user *user,
		       struct mpool_account *acct, u32 idx);
bool mpool_upool_destroyed(const struct mpool_upool *up);
bool mpool_upool_ready(struct mpool_upool *up);
void mpool_upool_poll_wait(struct mpool_upool *up, struct file *file,
			   struct poll_table_struct *wait);

u32 mpool_upool_nr_bufs(const struct mpool_upool *up);
u32 mpool_upool_max_bufs(const struct mpool_upool *up);
u32 mpool_upool_buf_pages(const struct mpool_upool *up);
u64 mpool_upool_buf_size(const struct mpool_upool *up);
u64 mpool_upool_window(const struct mpool_upool *up);
u32 mpool_upool_engine(const struct mpool_upool *up);
const char *mpool_upool_name(const struct mpool_upool *up);
struct page *mpool_upool_page(struct mpool_upool *up, u32 idx, u32 pg);
void mpool_upool_count_map(struct mpool_upool *up, enum mpool_map how);
void mpool_upool_stats(struct mpool_upool *up, struct mpool_pool_stats *st,
		       struct user_namespace *ns);
bool mpool_upool_may_attach(const struct mpool_upool *up, const struct mpool_account *acct);
int mpool_upool_config(struct mpool_upool *up, struct mpool_account *acct,
		       struct mpool_pool_config *cfg);
struct file *mpool_upool_events_open(struct mpool_upool *up, size_t rsize);

u32 mpool_upool_list(struct mpool_pool_entry *out, u32 room,
		     const struct mpool_account *acct);
void mpool_upool_info(struct mpool_info *info, const struct mpool_account *acct);
int mpool_upool_show(struct seq_file *m, void *unused);
void mpool_upool_exit(void);

#endif /* _MPOOL_UPOOL_H */
