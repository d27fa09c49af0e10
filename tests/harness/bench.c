// SPDX-License-Identifier: GPL-2.0
/*
 * Native throughput of the three algorithms against the obvious baseline, an
 * array stack under a pthread mutex.  Every thread repeatedly takes a batch of
 * BATCH indices and gives them back; one op is one take or one give.  The
 * magazine runs give each thread its own cache, as each CPU has in the module.
 * Userspace threads are preemptible where kernel callers run with IRQs off, so
 * with more threads than cores the numbers include some waiting on preempted
 * threads (the mutex suffers most from that).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/mpool/ring.h>
#include <linux/mpool/lfstack.h>
#include <linux/mpool/magazine.h>

#define NR_OBJS		4096
#define BATCH		8
#define RUN_MS		300
#define ROUNDS		3

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Set by the main thread when a run's time is up; polled once per batch. */
static bool stop;

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

struct mutex_stack {
	pthread_mutex_t lock;
	unsigned int top;
	u32 items[NR_OBJS];
};

/*
 * Each thread's cache and magazines on cache lines of their own, as per-CPU
 * data and individually allocated magazines would be in the module; packed
 * arrays would time false sharing instead of the algorithm.
 */
struct padded_mag {
	struct mpool_mag m;
} __attribute__((aligned(64)));

struct padded_cache {
	struct mpool_mag_cache c;
} __attribute__((aligned(64)));

static struct {
	struct mpool_ring ring;
	struct mpool_ring_slot slots[NR_OBJS];
	struct mpool_lfstack stack;
	u32 next[NR_OBJS];
	struct mpool_depot depot;
	struct padded_mag *mags;
	struct padded_cache caches[8];
	struct mutex_stack ms;
} b;

static bool ms_pop(struct mutex_stack *s, u32 *v)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = s->top > 0;
	if (ok)
		*v = s->items[--s->top];
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void ms_push(struct mutex_stack *s, u32 v)
{
	pthread_mutex_lock(&s->lock);
	s->items[s->top++] = v;
	pthread_mutex_unlock(&s->lock);
}

enum alg { ALG_RING, ALG_LFSTACK, ALG_MAGAZINE, ALG_MUTEX, NR_ALGS };

static const char *const alg_names[NR_ALGS] = {
	[ALG_RING]	= "ring (Vyukov MPMC)",
	[ALG_LFSTACK]	= "lfstack (Treiber + generation)",
	[ALG_MAGAZINE]	= "magazine (per-thread cache + depot)",
	[ALG_MUTEX]	= "mutex-protected array stack",
};

static void setup(enum alg alg, unsigned int threads)
{
	unsigned int i, nr_mags;

	switch (alg) {
	case ALG_RING:
		mpool_ring_init(&b.ring, b.slots, NR_OBJS);
		for (i = 0; i < NR_OBJS; i++)
			if (!mpool_ring_push(&b.ring, i))
				die("ring push");
		break;
	case ALG_LFSTACK:
		mpool_lfstack_init(&b.stack, b.next);
		for (i = 0; i < NR_OBJS; i++)
			mpool_lfstack_push(&b.stack, i);
		break;
	case ALG_MAGAZINE:
		nr_mags = (NR_OBJS + MPOOL_MAG_SIZE - 1) / MPOOL_MAG_SIZE + 2 * threads + 1;
		free(b.mags);
		b.mags = aligned_alloc(64, nr_mags * sizeof(*b.mags));
		if (!b.mags)
			die("out of memory");
		mpool_depot_init(&b.depot);
		for (i = 0; i < nr_mags; i++)
			mpool_depot_add_empty(&b.depot, &b.mags[i].m);
		for (i = 0; i < threads; i++)
			if (mpool_mag_cache_init(&b.caches[i].c, &b.depot))
				die("cache init");
		for (i = 0; i < NR_OBJS; i++)
			if (mpool_mag_free(&b.caches[0].c, &b.depot, i) == MPOOL_MAG_EMPTY)
				die("magazine free");
		mpool_mag_cache_flush(&b.caches[0].c, &b.depot);
		break;
	case ALG_MUTEX:
		pthread_mutex_init(&b.ms.lock, NULL);
		b.ms.top = 0;
		for (i = 0; i < NR_OBJS; i++)
			ms_push(&b.ms, i);
		break;
	default:
		break;
	}
}

struct thread_arg {
	enum alg alg;
	unsigned int id;
	pthread_barrier_t *start;
	unsigned long ops;
	double t0, t1;
	pthread_t thread;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *bench_thread(void *p)
{
	struct thread_arg *t = p;
	struct mpool_mag_cache *c = &b.caches[t->id].c;
	unsigned long ops = 0;
	u32 got[BATCH];
	unsigned long mgot[BATCH];	/* magazines hold unsigned long */
	unsigned int n, i;

	pthread_barrier_wait(t->start);
	/* Timed by the workers: the main thread may not run again until they end. */
	t->t0 = now();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		n = 0;
		switch (t->alg) {
		case ALG_RING:
			while (n < BATCH && mpool_ring_pop(&b.ring, &got[n]))
				n++;
			for (i = 0; i < n; i++)
				if (!mpool_ring_push(&b.ring, got[i]))
					die("ring full");
			break;
		case ALG_LFSTACK:
			while (n < BATCH && mpool_lfstack_pop(&b.stack, &got[n]))
				n++;
			for (i = 0; i < n; i++)
				mpool_lfstack_push(&b.stack, got[i]);
			break;
		case ALG_MAGAZINE:
			while (n < BATCH &&
			       mpool_mag_alloc(c, &b.depot, &mgot[n]) != MPOOL_MAG_EMPTY)
				n++;
			for (i = 0; i < n; i++)
				if (mpool_mag_free(c, &b.depot, mgot[i]) == MPOOL_MAG_EMPTY)
					die("magazine free");
			break;
		case ALG_MUTEX:
			while (n < BATCH && ms_pop(&b.ms, &got[n]))
				n++;
			for (i = 0; i < n; i++)
				ms_push(&b.ms, got[i]);
			break;
		default:
			break;
		}
		/* A batch that found nothing is not counted as work done. */
		ops += 2 * n;
	}
	t->t1 = now();
	t->ops = ops;
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Millions of ops per second over all threads, median of ROUNDS runs.  Every
 * run lasts RUN_MS with all threads going until told to stop, so when there
 * are more threads than CPUs the time slicing is part of the result, and the
 * window is taken from the workers' own clocks.
 */
static double run(enum alg alg, unsigned int threads)
{
	const struct timespec run_time = { RUN_MS / 1000, RUN_MS % 1000 * 1000000L };
	double rate[ROUNDS];
	struct thread_arg t[8];
	pthread_barrier_t start;
	unsigned int r, i;

	for (r = 0; r < ROUNDS; r++) {
		unsigned long ops = 0;
		double t0 = 1e300, t1 = 0;

		setup(alg, threads);
		pthread_barrier_init(&start, NULL, threads + 1);
		for (i = 0; i < threads; i++) {
			t[i] = (struct thread_arg){ .alg = alg, .id = i, .start = &start };
			if (pthread_create(&t[i].thread, NULL, bench_thread, &t[i]))
				die("pthread_create");
		}
		__atomic_store_n(&stop, false, __ATOMIC_RELAXED);
		pthread_barrier_wait(&start);
		/* Timing, not synchronisation: the workers only poll the flag. */
		nanosleep(&run_time, NULL);
		__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
		for (i = 0; i < threads; i++) {
			pthread_join(t[i].thread, NULL);
			ops += t[i].ops;
			t0 = t[i].t0 < t0 ? t[i].t0 : t0;
			t1 = t[i].t1 > t1 ? t[i].t1 : t1;
		}
		pthread_barrier_destroy(&start);
		rate[r] = ops / (t1 - t0) / 1e6;
	}
	qsort(rate, ROUNDS, sizeof(rate[0]), cmp_double);
	return rate[ROUNDS / 2];
}

int main(void)
{
	static const unsigned int nr_threads[] = { 1, 2, 4 };
	unsigned int a, i;

	printf("Mops/s, all threads together (median of %d runs of %d ms); %d objects,\n"
	       "each thread takes and gives back batches of %d; %ld CPUs online\n",
	       ROUNDS, RUN_MS, NR_OBJS, BATCH, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-38s", "threads:");
	for (i = 0; i < ARRAY_SIZE(nr_threads); i++)
		printf("%9u", nr_threads[i]);
	printf("\n");
	for (a = 0; a < NR_ALGS; a++) {
		printf("%-38s", alg_names[a]);
		fflush(stdout);
		for (i = 0; i < ARRAY_SIZE(nr_threads); i++) {
			printf("%9.1f", run(a, nr_threads[i]));
			fflush(stdout);
		}
		printf("\n");
	}
	free(b.mags);
	return 0;
}
