/* SPDX-License-Identifier: GPL-2.0 */
/* Between abi_test.c (today's headers) and abi_old.c (1.0's). */
#ifndef ABI_H
#define ABI_H

#include <stdbool.h>
#include <stdint.h>

#define GUARD_LEN	64
#define GUARD_BYTE	0xEE

struct mpl_dev;
struct mpl_pool;

/* What a call left in the caller's struct. */
struct abi_seen {
	unsigned long size;
	uint32_t api_version, buf_count;
	uint64_t lease_calls;
	bool guard_ok;
};

static inline bool guard_intact(const unsigned char *g)
{
	for (int i = 0; i < GUARD_LEN; i++) {
		if (g[i] != GUARD_BYTE)
			return false;
	}
	return true;
}

int abi_old_info(struct mpl_dev *dev, struct abi_seen *seen);
int abi_old_create(struct mpl_dev *dev, const char *name, struct mpl_pool **poolp);
int abi_old_stats(struct mpl_pool *pool, struct abi_seen *seen);
void abi_old_counters(struct mpl_pool *pool, struct abi_seen *seen);

#endif
