/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_t and atomic64_t on GCC __atomic builtins, with the orderings
 * Documentation/atomic_t.txt gives them:
 *  - atomic_read()/atomic_set() are relaxed; _acquire/_release as named.
 *  - try_cmpxchg: the unsuffixed form is fully ordered, the suffixed ones as
 *    named, and a *failed* cmpxchg orders nothing in any form (the failure
 *    order is always relaxed here), so code that relied on a failed cmpxchg
 *    for ordering is caught by TSan as it would be wrong in the kernel.
 * On failure *old is updated to the current value, as in the kernel.
 */
#ifndef _MPOOL_SHIM_LINUX_ATOMIC_H
#define _MPOOL_SHIM_LINUX_ATOMIC_H

#include <linux/compiler.h>
#include <linux/types.h>

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }

#define __mpool_shim_cmpxchg(v, old, new, mo) \
	__atomic_compare_exchange_n(&(v)->counter, (old), (new), false, (mo), __ATOMIC_RELAXED)

/* atomic_t */

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline int atomic_read_acquire(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_set_release(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);
}

static inline bool atomic_try_cmpxchg(atomic_t *v, int *old, int new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_SEQ_CST);
}

static inline bool atomic_try_cmpxchg_acquire(atomic_t *v, int *old, int new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_ACQUIRE);
}

static inline bool atomic_try_cmpxchg_release(atomic_t *v, int *old, int new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_RELEASE);
}

static inline bool atomic_try_cmpxchg_relaxed(atomic_t *v, int *old, int new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_RELAXED);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline int atomic_fetch_add_relaxed(int i, atomic_t *v)
{
	return __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED);
}

static inline void atomic_dec(atomic_t *v)
{
	__atomic_fetch_sub(&v->counter, 1, __ATOMIC_RELAXED);
}

/* atomic64_t */

static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline s64 atomic64_read_acquire(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic64_set_release(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);
}

static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_SEQ_CST);
}

static inline bool atomic64_try_cmpxchg_acquire(atomic64_t *v, s64 *old, s64 new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_ACQUIRE);
}

static inline bool atomic64_try_cmpxchg_release(atomic64_t *v, s64 *old, s64 new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_RELEASE);
}

static inline bool atomic64_try_cmpxchg_relaxed(atomic64_t *v, s64 *old, s64 new)
{
	return __mpool_shim_cmpxchg(v, old, new, __ATOMIC_RELAXED);
}

/*
 * Barriers, should shared code need them.  TSan does not model standalone
 * fences (it sees no happens-before through them), which is one reason the
 * algorithms use acquire/release accesses instead.
 */
#define smp_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

#define smp_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif
