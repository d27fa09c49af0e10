/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common code for the userspace tests of kmod/include/linux/mpool/ headers, in the manner of
 * tools/virtio/ringtest: one binary per algorithm, linked with main.c, which
 * parses the options and calls run_tests().  The algorithm headers are the
 * kernel's own, compiled against shim/linux/ (see the Makefile).
 *
 * Objects are u32 indices, as in the module.  Every test that moves indices
 * between threads keeps an ownership bitmap (an index handed out must not be
 * owned already, an index handed back must be owned by the giver) and a plain,
 * non-atomic payload word per index that the owner writes and checks.  The
 * payload is what lets ThreadSanitizer check the algorithms' ordering: the
 * only happens-before between two owners of an index is the one the algorithm
 * provides, so a missing acquire or release shows up as a data race on it.
 * The bitmap itself is updated with relaxed atomics so that it adds none.
 */
#ifndef MPOOL_HARNESS_H
#define MPOOL_HARNESS_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/limits.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct harness_opts {
	unsigned int threads;	/* worker threads for the concurrent tests */
	unsigned long ops;	/* operations per worker thread */
	unsigned long seed;
};

extern struct harness_opts opt;

/* Implemented by each test program. */
extern const char *alg_name;
void run_tests(void);

void __attribute__((noreturn, format(printf, 3, 4)))
check_failed(const char *file, int line, const char *fmt, ...);

#define CHECK(cond) do {						\
	if (!(cond))							\
		check_failed(__FILE__, __LINE__, "%s", #cond);		\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long __a = (a), __b = (b);			\
	if (__a != __b)							\
		check_failed(__FILE__, __LINE__, "%s == %s: %llu != %llu", \
			     #a, #b, __a, __b);				\
} while (0)

/* Announces a test case; test_ok() closes it. */
void test_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_ok(void);

/* xorshift64*: cheap, per thread, reproducible from opt.seed. */
struct rng {
	u64 s;
};

static inline void rng_init(struct rng *r, u64 seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!r->s)
		r->s = 1;
}

static inline u64 rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static inline unsigned int rng_below(struct rng *r, unsigned int n)
{
	return (unsigned int)((rng_next(r) >> 32) % n);
}

/* Ownership bitmap plus payload, see the top comment. */
struct owners {
	u64 *bits;
	u32 *payload;
	u32 nr;
};

void owners_init(struct owners *o, u32 nr);
void owners_destroy(struct owners *o);
/* @idx was just handed to @who: it must not have been owned. */
void owner_take(struct owners *o, u32 idx, u32 who);
/* @who is about to hand @idx back: it must own it. */
void owner_give(struct owners *o, u32 idx, u32 who);

/* End-of-test accounting: every index exactly once. */
struct tally {
	u8 *seen;
	u32 nr;
	u32 count;
};

void tally_init(struct tally *t, u32 nr);
void tally_add(struct tally *t, u32 idx);
void tally_complete(struct tally *t);	/* checks all nr seen, then frees */

/* Worker threads, released together by a barrier and joined. */
struct worker {
	unsigned int id;
	unsigned int nr;	/* workers in this run */
	struct rng rng;
	void *arg;
	pthread_t thread;
	pthread_barrier_t *start;
	void (*fn)(struct worker *w);
};

void run_workers(unsigned int nr, void (*fn)(struct worker *w), void *arg);

#endif /* MPOOL_HARNESS_H */
