// SPDX-License-Identifier: GPL-2.0
/* Tests for kmod/include/linux/mpool/ring.h: see harness.h for the conventions. */
#include "harness.h"
#include <linux/mpool/ring.h>

const char *alg_name = "ring";

static struct mpool_ring_slot *slots_alloc(unsigned int nr)
{
	struct mpool_ring_slot *s = calloc(nr, sizeof(*s));

	CHECK(s);
	return s;
}

/*
 * White-box: start both positions at @base, so that tests starting near
 * U32_MAX or INT_MAX cross the wrap of the 32-bit counters.  Slot i then
 * expects the first position at or after base that maps to it.
 */
static void ring_init_at(struct mpool_ring *r, struct mpool_ring_slot *s, unsigned int nr,
			 u32 base)
{
	unsigned int i;

	mpool_ring_init(r, s, nr);
	for (i = 0; i < nr; i++)
		atomic_set(&s[i].seq, (int)(base + ((i - base) & (nr - 1))));
	atomic_set(&r->enq, (int)base);
	atomic_set(&r->deq, (int)base);
}

/* Fill to the brim and drain, checking both boundaries and FIFO order. */
static void test_boundaries(unsigned int nr, u32 base)
{
	struct mpool_ring_slot *s = slots_alloc(nr);
	struct mpool_ring r;
	unsigned int i, lap;
	u32 v;

	test_begin("boundaries: %u slots, positions from %#x", nr, base);
	ring_init_at(&r, s, nr, base);
	for (lap = 0; lap < 4; lap++) {
		v = 12345;
		CHECK(!mpool_ring_pop(&r, &v));
		CHECK_EQ(v, 12345);
		CHECK_EQ(mpool_ring_count(&r), 0);
		for (i = 0; i < nr; i++) {
			CHECK(mpool_ring_push(&r, lap * 1000 + i));
			CHECK_EQ(mpool_ring_count(&r), i + 1);
		}
		CHECK(!mpool_ring_push(&r, 999999));
		CHECK_EQ(mpool_ring_count(&r), nr);
		for (i = 0; i < nr; i++) {
			CHECK(mpool_ring_pop(&r, &v));
			CHECK_EQ(v, lap * 1000 + i);
		}
		CHECK(!mpool_ring_pop(&r, &v));
	}
	free(s);
	test_ok();
}

/* Random single-threaded operations against a reference FIFO. */
static void test_model(unsigned int nr, u32 base)
{
	struct mpool_ring_slot *s = slots_alloc(nr);
	u32 *model = calloc(nr, sizeof(*model));
	unsigned int head = 0, len = 0, i;
	struct mpool_ring r;
	struct rng rng;
	u32 v, next = 0;

	test_begin("model: %u slots, positions from %#x", nr, base);
	CHECK(model);
	rng_init(&rng, opt.seed);
	ring_init_at(&r, s, nr, base);
	for (i = 0; i < 2 * opt.ops + 4 * nr; i++) {
		/* Drift between empty and full so both edges are hit often. */
		bool push = rng_below(&rng, 100) < ((i / (2 * nr)) % 2 ? 70 : 30);

		if (push) {
			bool ok = mpool_ring_push(&r, next);

			CHECK_EQ(ok, len < nr);
			if (ok) {
				model[(head + len) % nr] = next;
				len++;
			}
			next++;
		} else {
			bool ok;

			v = U32_MAX;
			ok = mpool_ring_pop(&r, &v);
			CHECK_EQ(ok, len > 0);
			if (ok) {
				CHECK_EQ(v, model[head]);
				head = (head + 1) % nr;
				len--;
			} else {
				CHECK_EQ(v, U32_MAX);
			}
		}
		CHECK_EQ(mpool_ring_count(&r), len);
	}
	free(model);
	free(s);
	test_ok();
}

struct order_arg {
	struct mpool_ring r;
	unsigned int producers;
	unsigned long per_producer;
};

/*
 * The last worker consumes; the others produce tagged values.  One consumer
 * sees every producer's values in the order it pushed them, gap-free.  With
 * a single producer this is the plain FIFO test.
 */
static void order_worker(struct worker *w)
{
	struct order_arg *a = w->arg;
	unsigned long i;

	if (w->id < a->producers) {
		for (i = 0; i < a->per_producer; i++) {
			u32 v = (u32)(w->id << 24 | i);

			while (!mpool_ring_push(&a->r, v))
				cpu_relax();
		}
	} else {
		unsigned long *expect = calloc(a->producers, sizeof(*expect));
		unsigned long got = 0, total = a->producers * a->per_producer;
		u32 v;

		CHECK(expect);
		while (got < total) {
			if (!mpool_ring_pop(&a->r, &v)) {
				cpu_relax();
				continue;
			}
			CHECK(v >> 24 < a->producers);
			CHECK_EQ(v & 0xffffff, expect[v >> 24]);
			expect[v >> 24]++;
			got++;
		}
		CHECK(!mpool_ring_pop(&a->r, &v));
		free(expect);
	}
}

static void test_order(unsigned int producers, unsigned int nr)
{
	struct mpool_ring_slot *s = slots_alloc(nr);
	struct order_arg a = {
		.producers = producers,
		.per_producer = opt.ops < 0xffffff ? opt.ops : 0xffffff,
	};

	test_begin("%s order: %u producer(s), 1 consumer, %u slots",
		   producers == 1 ? "FIFO" : "per-producer", producers, nr);
	mpool_ring_init(&a.r, s, nr);
	run_workers(producers + 1, order_worker, &a);
	CHECK_EQ(mpool_ring_count(&a.r), 0);
	free(s);
	test_ok();
}

struct own_arg {
	struct mpool_ring r;
	struct owners own;
	unsigned int nr_slots;
	unsigned int nr_objs;
	u32 **held;		/* per worker; left over at the end */
	unsigned int *nr_held;
};

/*
 * Every worker pops a few indices, owns them for a while and pushes them back
 * in random order.  With the ring at least as big as the object count a push
 * must never fail (the pool relies on that); with a smaller ring it fails only
 * when full, and the worker keeps the index.
 */
static void own_worker(struct worker *w)
{
	struct own_arg *a = w->arg;
	u32 *held = a->held[w->id];
	unsigned int nr = a->nr_held[w->id];
	unsigned long op;
	u32 v;

	for (op = 0; op < opt.ops; op++) {
		if (!nr || (nr < 16 && rng_below(&w->rng, 2))) {
			unsigned int batch = 1 + rng_below(&w->rng, 8);

			while (batch-- && mpool_ring_pop(&a->r, &v)) {
				owner_take(&a->own, v, w->id);
				held[nr++] = v;
			}
		} else {
			unsigned int i = rng_below(&w->rng, nr);

			v = held[i];
			owner_give(&a->own, v, w->id);
			if (mpool_ring_push(&a->r, v)) {
				held[i] = held[--nr];
			} else {
				CHECK(a->nr_slots < a->nr_objs);
				owner_take(&a->own, v, w->id);
			}
		}
	}
	a->nr_held[w->id] = nr;
}

static void test_ownership(unsigned int nr_slots, unsigned int nr_objs)
{
	struct mpool_ring_slot *s = slots_alloc(nr_slots);
	struct own_arg a = { .nr_slots = nr_slots, .nr_objs = nr_objs };
	unsigned int i, t, left;
	struct tally tally;
	u32 v;

	test_begin("MPMC ownership: %u threads, %u slots, %u objects", opt.threads, nr_slots,
		   nr_objs);
	mpool_ring_init(&a.r, s, nr_slots);
	owners_init(&a.own, nr_objs);
	a.held = calloc(opt.threads, sizeof(*a.held));
	a.nr_held = calloc(opt.threads, sizeof(*a.nr_held));
	CHECK(a.held && a.nr_held);
	for (t = 0; t < opt.threads; t++) {
		a.held[t] = calloc(nr_objs, sizeof(u32));
		CHECK(a.held[t]);
	}
	/* What does not fit in the ring starts out in the workers' hands. */
	for (i = 0; i < nr_objs; i++) {
		if (i < nr_slots) {
			CHECK(mpool_ring_push(&a.r, i));
		} else {
			t = i % opt.threads;
			owner_take(&a.own, i, t);
			a.held[t][a.nr_held[t]++] = i;
		}
	}

	run_workers(opt.threads, own_worker, &a);

	/* Quiescent now: the racy count is exact, and everything is somewhere once. */
	tally_init(&tally, nr_objs);
	left = mpool_ring_count(&a.r);
	for (i = 0; i < left; i++) {
		CHECK(mpool_ring_pop(&a.r, &v));
		tally_add(&tally, v);
	}
	CHECK(!mpool_ring_pop(&a.r, &v));
	for (t = 0; t < opt.threads; t++) {
		for (i = 0; i < a.nr_held[t]; i++)
			tally_add(&tally, a.held[t][i]);
		free(a.held[t]);
	}
	tally_complete(&tally);
	free(a.held);
	free(a.nr_held);
	owners_destroy(&a.own);
	free(s);
	test_ok();
}

void run_tests(void)
{
	static const u32 bases[] = { 0, 0x7ffffff0, 0xfffffff0 };
	static const unsigned int sizes[] = { 2, 8, 64 };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < ARRAY_SIZE(bases); j++) {
			test_boundaries(sizes[i], bases[j]);
			test_model(sizes[i], bases[j]);
		}

	test_order(1, 16);
	test_order(opt.threads - 1, 32);

	/* The pool's configuration: ring exactly as big as the object count. */
	test_ownership(64, 64);
	test_ownership(opt.threads, opt.threads);
	test_ownership(256, 64);
	/* Smaller than the object count: pushes meet a genuinely full ring. */
	test_ownership(16, 64);
	test_ownership(2, 2 * opt.threads);
}
