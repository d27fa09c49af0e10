/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MPOOL_SHIM_LINUX_PROCESSOR_H
#define _MPOOL_SHIM_LINUX_PROCESSOR_H

#include <sched.h>

/*
 * The kernel's cpu_relax() is a pause hint: callers spin on another CPU that
 * is a few instructions from done with IRQs off.  A userspace thread has no way
 * to keep from being preempted mid-operation, so the thread we wait on may be
 * off-CPU for a whole time slice (always so when there are more threads than
 * cores, as in these tests); yield so it gets to finish.  Not a sleep: nothing
 * waits for time to pass, only for the other thread to run.
 */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
	sched_yield();
}

#endif
