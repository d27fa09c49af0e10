/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MPOOL_SHIM_LINUX_CACHE_H
#define _MPOOL_SHIM_LINUX_CACHE_H

/* x86-64 and most arm64 parts; only affects layout, never correctness. */
#define SMP_CACHE_BYTES		64
#define L1_CACHE_BYTES		SMP_CACHE_BYTES

#define ____cacheline_aligned		__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp	____cacheline_aligned

#endif
