// SPDX-License-Identifier: GPL-2.0
/* Tests for kmod/include/linux/mpool/lfstack.h: see harness.h for the conventions. */
#include "harness.h"
#include <linux/mpool/lfstack.h>

const char *alg_name = "lfstack";

static u32 head_gen(struct mpool_lfstack *s)
{
	return (u32)((u64)atomic64_read(&s->head) >> 32);
}

/* Empty boundary and strict LIFO, the simple way. */
static void test_lifo(unsigned int nr)
{
	u32 *next = calloc(nr, sizeof(*next));
	struct mpool_lfstack s;
	unsigned int i;
	u32 v;

	test_begin("LIFO: %u objects", nr);
	CHECK(next);
	mpool_lfstack_init(&s, next);
	v = 12345;
	CHECK(!mpool_lfstack_pop(&s, &v));
	CHECK_EQ(v, 12345);
	for (i = 0; i < nr; i++)
		mpool_lfstack_push(&s, i);
	for (i = nr; i-- > 0;) {
		CHECK(mpool_lfstack_pop(&s, &v));
		CHECK_EQ(v, i);
	}
	CHECK(!mpool_lfstack_pop(&s, &v));
	CHECK_EQ(v, 0);
	free(next);
	test_ok();
}

/*
 * Random single-threaded operations against a reference stack; also checks
 * that every successful operation, and only those, bumps the generation.
 */
static void test_model(unsigned int nr, u32 gen0)
{
	u32 *next = calloc(nr, sizeof(*next));
	u32 *model = calloc(nr, sizeof(*model));
	u32 *out = calloc(nr, sizeof(*out));	/* indices not on the stack */
	unsigned int len = 0, nr_out = nr, i;
	struct mpool_lfstack s;
	struct rng rng;
	u32 v, gen;

	test_begin("model: %u objects, generation from %#x", nr, gen0);
	CHECK(next && model && out);
	for (i = 0; i < nr; i++)
		out[i] = i;
	rng_init(&rng, opt.seed);
	mpool_lfstack_init(&s, next);
	/* White-box: start near the wrap of the generation. */
	atomic64_set(&s.head, (s64)((u64)gen0 << 32 | MPOOL_LFSTACK_NIL));
	gen = gen0;
	for (i = 0; i < 2 * opt.ops; i++) {
		bool push = rng_below(&rng, 100) < ((i / (2 * nr)) % 2 ? 70 : 30);

		if (push && nr_out) {
			unsigned int k = rng_below(&rng, nr_out);

			v = out[k];
			out[k] = out[--nr_out];
			mpool_lfstack_push(&s, v);
			model[len++] = v;
			gen++;
		} else {
			bool ok;

			v = U32_MAX;
			ok = mpool_lfstack_pop(&s, &v);
			CHECK_EQ(ok, len > 0);
			if (ok) {
				CHECK_EQ(v, model[--len]);
				out[nr_out++] = v;
				gen++;
			} else {
				CHECK_EQ(v, U32_MAX);
			}
		}
		CHECK_EQ(head_gen(&s), gen);
	}
	free(next);
	free(model);
	free(out);
	test_ok();
}

struct own_arg {
	struct mpool_lfstack s;
	struct owners own;
	unsigned int nr_objs;
};

/*
 * Pop a few, push them back in random order.  With few objects per thread the
 * same indices keep coming back to the top, which is the ABA situation: a pop
 * that stalls between reading head and its cmpxchg sees "its" top again with a
 * different next[].  Only the generation stops that cmpxchg, and if it did not
 * the ownership bitmap would see an index handed out twice or lost.
 */
static void own_worker(struct worker *w)
{
	struct own_arg *a = w->arg;
	unsigned long op = 0;
	u32 held[8];

	while (op < opt.ops) {
		unsigned int batch = 1 + rng_below(&w->rng, ARRAY_SIZE(held));
		unsigned int nr = 0;

		while (nr < batch && mpool_lfstack_pop(&a->s, &held[nr])) {
			owner_take(&a->own, held[nr], w->id);
			nr++;
		}
		op += nr + 1;
		while (nr) {
			unsigned int i = rng_below(&w->rng, nr);
			u32 v = held[i];

			held[i] = held[--nr];
			owner_give(&a->own, v, w->id);
			mpool_lfstack_push(&a->s, v);
			op++;
		}
	}
}

static void test_ownership(unsigned int nr_objs)
{
	u32 *next = calloc(nr_objs, sizeof(*next));
	struct own_arg a = { .nr_objs = nr_objs };
	struct tally tally;
	unsigned int i;
	u32 v;

	test_begin("MPMC ownership: %u threads, %u objects", opt.threads, nr_objs);
	CHECK(next);
	mpool_lfstack_init(&a.s, next);
	owners_init(&a.own, nr_objs);
	for (i = 0; i < nr_objs; i++)
		mpool_lfstack_push(&a.s, i);

	run_workers(opt.threads, own_worker, &a);

	tally_init(&tally, nr_objs);
	while (mpool_lfstack_pop(&a.s, &v))
		tally_add(&tally, v);
	tally_complete(&tally);
	owners_destroy(&a.own);
	free(next);
	test_ok();
}

void run_tests(void)
{
	test_lifo(1);
	test_lifo(100);
	test_model(64, 0);
	test_model(5, 0xfffffff0);

	test_ownership(2);
	test_ownership(opt.threads);
	test_ownership(4 * opt.threads);
	test_ownership(1024);
}
