// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts of the lock-free algorithms, for callgrind: a wall clock
 * on a shared 2-core machine wobbles from run to run, the number of
 * instructions an operation executes does not.
 *
 *   icount ALG BATCH OPS    ALG: ring | lfstack | magazine | mutex
 *
 * One thread takes BATCH indices and gives them back, OPS times over; only
 * icount_loop() is meant to be measured (valgrind --toggle-collect), so set-up
 * is left out. BATCH 1 is the hot get+put pair; a batch larger than two
 * magazines (2 * MPOOL_MAG_SIZE) makes the magazine go to its depot, so its
 * per-op count includes the amortised depot trips.
 *
 * The algorithm headers are the module's own, compiled against the shims of
 * tests/harness as tests/harness/bench.c does.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mpool/ring.h>
#include <linux/mpool/lfstack.h>
#include <linux/mpool/magazine.h>

#define NR_OBJS		4096
#define MAX_BATCH	256

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static struct mpool_ring ring;
static struct mpool_ring_slot slots[NR_OBJS];
static struct mpool_lfstack stack;
static u32 next_idx[NR_OBJS];
static struct mpool_depot depot;
static struct mpool_mag mags[NR_OBJS / MPOOL_MAG_SIZE + 3];
static struct mpool_mag_cache cache;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int top;
static u32 items[NR_OBJS];

enum alg { ALG_RING, ALG_LFSTACK, ALG_MAGAZINE, ALG_MUTEX };

static void die(const char *what)
{
	fprintf(stderr, "icount: %s\n", what);
	exit(1);
}

static void setup(enum alg alg)
{
	unsigned int i;

	switch (alg) {
	case ALG_RING:
		mpool_ring_init(&ring, slots, NR_OBJS);
		for (i = 0; i < NR_OBJS; i++)
			if (!mpool_ring_push(&ring, i))
				die("ring push");
		break;
	case ALG_LFSTACK:
		mpool_lfstack_init(&stack, next_idx);
		for (i = 0; i < NR_OBJS; i++)
			mpool_lfstack_push(&stack, i);
		break;
	case ALG_MAGAZINE:
		mpool_depot_init(&depot);
		for (i = 0; i < ARRAY_SIZE(mags); i++)
			mpool_depot_add_empty(&depot, &mags[i]);
		if (mpool_mag_cache_init(&cache, &depot))
			die("cache init");
		for (i = 0; i < NR_OBJS; i++)
			if (mpool_mag_free(&cache, &depot, i) == MPOOL_MAG_EMPTY)
				die("magazine free");
		mpool_mag_cache_flush(&cache, &depot);
		break;
	case ALG_MUTEX:
		for (top = 0; top < NR_OBJS; top++)
			items[top] = top;
		break;
	}
}

/*
 * The measured part, a function of its own (noipa: not inlined, not cloned)
 * so that callgrind can switch on here.
 */
static __attribute__((noipa)) unsigned long
icount_loop(enum alg alg, unsigned int batch, unsigned long ops)
{
	unsigned long fails = 0, k;
	u32 got[MAX_BATCH];
	unsigned long mgot[MAX_BATCH];	/* magazines hold unsigned long */
	unsigned int n, i;

	for (k = 0; k < ops; k++) {
		n = 0;
		switch (alg) {
		case ALG_RING:
			while (n < batch && mpool_ring_pop(&ring, &got[n]))
				n++;
			for (i = 0; i < n; i++)
				mpool_ring_push(&ring, got[i]);
			break;
		case ALG_LFSTACK:
			while (n < batch && mpool_lfstack_pop(&stack, &got[n]))
				n++;
			for (i = 0; i < n; i++)
				mpool_lfstack_push(&stack, got[i]);
			break;
		case ALG_MAGAZINE:
			while (n < batch &&
			       mpool_mag_alloc(&cache, &depot, &mgot[n]) != MPOOL_MAG_EMPTY)
				n++;
			for (i = 0; i < n; i++)
				mpool_mag_free(&cache, &depot, mgot[i]);
			break;
		case ALG_MUTEX:
			while (n < batch) {
				bool ok;

				pthread_mutex_lock(&lock);
				ok = top > 0;
				if (ok)
					got[n++] = items[--top];
				pthread_mutex_unlock(&lock);
				if (!ok)
					break;
			}
			for (i = 0; i < n; i++) {
				pthread_mutex_lock(&lock);
				items[top++] = got[i];
				pthread_mutex_unlock(&lock);
			}
			break;
		}
		fails += batch - n;
	}
	return fails;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "ring", "lfstack", "magazine", "mutex" };
	unsigned long ops;
	unsigned int batch, a;

	if (argc != 4)
		die("usage: icount ring|lfstack|magazine|mutex BATCH OPS");
	for (a = 0; a < 4; a++)
		if (!strcmp(argv[1], names[a]))
			break;
	batch = strtoul(argv[2], NULL, 0);
	ops = strtoul(argv[3], NULL, 0);
	if (a == 4 || !batch || batch > MAX_BATCH || !ops)
		die("bad arguments");
	setup(a);
	if (icount_loop(a, batch, ops))
		die("an algorithm ran dry");
	return 0;
}
