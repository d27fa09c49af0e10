/* SPDX-License-Identifier: GPL-2.0 */
/*
 * raw_spinlock_t on a pthread mutex.  A mutex rather than a spinning lock
 * because userspace threads can be preempted while holding it and the tests
 * run more threads than cores; TSan understands both the same way (the lock
 * gives happens-before from unlock to the next lock, as in the kernel).
 * There are no IRQs in userspace, so the _irqsave variants only set flags.
 */
#ifndef _MPOOL_SHIM_LINUX_SPINLOCK_H
#define _MPOOL_SHIM_LINUX_SPINLOCK_H

#include <pthread.h>
#include <stdlib.h>

typedef struct {
	pthread_mutex_t mutex;
} raw_spinlock_t;

typedef raw_spinlock_t spinlock_t;

static inline void __mpool_shim_lock(raw_spinlock_t *l)
{
	if (pthread_mutex_lock(&l->mutex))
		abort();
}

static inline void __mpool_shim_unlock(raw_spinlock_t *l)
{
	if (pthread_mutex_unlock(&l->mutex))
		abort();
}

#define raw_spin_lock_init(l)	pthread_mutex_init(&(l)->mutex, NULL)
#define raw_spin_lock(l)	__mpool_shim_lock(l)
#define raw_spin_unlock(l)	__mpool_shim_unlock(l)
#define raw_spin_lock_irqsave(l, flags) \
	do { (flags) = 0; __mpool_shim_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, flags) \
	do { (void)(flags); __mpool_shim_unlock(l); } while (0)

#define spin_lock_init		raw_spin_lock_init
#define spin_lock		raw_spin_lock
#define spin_unlock		raw_spin_unlock
#define spin_lock_irqsave	raw_spin_lock_irqsave
#define spin_unlock_irqrestore	raw_spin_unlock_irqrestore

#endif
