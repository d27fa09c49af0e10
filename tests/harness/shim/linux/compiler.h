/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/compiler.h> (with the READ_ONCE()/WRITE_ONCE() that the
 * kernel gets from <asm/rwonce.h> through it).
 *
 * READ_ONCE()/WRITE_ONCE() become relaxed __atomic accesses rather than the
 * volatile casts of tools/virtio/ringtest: the kernel memory model treats them
 * as marked accesses that KCSAN does not report against each other, and
 * relaxed atomics are what tell ThreadSanitizer the same thing.  A race between
 * a marked and a plain access is still reported, as KCSAN would.  Relaxed also
 * means they order nothing, so TSan sees no happens-before the kernel would
 * not have either.
 */
#ifndef _MPOOL_SHIM_LINUX_COMPILER_H
#define _MPOOL_SHIM_LINUX_COMPILER_H

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define barrier()	__asm__ __volatile__("" ::: "memory")

#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/*
 * KCSAN ignores the access inside data_race(); TSan has no per-expression
 * equivalent, so a plain access in here would still be reported.  Put marked
 * accesses inside it (as the kernel allows) when using it from shared code.
 */
#define data_race(expr)		({ __typeof__(expr) __v = (expr); __v; })

#endif
