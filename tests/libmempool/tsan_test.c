// SPDX-License-Identifier: GPL-2.0
/*
 * libmempool under ThreadSanitizer, against the fake device of fake_dev.c:
 * the magazines' lists, counters and bitmaps, the lazy mapping, thread exit
 * and mpl_close() racing with each other. A data race, a buffer handed to
 * two threads at once, or a count that does not add up fails the run.
 *
 * Each buffer carries a plain (non-atomic) payload word written by whoever
 * holds it: when a buffer moves between threads, the only happens-before
 * is what the library (or the fake device's lock, standing for the
 * kernel's) provides, so TSan flags a hand-over that lacks one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mempool.h>

#include "fake_dev.h"

#define NBUF		512
#define NTHREADS	4
#define NOPS		50000
#define HOLD		12

static int failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		failed = 1; \
	} \
} while (0)

static struct mpl_dev *dev;
static struct mpl_pool *pool;
static atomic_int owner[NBUF];
static atomic_int errors;

static struct mpl_pool *new_pool(struct mpl_dev *d, const char *name, unsigned int batch)
{
	struct mpl_pool_config cfg = {
		.name = name, .engine = MPOOL_ENG_RING, .buf_size = 4096, .buf_count = NBUF,
		.node = -1,
	};
	struct mpl_pool *p = NULL;

	CHECK(mpl_pool_create(d, &cfg, &p) == 0);
	if (p)
		CHECK(mpl_set_batch(p, batch) == 0);
	return p;
}

/* Take: nobody may own it; write our mark into it. */
static void took(int me, uint32_t id)
{
	long *payload = mpl_buf(pool, id);

	if (atomic_exchange_explicit(&owner[id], me, memory_order_relaxed) || !payload)
		atomic_fetch_add(&errors, 1);
	else
		*payload = me;
}

/* Give: it must be ours, with our mark still in it. */
static void giving(int me, uint32_t id)
{
	long *payload = mpl_buf(pool, id);

	if (!payload || *payload != me ||
	    atomic_exchange_explicit(&owner[id], 0, memory_order_relaxed) != me)
		atomic_fetch_add(&errors, 1);
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	unsigned int seed = me, held = 0, i, k;
	uint32_t ids[HOLD];

	for (i = 0; i < NOPS; i++) {
		if (held < HOLD && (!held || rand_r(&seed) % 2)) {
			if (mpl_get(pool, &ids[held], 0)) {
				atomic_fetch_add(&errors, 1);
				continue;
			}
			took(me, ids[held++]);
		} else {
			k = rand_r(&seed) % held;
			giving(me, ids[k]);
			if (mpl_put(pool, ids[k]))
				atomic_fetch_add(&errors, 1);
			ids[k] = ids[--held];
		}
		if (i % 4096 == 0) {
			struct mpl_counters c;

			mpl_pool_counters(pool, &c);
		}
	}
	while (held) {
		giving(me, ids[--held]);
		if (mpl_put(pool, ids[held]))
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

/* Many threads, random get/put; magazines go back at thread exit. */
static void test_stress(void)
{
	pthread_t t[NTHREADS];
	struct mpool_pool_stats st;
	struct mpl_counters c;
	int i;

	pool = new_pool(dev, "stress", 16);
	for (i = 0; i < NTHREADS; i++)
		CHECK(!pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1)));
	for (i = 0; i < NTHREADS; i++)
		CHECK(!pthread_join(t[i], NULL));
	CHECK(atomic_load(&errors) == 0);
	CHECK(mpl_pool_stats(pool, &st) == 0);
	CHECK(st.nr_mine == 0);
	mpl_pool_counters(pool, &c);
	CHECK(c.gets == c.puts);
	CHECK(c.leased == c.released);
	CHECK(c.leased == st.leases);
	CHECK(c.lease_calls + c.release_calls < c.gets / 4);
	printf("ok   stress: %d threads, %llu gets, %llu system calls\n", NTHREADS,
	       (unsigned long long)c.gets,
	       (unsigned long long)(c.lease_calls + c.release_calls));
}

/* Producers get, consumers put: buffers change threads through a queue. */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static uint32_t queue[64];
static unsigned int qhead, qtail;
static bool qdone;

static void *producer(void *arg)
{
	uint32_t id;
	int i;

	(void)arg;
	for (i = 0; i < NOPS / 4; i++) {
		if (mpl_get(pool, &id, MPL_WAIT)) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		took(1, id);
		giving(1, id);
		/* Written by the producer, read by the consumer. */
		*(long *)mpl_buf(pool, id) = 1000 + id;
		pthread_mutex_lock(&qlock);
		while (qtail - qhead == 64)
			pthread_cond_wait(&qcond, &qlock);
		queue[qtail++ % 64] = id;
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	uint32_t id;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&qlock);
		while (qhead == qtail && !qdone)
			pthread_cond_wait(&qcond, &qlock);
		if (qhead == qtail) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		id = queue[qhead++ % 64];
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
		if (*(long *)mpl_buf(pool, id) != 1000 + id || mpl_put(pool, id))
			atomic_fetch_add(&errors, 1);
	}
}

static void test_handover(void)
{
	pthread_t p[2], c[2];
	struct mpool_pool_stats st;
	int i;

	pool = new_pool(dev, "handover", 8);
	for (i = 0; i < 2; i++) {
		CHECK(!pthread_create(&p[i], NULL, producer, NULL));
		CHECK(!pthread_create(&c[i], NULL, consumer, NULL));
	}
	for (i = 0; i < 2; i++)
		CHECK(!pthread_join(p[i], NULL));
	pthread_mutex_lock(&qlock);
	qdone = true;
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);
	for (i = 0; i < 2; i++)
		CHECK(!pthread_join(c[i], NULL));
	CHECK(atomic_load(&errors) == 0);
	CHECK(mpl_pool_stats(pool, &st) == 0);
	CHECK(st.nr_mine == 0);
	printf("ok   handover: buffers taken in one thread, put back in another\n");
}

/*
 * A thread outlives the device its magazine was for: mpl_close() cuts the
 * magazine loose, the thread then uses another device and exits.
 */
static pthread_barrier_t bar;
static struct mpl_dev *dev2;
static struct mpl_pool *pool2;

static void *outliver(void *arg)
{
	uint32_t id;

	(void)arg;
	CHECK(mpl_get(pool2, &id, 0) == 0);
	CHECK(mpl_put(pool2, id) == 0);
	pthread_barrier_wait(&bar);	/* main closes dev2 now */
	pthread_barrier_wait(&bar);
	CHECK(mpl_get(pool, &id, 0) == 0);
	CHECK(mpl_put(pool, id) == 0);
	return NULL;
}

static void test_close_before_thread_exit(void)
{
	struct mpool_pool_stats st;
	pthread_t t;

	CHECK(mpl_open(FAKE_DEVICE, &dev2) == 0);
	pool2 = new_pool(dev2, "closed", 4);
	pool = new_pool(dev, "after", 4);
	pthread_barrier_init(&bar, NULL, 2);
	CHECK(!pthread_create(&t, NULL, outliver, NULL));
	pthread_barrier_wait(&bar);
	CHECK(mpl_close(dev2) == 0);
	pthread_barrier_wait(&bar);
	CHECK(!pthread_join(t, NULL));
	CHECK(mpl_pool_stats(pool, &st) == 0);
	CHECK(st.nr_mine == 0);
	pthread_barrier_destroy(&bar);
	printf("ok   close-before-thread-exit\n");
}

int main(void)
{
	CHECK(mpl_open(FAKE_DEVICE, &dev) == 0);
	if (failed)
		return 1;
	test_stress();
	test_handover();
	test_close_before_thread_exit();
	CHECK(mpl_close(dev) == 0);
	CHECK(fake_violations() == 0);
	printf("%s\n", failed ? "FAILED" : "libmempool tsan: all passed");
	return failed;
}
