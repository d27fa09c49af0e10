// SPDX-License-Identifier: GPL-2.0
/*
 * A program built against libmempool 1.0: this file includes neither
 * <mempool.h> nor the UAPI header, but declares what their first versions
 * did (the structs as long as they were then, the functions that wrote
 * into them without a size). abi_test.c calls in here with a session on
 * its fake device, and checks the guard bytes behind each struct: the
 * library of today must write nothing past what a 1.0 program allocated.
 */
#include <stdint.h>
#include <string.h>

#include "abi.h"

/* <linux/mempool.h> as API version 1 first published it: 64 bytes. */
struct mpool_info {
	uint32_t api_version, flags;
	uint64_t features;
	uint32_t max_pools, reserved;
	uint64_t max_bytes, bytes_used, max_buf_size;
	uint32_t max_buf_count, max_batch, max_session_leases, nr_pools;
};

/* 104 bytes. */
struct mpool_pool_stats {
	uint32_t pool_id, flags;
	uint64_t buf_size;
	uint32_t buf_count, engine, nr_free, nr_leased, nr_mine, nr_quarantined;
	uint32_t nr_sessions, state;
	uint64_t leases, releases, mmap_offset, mmap_len;
	char name[24];
};

/* <mempool.h> 1.0. */
struct mpl_dev;
struct mpl_pool;
struct mpl_pool_config {
	const char *name;
	uint32_t engine;
	uint64_t buf_size;
	uint32_t buf_count;
	int node;
	uint32_t flags;
};
struct mpl_counters {
	uint64_t lease_calls, release_calls, leased, released, gets, puts;
};
int mpl_info(struct mpl_dev *dev, struct mpool_info *info);
int mpl_pool_create(struct mpl_dev *dev, const struct mpl_pool_config *cfg,
		    struct mpl_pool **poolp);
int mpl_pool_stats(struct mpl_pool *pool, struct mpool_pool_stats *st);
void mpl_pool_counters(struct mpl_pool *pool, struct mpl_counters *c);

_Static_assert(sizeof(struct mpool_info) == 64, "1.0 layout");
_Static_assert(sizeof(struct mpool_pool_stats) == 104, "1.0 layout");
_Static_assert(sizeof(struct mpl_counters) == 48, "1.0 layout");

#define GUARDED(type)	struct { type s; unsigned char guard[GUARD_LEN]; }

int abi_old_info(struct mpl_dev *dev, struct abi_seen *seen)
{
	GUARDED(struct mpool_info) b;
	int err;

	memset(&b, GUARD_BYTE, sizeof(b));
	err = mpl_info(dev, &b.s);
	seen->size = sizeof(b.s);
	seen->api_version = b.s.api_version;
	seen->guard_ok = guard_intact(b.guard);
	return err;
}

int abi_old_create(struct mpl_dev *dev, const char *name, struct mpl_pool **poolp)
{
	struct mpl_pool_config cfg = {
		.name = name, .engine = 1, .buf_size = 4096, .buf_count = 8, .node = -1,
	};

	return mpl_pool_create(dev, &cfg, poolp);
}

int abi_old_stats(struct mpl_pool *pool, struct abi_seen *seen)
{
	GUARDED(struct mpool_pool_stats) b;
	int err;

	memset(&b, GUARD_BYTE, sizeof(b));
	err = mpl_pool_stats(pool, &b.s);
	seen->size = sizeof(b.s);
	seen->buf_count = b.s.buf_count;
	seen->guard_ok = guard_intact(b.guard);
	return err;
}

void abi_old_counters(struct mpl_pool *pool, struct abi_seen *seen)
{
	GUARDED(struct mpl_counters) b;

	memset(&b, GUARD_BYTE, sizeof(b));
	mpl_pool_counters(pool, &b.s);
	seen->size = sizeof(b.s);
	seen->lease_calls = b.s.lease_calls;
	seen->guard_ok = guard_intact(b.guard);
}
