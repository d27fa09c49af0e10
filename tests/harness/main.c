// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing and shared helpers for the algorithm tests; the test itself
 * is run_tests() in ring.c, lfstack.c or magazine.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"

struct harness_opts opt = {
	.threads = 4,
	.ops = 100000,
	.seed = 1,
};

static const char *cur_test;

void check_failed(const char *file, int line, const char *fmt, ...)
{
	/* The first failing thread reports; any others wait for its exit. */
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;

	pthread_mutex_lock(&once);
	fprintf(stderr, "%s: FAIL in %s\n  %s:%d: ", alg_name, cur_test ? cur_test : "setup",
		file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(NULL);
	/*
	 * Other threads are still running: leave at once, past atexit handlers
	 * and past TSan's _exit() hook, which would add a "thread leak" report.
	 */
	syscall(SYS_exit_group, 1);
	_exit(1);
}

static char test_name[256];

void test_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_name, sizeof(test_name), fmt, ap);
	va_end(ap);
	cur_test = test_name;
	printf("  %-60s ", test_name);
	fflush(stdout);
}

void test_ok(void)
{
	printf("ok\n");
	cur_test = NULL;
}

void owners_init(struct owners *o, u32 nr)
{
	o->nr = nr;
	o->bits = calloc((nr + 63) / 64, sizeof(*o->bits));
	o->payload = calloc(nr, sizeof(*o->payload));
	CHECK(o->bits && o->payload);
}

void owners_destroy(struct owners *o)
{
	free(o->bits);
	free(o->payload);
}

void owner_take(struct owners *o, u32 idx, u32 who)
{
	u64 mask = 1ULL << (idx % 64), old;

	if (idx >= o->nr)
		check_failed(__FILE__, __LINE__, "got index %u, only %u exist", idx, o->nr);
	old = __atomic_fetch_or(&o->bits[idx / 64], mask, __ATOMIC_RELAXED);
	if (old & mask)
		check_failed(__FILE__, __LINE__, "index %u handed out while owned", idx);
	/* Plain: ordered against the previous owner only by the algorithm. */
	o->payload[idx] = who + 1;
}

void owner_give(struct owners *o, u32 idx, u32 who)
{
	u64 mask = 1ULL << (idx % 64), old;

	if (idx >= o->nr)
		check_failed(__FILE__, __LINE__, "giving index %u, only %u exist", idx, o->nr);
	if (o->payload[idx] != who + 1)
		check_failed(__FILE__, __LINE__, "index %u payload %u changed under owner %u",
			     idx, o->payload[idx], who);
	old = __atomic_fetch_and(&o->bits[idx / 64], ~mask, __ATOMIC_RELAXED);
	if (!(old & mask))
		check_failed(__FILE__, __LINE__, "index %u handed back but not owned", idx);
}

void tally_init(struct tally *t, u32 nr)
{
	t->nr = nr;
	t->count = 0;
	t->seen = calloc(nr, 1);
	CHECK(t->seen);
}

void tally_add(struct tally *t, u32 idx)
{
	if (idx >= t->nr)
		check_failed(__FILE__, __LINE__, "index %u out of range %u", idx, t->nr);
	if (t->seen[idx])
		check_failed(__FILE__, __LINE__, "index %u present twice", idx);
	t->seen[idx] = 1;
	t->count++;
}

void tally_complete(struct tally *t)
{
	if (t->count != t->nr)
		check_failed(__FILE__, __LINE__, "%u of %u indices accounted for", t->count, t->nr);
	free(t->seen);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	w->fn(w);
	return NULL;
}

void run_workers(unsigned int nr, void (*fn)(struct worker *w), void *arg)
{
	struct worker *w = calloc(nr, sizeof(*w));
	pthread_barrier_t start;
	unsigned int i;

	CHECK(w);
	CHECK(!pthread_barrier_init(&start, NULL, nr));
	for (i = 0; i < nr; i++) {
		w[i].id = i;
		w[i].nr = nr;
		rng_init(&w[i].rng, opt.seed * 1000003 + i);
		w[i].arg = arg;
		w[i].start = &start;
		w[i].fn = fn;
		CHECK(!pthread_create(&w[i].thread, NULL, worker_main, &w[i]));
	}
	for (i = 0; i < nr; i++)
		CHECK(!pthread_join(w[i].thread, NULL));
	pthread_barrier_destroy(&start);
	free(w);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-t threads] [-n ops-per-thread] [-s seed]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "t:n:s:h")) != -1) {
		switch (c) {
		case 't':
			opt.threads = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			opt.ops = strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt.seed = strtoul(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (opt.threads < 2 || !opt.ops)
		usage(argv[0]);

	printf("%s: %u threads, %lu ops/thread, seed %lu\n", alg_name, opt.threads, opt.ops,
	       opt.seed);
	run_tests();
	printf("%s: PASS\n", alg_name);
	return 0;
}
