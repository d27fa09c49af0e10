// SPDX-License-Identifier: GPL-2.0
/* Tests for kmod/include/linux/mpool/magazine.h: see harness.h for the conventions. */
#include <limits.h>
#include "harness.h"
#include <linux/mpool/magazine.h>

const char *alg_name = "magazine";

#define S MPOOL_MAG_SIZE

/* The documented sizing rule of mpool_mag_free(). */
static unsigned int mags_needed(unsigned int max_objs, unsigned int nr_caches)
{
	return (max_objs + S - 1) / S + 2 * nr_caches + 1;
}

static struct mpool_mag *depot_setup(struct mpool_depot *d, unsigned int nr_mags)
{
	struct mpool_mag *m = calloc(nr_mags, sizeof(*m));
	unsigned int i;

	CHECK(m);
	mpool_depot_init(d);
	for (i = 0; i < nr_mags; i++) {
		m[i].count = 77;	/* add_empty must reset it */
		mpool_depot_add_empty(d, &m[i]);
	}
	return m;
}

/*
 * White-box structural check, quiescent depot only: list lengths match the
 * counters, empty magazines are empty, every full-list magazine holds objects
 * and only the first may be partial.  Returns the objects held.
 */
static unsigned int depot_check(struct mpool_depot *d)
{
	unsigned int n = 0, objs = 0;
	struct mpool_mag *m;

	for (m = d->full; m; m = m->next, n++) {
		CHECK(m->count > 0 && m->count <= S);
		CHECK(m == d->full || m->count == S);
		objs += m->count;
	}
	CHECK_EQ(n, d->nr_full);
	n = 0;
	for (m = d->empty; m; m = m->next, n++)
		CHECK_EQ(m->count, 0);
	CHECK_EQ(n, d->nr_empty);
	CHECK_EQ(mpool_depot_count(d), objs);
	return objs;
}

/* Bonwick's invariant: prev is empty or full.  Returns the objects held. */
static unsigned int cache_check(struct mpool_mag_cache *c)
{
	CHECK(c->loaded && c->prev && c->loaded != c->prev);
	CHECK(c->loaded->count <= S);
	CHECK(c->prev->count == 0 || c->prev->count == S);
	return c->loaded->count + c->prev->count;
}

/* Exact result codes and order for one cache, from cold to drained. */
static void test_sequence(void)
{
	static struct mpool_mag spare;
	struct mpool_mag_cache c, c2;
	struct mpool_depot d;
	struct mpool_mag *mags;
	unsigned long v, i;

	test_begin("single cache: result codes, order, boundaries");
	mags = depot_setup(&d, 5);
	CHECK_EQ(d.nr_empty, 5);
	CHECK_EQ(mpool_mag_cache_init(&c, &d), 0);
	CHECK_EQ(mpool_mag_cache_init(&c2, &d), 0);
	CHECK_EQ(d.nr_empty, 1);
	/* Too few empties: fails and takes none. */
	CHECK_EQ(mpool_mag_cache_init(&c2, &d), -ENOMEM);
	CHECK_EQ(d.nr_empty, 1);

	v = 12345;
	CHECK_EQ(mpool_mag_alloc(&c, &d, &v), MPOOL_MAG_EMPTY);
	CHECK_EQ(v, 12345);

	/* Two magazines' worth fits in the cache; the next free trades prev. */
	for (i = 0; i < 2 * S; i++)
		CHECK_EQ(mpool_mag_free(&c, &d, i), MPOOL_MAG_HIT);
	CHECK_EQ(mpool_depot_count(&d), 0);
	CHECK_EQ(mpool_mag_free(&c, &d, 2 * S), MPOOL_MAG_DEPOT);
	CHECK_EQ(mpool_depot_count(&d), S);
	CHECK_EQ(d.nr_empty, 0);
	/* The depot is out of empties now: the defensive failure. */
	for (i = 2 * S + 1; i < 3 * S; i++)
		CHECK_EQ(mpool_mag_free(&c, &d, i), MPOOL_MAG_HIT);
	CHECK_EQ(mpool_mag_free(&c, &d, 3 * S), MPOOL_MAG_EMPTY);
	CHECK_EQ(c.loaded->count, S);
	CHECK_EQ(c.prev->count, S);
	CHECK_EQ(mpool_depot_count(&d), S);

	/* Allocation is LIFO through loaded, prev, then the depot's magazine. */
	for (i = 3 * S; i-- > S;)
		CHECK(mpool_mag_alloc(&c, &d, &v) == MPOOL_MAG_HIT && v == i);
	CHECK_EQ(mpool_mag_alloc(&c, &d, &v), MPOOL_MAG_DEPOT);
	CHECK_EQ(v, S - 1);
	CHECK_EQ(d.nr_empty, 1);
	for (i = S - 1; i-- > 0;)
		CHECK(mpool_mag_alloc(&c, &d, &v) == MPOOL_MAG_HIT && v == i);
	v = 12345;
	CHECK_EQ(mpool_mag_alloc(&c, &d, &v), MPOOL_MAG_EMPTY);
	CHECK_EQ(v, 12345);
	CHECK_EQ(depot_check(&d), 0);

	/*
	 * Flush a cache of one partial and one full magazine.  The depot has one
	 * empty magazine, so only the partial one can be traded and the full one
	 * stays; with more empties the flush completes.
	 */
	for (i = 0; i < S + 7; i++)
		CHECK_EQ(mpool_mag_free(&c, &d, i), MPOOL_MAG_HIT);
	CHECK_EQ(d.nr_empty, 1);
	mpool_mag_cache_flush(&c, &d);
	CHECK_EQ(c.loaded->count + c.prev->count, S);
	CHECK_EQ(depot_check(&d), 7);
	mpool_depot_add_empty(&d, &spare);
	mpool_mag_cache_flush(&c, &d);
	CHECK_EQ(c.loaded->count + c.prev->count, 0);
	CHECK_EQ(depot_check(&d), S + 7);
	{
		unsigned long out[3 * S];
		struct tally t;
		unsigned int n;

		tally_init(&t, S + 7);
		n = mpool_depot_reclaim(&d, out, 10);
		CHECK_EQ(n, 10);
		CHECK_EQ(depot_check(&d), S - 3);
		n += mpool_depot_reclaim(&d, out + n, 0);
		CHECK_EQ(n, 10);
		n += mpool_depot_reclaim(&d, out + n, 3 * S);
		CHECK_EQ(n, S + 7);
		CHECK_EQ(depot_check(&d), 0);
		CHECK_EQ(mpool_depot_reclaim(&d, out, 3 * S), 0);
		for (i = 0; i < n; i++)
			tally_add(&t, out[i]);
		tally_complete(&t);
	}
	free(mags);
	test_ok();
}

struct model {
	struct mpool_depot d;
	struct mpool_mag *mags;
	unsigned int nr_mags;
	struct mpool_mag_cache *c;
	unsigned int nr_caches;
	unsigned long *held;
	unsigned int nr_held;
	unsigned int nr_objs;
	unsigned long res[3];		/* free results, by enum mpool_mag_result */
	unsigned int min_empty;		/* fewest empty magazines seen in the depot */
};

static void model_check(struct model *m)
{
	unsigned int objs = depot_check(&m->d), i;

	for (i = 0; i < m->nr_caches; i++)
		objs += cache_check(&m->c[i]);
	CHECK_EQ(objs + m->nr_held, m->nr_objs);
	CHECK_EQ(m->d.nr_full + m->d.nr_empty + 2 * m->nr_caches, m->nr_mags);
	if (m->d.nr_empty < m->min_empty)
		m->min_empty = m->d.nr_empty;
}

/*
 * Random single-threaded operations over several caches, checking structure
 * and conservation after every step.  With the documented number of
 * magazines, free must never fail; with fewer it may, and then must leave
 * everything as it was.  The walk drifts between everything held and
 * everything cached, and flushes and reclaims on the way, which is what would
 * leave a depot of scattered partial magazines if flush did not consolidate.
 */
static void test_model(unsigned int nr_objs, unsigned int nr_caches, int mag_delta)
{
	struct model m = { .nr_caches = nr_caches, .nr_objs = nr_objs, .min_empty = UINT_MAX };
	struct tally t;
	struct rng rng;
	unsigned long op;
	unsigned int i;
	unsigned long v, buf[S];

	m.nr_mags = mags_needed(nr_objs, nr_caches) + mag_delta;
	test_begin("model: %u objects, %u caches, %u magazines (rule %+d)", nr_objs, nr_caches,
		   m.nr_mags, mag_delta);
	rng_init(&rng, opt.seed);
	m.mags = depot_setup(&m.d, m.nr_mags);
	m.c = calloc(nr_caches, sizeof(*m.c));
	m.held = calloc(nr_objs, sizeof(*m.held));
	CHECK(m.c && m.held);
	for (i = 0; i < nr_caches; i++)
		CHECK_EQ(mpool_mag_cache_init(&m.c[i], &m.d), 0);
	for (i = 0; i < nr_objs; i++)
		m.held[m.nr_held++] = i;

	for (op = 0; op < opt.ops; op++) {
		/*
		 * Phases of freeing, then allocating, mostly on one hot cache,
		 * so that objects pile up in one place and then move on.
		 */
		unsigned int phase = op / 2000, hot = (phase / 2) % nr_caches;
		struct mpool_mag_cache *c = &m.c[rng_below(&rng, 5) ? hot :
						 rng_below(&rng, nr_caches)];
		unsigned int r = rng_below(&rng, 100);
		unsigned int free_pct = phase % 2 ? 80 : 20;

		if (r < free_pct) {
			if (!m.nr_held)
				continue;
			i = rng_below(&rng, m.nr_held);
			v = m.held[i];
			enum mpool_mag_result res = mpool_mag_free(c, &m.d, v);

			m.res[res]++;
			switch (res) {
			case MPOOL_MAG_EMPTY:
				CHECK(mag_delta < 0);
				CHECK(c->loaded->count == S && c->prev->count == S);
				CHECK_EQ(m.d.nr_empty, 0);
				break;
			default:
				m.held[i] = m.held[--m.nr_held];
				break;
			}
		} else if (r < 97) {
			v = U32_MAX;
			if (mpool_mag_alloc(c, &m.d, &v) == MPOOL_MAG_EMPTY) {
				CHECK_EQ(v, U32_MAX);
				CHECK(c->loaded->count == 0 && c->prev->count == 0);
				CHECK_EQ(mpool_depot_count(&m.d), 0);
			} else {
				CHECK(v < nr_objs);
				m.held[m.nr_held++] = v;
			}
		} else if (r < 99) {
			mpool_mag_cache_flush(c, &m.d);
			if (mag_delta >= 0)
				CHECK(c->loaded->count == 0 && c->prev->count == 0);
		} else {
			unsigned int want = rng_below(&rng, S + 1), n;

			n = mpool_depot_reclaim(&m.d, buf, want);
			CHECK(n <= want);
			for (i = 0; i < n; i++)
				m.held[m.nr_held++] = buf[i];
		}
		model_check(&m);
	}

	/* The walk must have reached the depot, and the failure when provoked. */
	CHECK(nr_objs <= 2 * S || m.res[MPOOL_MAG_DEPOT] > 0);
	CHECK(mag_delta < 0 ? m.res[MPOOL_MAG_EMPTY] > 0 : m.min_empty > 0);
	printf("[frees: %lu hit, %lu depot, %lu failed; min empties %u] ", m.res[MPOOL_MAG_HIT],
	       m.res[MPOOL_MAG_DEPOT], m.res[MPOOL_MAG_EMPTY], m.min_empty);

	/* Drain everything and account for every index once. */
	tally_init(&t, nr_objs);
	for (i = 0; i < m.nr_held; i++)
		tally_add(&t, m.held[i]);
	for (i = 0; i < nr_caches; i++) {
		while (mpool_mag_alloc(&m.c[i], &m.d, &v) != MPOOL_MAG_EMPTY)
			tally_add(&t, v);
	}
	while (mpool_depot_reclaim(&m.d, &v, 1))
		tally_add(&t, v);
	tally_complete(&t);
	free(m.mags);
	free(m.c);
	free(m.held);
	test_ok();
}

struct mt_arg {
	struct mpool_depot d;
	struct mpool_mag_cache *c;	/* one per worker, like per-CPU caches */
	struct owners own;
	unsigned long **held;
	unsigned int *nr_held;
	unsigned int nr_objs;
	unsigned long (*stats)[2][3];	/* per worker: [alloc, free][result] */
};

/*
 * Each worker is a CPU: it owns its cache, and frees and allocates in bursts
 * long enough to go through the depot, now and then flushing its cache (CPU
 * offline) or reclaiming from the depot (shrinker).  Objects freed on one CPU
 * reach the others only through the depot, and the payload check makes TSan
 * verify that the depot lock orders the previous owner's use before ours.
 */
static void mt_worker(struct worker *w)
{
	struct mt_arg *a = w->arg;
	struct mpool_mag_cache *c = &a->c[w->id];
	unsigned long *held = a->held[w->id], v, buf[8];
	unsigned int nr = a->nr_held[w->id], i, n;
	unsigned long (*st)[2][3] = &a->stats[w->id];
	unsigned long op = 0;

	while (op < opt.ops) {
		unsigned int r = rng_below(&w->rng, 100);
		unsigned int burst = 1 + rng_below(&w->rng, 3 * S);

		if (r < 48) {
			enum mpool_mag_result res;

			while (burst-- &&
			       (res = mpool_mag_alloc(c, &a->d, &v)) != MPOOL_MAG_EMPTY) {
				(*st)[0][res]++;
				owner_take(&a->own, v, w->id);
				held[nr++] = v;
				op++;
			}
		} else if (r < 96) {
			while (burst-- && nr) {
				enum mpool_mag_result res;

				i = rng_below(&w->rng, nr);
				v = held[i];
				held[i] = held[--nr];
				owner_give(&a->own, v, w->id);
				res = mpool_mag_free(c, &a->d, v);
				CHECK(res != MPOOL_MAG_EMPTY);
				(*st)[1][res]++;
				op++;
			}
		} else if (r < 98) {
			mpool_mag_cache_flush(c, &a->d);
			CHECK(c->loaded->count == 0 && c->prev->count == 0);
		} else {
			n = rng_below(&w->rng, ARRAY_SIZE(buf)) + 1;
			n = mpool_depot_reclaim(&a->d, buf, n);
			for (i = 0; i < n; i++) {
				owner_take(&a->own, buf[i], w->id);
				held[nr++] = buf[i];
			}
		}
		op++;
	}
	a->nr_held[w->id] = nr;
}

static void test_threads(unsigned int nr_objs)
{
	unsigned int nr_caches = opt.threads + 1, nr_mags = mags_needed(nr_objs, nr_caches);
	struct mt_arg a = { .nr_objs = nr_objs };
	struct mpool_mag_cache *setup;
	struct mpool_mag *mags;
	struct tally t;
	unsigned int i, w, objs;
	unsigned long v;

	test_begin("threads: %u caches, %u objects, %u magazines", opt.threads, nr_objs,
		   nr_mags);
	mags = depot_setup(&a.d, nr_mags);
	a.c = calloc(nr_caches, sizeof(*a.c));
	a.held = calloc(opt.threads, sizeof(*a.held));
	a.nr_held = calloc(opt.threads, sizeof(*a.nr_held));
	a.stats = calloc(opt.threads, sizeof(*a.stats));
	CHECK(a.c && a.held && a.nr_held && a.stats);
	owners_init(&a.own, nr_objs);
	for (i = 0; i < nr_caches; i++)
		CHECK_EQ(mpool_mag_cache_init(&a.c[i], &a.d), 0);
	for (w = 0; w < opt.threads; w++) {
		a.held[w] = calloc(nr_objs, sizeof(unsigned long));
		CHECK(a.held[w]);
	}
	/* Fill the depot the way a pool would: free everything, then flush. */
	setup = &a.c[opt.threads];
	for (i = 0; i < nr_objs; i++)
		CHECK(mpool_mag_free(setup, &a.d, i) != MPOOL_MAG_EMPTY);
	mpool_mag_cache_flush(setup, &a.d);
	CHECK_EQ(depot_check(&a.d), nr_objs);

	run_workers(opt.threads, mt_worker, &a);

	{
		unsigned long sum[2][3] = {};
		unsigned int k, r;

		for (w = 0; w < opt.threads; w++)
			for (k = 0; k < 2; k++)
				for (r = 0; r < 3; r++)
					sum[k][r] += a.stats[w][k][r];
		printf("[hit/depot: alloc %lu/%lu, free %lu/%lu] ", sum[0][MPOOL_MAG_HIT],
		       sum[0][MPOOL_MAG_DEPOT], sum[1][MPOOL_MAG_HIT], sum[1][MPOOL_MAG_DEPOT]);
		CHECK(nr_objs <= 2 * S || (sum[0][1] && sum[1][1]));
	}

	/* Everyone gives back through their own cache, then all caches drain. */
	objs = 0;
	for (w = 0; w < opt.threads; w++) {
		for (i = 0; i < a.nr_held[w]; i++) {
			owner_give(&a.own, a.held[w][i], w);
			CHECK(mpool_mag_free(&a.c[w], &a.d, a.held[w][i]) != MPOOL_MAG_EMPTY);
		}
		objs += cache_check(&a.c[w]);
		free(a.held[w]);
	}
	CHECK_EQ(objs + depot_check(&a.d), nr_objs);
	for (i = 0; i < nr_caches; i++)
		mpool_mag_cache_flush(&a.c[i], &a.d);
	CHECK_EQ(depot_check(&a.d), nr_objs);
	CHECK_EQ(a.d.nr_full, (nr_objs + S - 1) / S);
	tally_init(&t, nr_objs);
	while (mpool_depot_reclaim(&a.d, &v, 1))
		tally_add(&t, v);
	tally_complete(&t);
	CHECK_EQ(a.d.nr_empty, nr_mags - 2 * nr_caches);
	owners_destroy(&a.own);
	free(a.held);
	free(a.nr_held);
	free(a.stats);
	free(a.c);
	free(mags);
	test_ok();
}

void run_tests(void)
{
	test_sequence();
	test_model(1, 1, 0);
	test_model(200, 3, 0);
	test_model(1000, 4, 0);
	/* Below the rule: exercises (and requires) the failure path of free. */
	test_model(200, 3, -4);
	test_model(4 * S, 1, -3);

	test_threads(S * opt.threads);
	test_threads(4 * S * opt.threads + 5);
	test_threads(3);
}
