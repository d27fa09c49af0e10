// SPDX-License-Identifier: GPL-2.0
/*
 * NMI: the lockfree engine is the one whose gets and puts <linux/mpool.h>
 * allows in NMI context. An NMI handler gets and puts objects of a
 * pre-filled lockfree pool while a kthread on every online CPU hammers the
 * same pool from process context, so that NMIs land in the middle of the
 * gets and puts of the CPU they interrupt, and race with the other CPUs'.
 *
 * The test sends the NMIs itself, through the local APIC, one at a time
 * and round robin over the online CPUs, and waits for each to be handled
 * (the handler raises an irq_work that wakes the test): it knows exactly
 * how many ran, and the handler claims only the NMI it expects, leaving
 * anyone else's to the other NMI_LOCAL handlers.
 *
 * Every get, in NMI or not, must return one of the pool's objects, as
 * listed before the run; it claims the object in an owner table, where a
 * second owner at a time fails its claim, and stamps it; every put checks
 * the stamp and gives the claim up. The pool holds more objects than can
 * ever be out at once, so no get may fail either. At the end every object
 * comes back out of the pool and the statistics count exactly the gets,
 * puts and misses the callers saw, with nothing in use.
 *
 * Then, with the hammers stopped and the pool emptied by the test, each NMI
 * must find the pool empty (a get that may not block, failing in NMI
 * through the slow path and its statistics), put back an object the test
 * handed it, and get that very object back: the only one in the stack.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/sort.h>
#include <linux/wait.h>

#ifdef CONFIG_X86_LOCAL_APIC
#include <asm/apic.h>
#include <asm/nmi.h>
#endif

#include "mpool_test.h"

/* The only engine that may be used in NMI context. */
static const enum mpool_engine mpool_nmi_engines[] = {
	MPOOL_ENGINE_LOCKFREE,
};

KUNIT_ARRAY_PARAM(mpool_nmi_engine, mpool_nmi_engines, mpool_test_engine_desc);

#ifdef CONFIG_X86_LOCAL_APIC

#define NMI_OBJS		256U
#define NMI_OBJ_SIZE		64
/* NMIs sent while the hammers run, and objects each of them gets. */
#define NMI_COUNT		2000U
#define NMI_GETS		4
/* Objects a hammer holds at once, at most. */
#define NMI_BATCH		8
/* Idle objects below this fire the low watermark: the empty phase does. */
#define NMI_LOW_WATERMARK	8
/* A generous bound for one NMI, on a busy emulated machine. */
#define NMI_WAIT		(5 * HZ)
/* Owner tags, | CPU: nobody holds an object with tag 0. */
#define NMI_TAG_HAMMER		0x48000000u
#define NMI_TAG_NMI		0x4e000000u

enum { NMI_PHASE_HAMMER, NMI_PHASE_EMPTY };

struct nmi_ctx;

/* A CPU's hammer: written by it, read by the test once it stopped. */
struct nmi_hammer {
	struct nmi_ctx *ctx;
	struct task_struct *task;
	unsigned int cpu;
	bool in_op;		/* inside mpool_alloc*() or mpool_free*() */
	u64 gets;
	u64 puts;
	u64 misses;
};

struct nmi_ctx {
	struct mpool *pool;
	void **objs;		/* [NMI_OBJS] every object of the pool, sorted */
	atomic_t *owner;	/* [NMI_OBJS] tag of whoever holds objs[i], or 0 */
	struct nmi_hammer *hammers;	/* [nr_cpu_ids] */
	int phase;
	atomic_t target;	/* CPU the NMI in flight is for, or -1 */
	atomic_t handled;	/* NMIs the handler claimed and finished */
	atomic_t in_op_hits;	/* of them, NMIs inside a hammer's get or put */
	atomic_long_t nmi_gets;
	atomic_long_t nmi_puts;
	atomic_long_t nmi_misses;
	atomic_t bad_ptr;	/* a get returned none of the pool's objects */
	atomic_t bad_owner;	/* an object held by two owners at once */
	atomic_t bad_stamp;	/* an object written by someone else */
	atomic_t bad_empty;	/* the empty pool handed something out */
	void *handoff;		/* empty phase: what the NMI puts... */
	void *handback;		/* ...and what it got back */
	struct irq_work wake_work;
	wait_queue_head_t wq;
};

/* NMI handlers get no argument: the running test's context. */
static struct nmi_ctx *mpool_nmi_ctx;

/* Which of the pool's objects @obj is, or -1: binary search, NMI-safe. */
static long nmi_slot(const struct nmi_ctx *ctx, const void *obj)
{
	unsigned long lo = 0, hi = NMI_OBJS, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ctx->objs[mid] == obj)
			return mid;
		if ((unsigned long)ctx->objs[mid] < (unsigned long)obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Claim a gotten object for @tag; false: it must not be put back. */
static bool nmi_take(struct nmi_ctx *ctx, void *obj, u32 tag)
{
	long i = nmi_slot(ctx, obj);

	if (i < 0) {
		atomic_inc(&ctx->bad_ptr);
		return false;
	}
	if (atomic_cmpxchg(&ctx->owner[i], 0, tag)) {
		atomic_inc(&ctx->bad_owner);
		return false;
	}
	*(u32 *)obj = tag;
	return true;
}

/* Give the claim up before the put; false: it was not ours to put. */
static bool nmi_give(struct nmi_ctx *ctx, void *obj, u32 tag)
{
	long i = nmi_slot(ctx, obj);

	if (i < 0) {
		atomic_inc(&ctx->bad_ptr);
		return false;
	}
	if (*(u32 *)obj != tag)
		atomic_inc(&ctx->bad_stamp);
	if (atomic_cmpxchg(&ctx->owner[i], tag, 0) != tag) {
		atomic_inc(&ctx->bad_owner);
		return false;
	}
	return true;
}

/* Check and put back what a get returned; objs[] are NULL past @n. */
static unsigned int nmi_cycle(struct nmi_ctx *ctx, void **objs,
			      unsigned int n, u32 tag)
{
	unsigned int i, puts = 0;

	for (i = 0; i < n; i++) {
		if (!nmi_take(ctx, objs[i], tag))
			objs[i] = NULL;
	}
	for (i = 0; i < n; i++) {
		if (objs[i] && !nmi_give(ctx, objs[i], tag))
			objs[i] = NULL;
		if (objs[i])
			puts++;
	}
	return puts;
}

/* Hammer phase, in NMI: get and put NMI_GETS objects, every other time in bulk. */
static void nmi_get_put(struct nmi_ctx *ctx, unsigned int cpu, bool bulk)
{
	void *objs[NMI_GETS] = {};
	unsigned int i, n;

	if (bulk) {
		n = NMI_GETS;
		if (mpool_alloc_bulk(ctx->pool, objs, n, GFP_NOWAIT)) {
			atomic_long_inc(&ctx->nmi_misses);
			n = 0;
		}
	} else {
		for (n = 0; n < NMI_GETS; n++) {
			objs[n] = mpool_alloc(ctx->pool, GFP_NOWAIT);
			if (!objs[n]) {
				atomic_long_inc(&ctx->nmi_misses);
				break;
			}
		}
	}
	atomic_long_add(n, &ctx->nmi_gets);
	atomic_long_add(nmi_cycle(ctx, objs, n, NMI_TAG_NMI | cpu), &ctx->nmi_puts);
	if (!n)
		return;
	/*
	 * The first object got, the stack's head then, goes back last: the
	 * head is that object again, with another link. A pop this NMI
	 * interrupted read the old link; were its cmpxchg to take the head
	 * for unchanged (ABA), it would install that stale link and lose
	 * objects, which the final take_all would miss.
	 */
	swap(objs[0], objs[n - 1]);
	if (bulk) {
		mpool_free_bulk(ctx->pool, objs, n);
	} else {
		for (i = 0; i < n; i++)
			mpool_free(ctx->pool, objs[i]);
	}
}

/* Empty phase, in NMI: nothing to get, until we put the test's object. */
static void nmi_empty(struct nmi_ctx *ctx)
{
	void *obj = mpool_alloc(ctx->pool, GFP_NOWAIT);

	if (obj) {
		atomic_inc(&ctx->bad_empty);
		atomic_long_inc(&ctx->nmi_gets);
		mpool_free(ctx->pool, obj);
		atomic_long_inc(&ctx->nmi_puts);
	} else {
		atomic_long_inc(&ctx->nmi_misses);
	}
	mpool_free(ctx->pool, ctx->handoff);
	atomic_long_inc(&ctx->nmi_puts);
	obj = mpool_alloc(ctx->pool, GFP_NOWAIT);
	if (obj)
		atomic_long_inc(&ctx->nmi_gets);
	else
		atomic_long_inc(&ctx->nmi_misses);
	ctx->handback = obj;
}

static int mpool_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	struct nmi_ctx *ctx = READ_ONCE(mpool_nmi_ctx);
	unsigned int cpu = smp_processor_id();
	struct nmi_hammer *h;

	/* Other NMI_LOCAL handlers share the NMI: claim only the one we sent. */
	if (!ctx || atomic_cmpxchg(&ctx->target, cpu, -1) != cpu)
		return NMI_DONE;
	h = &ctx->hammers[cpu];
	if (current == READ_ONCE(h->task) && READ_ONCE(h->in_op))
		atomic_inc(&ctx->in_op_hits);
	if (READ_ONCE(ctx->phase) == NMI_PHASE_EMPTY)
		nmi_empty(ctx);
	else
		nmi_get_put(ctx, cpu, atomic_read(&ctx->handled) & 1);
	/* Release: the test reads what we did once it sees the count. */
	atomic_inc_return_release(&ctx->handled);
	/* A wake-up takes a lock: not here, in the IRQ right after. */
	irq_work_queue(&ctx->wake_work);
	return NMI_HANDLED;
}

static void nmi_wake(struct irq_work *work)
{
	struct nmi_ctx *ctx = container_of(work, struct nmi_ctx, wake_work);

	wake_up(&ctx->wq);
}

static bool nmi_handled_since(struct nmi_ctx *ctx, int done)
{
	return atomic_read_acquire(&ctx->handled) != done;
}

/* Send an NMI to @cpu and wait for its handler; false if it never ran. */
static bool nmi_send(struct nmi_ctx *ctx, unsigned int cpu)
{
	int done = atomic_read(&ctx->handled);

	/* An offline CPU's APIC ID may be anyone's. */
	if (!cpu_online(cpu))
		return false;
	/* Release: the handler that claims it sees ctx->handoff. */
	atomic_set_release(&ctx->target, cpu);
	__apic_send_IPI_mask(cpumask_of(cpu), NMI_VECTOR);
	if (wait_event_timeout(ctx->wq, nmi_handled_since(ctx, done), NMI_WAIT))
		return true;
	/* Lost: withdraw it, unless the handler claimed it just now. */
	if (atomic_cmpxchg(&ctx->target, cpu, -1) == cpu)
		return false;
	return wait_event_timeout(ctx->wq, nmi_handled_since(ctx, done), NMI_WAIT);
}

static unsigned int nmi_next_cpu(unsigned int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

static int nmi_hammer_fn(void *arg)
{
	struct nmi_hammer *h = arg;
	struct nmi_ctx *ctx = h->ctx;
	void *objs[NMI_BATCH];
	unsigned int i, n, round = 0;
	bool bulk;

	while (!kthread_should_stop()) {
		n = 1 + round % NMI_BATCH;
		bulk = (round / NMI_BATCH) & 1;
		round++;
		WRITE_ONCE(h->in_op, true);
		if (bulk) {
			if (mpool_alloc_bulk(ctx->pool, objs, n, GFP_NOWAIT)) {
				h->misses++;
				n = 0;
			}
		} else {
			for (i = 0; i < n; i++) {
				objs[i] = mpool_alloc(ctx->pool, GFP_NOWAIT);
				if (!objs[i]) {
					h->misses++;
					break;
				}
			}
			n = i;
		}
		WRITE_ONCE(h->in_op, false);
		h->gets += n;
		h->puts += nmi_cycle(ctx, objs, n, NMI_TAG_HAMMER | h->cpu);
		WRITE_ONCE(h->in_op, true);
		if (bulk) {
			mpool_free_bulk(ctx->pool, objs, n);
		} else {
			for (i = 0; i < n; i++)
				mpool_free(ctx->pool, objs[i]);
		}
		WRITE_ONCE(h->in_op, false);
		cond_resched();
	}
	return 0;
}

/* Test exit, or earlier: no hammer runs after this. */
static void nmi_stop_hammers(void *arg)
{
	struct nmi_ctx *ctx = arg;
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct nmi_hammer *h = &ctx->hammers[cpu];

		if (h->task) {
			/* A hammer only returns when told to: the task is live. */
			kthread_stop(h->task);
			WRITE_ONCE(h->task, NULL);
		}
	}
}

/* Test exit, or earlier: no handler runs, and no wake-up is pending. */
static void nmi_unregister(void *arg)
{
	struct nmi_ctx *ctx = arg;

	/* Waits for a handler running on another CPU. */
	unregister_nmi_handler(NMI_LOCAL, "mpool_kunit");
	WRITE_ONCE(mpool_nmi_ctx, NULL);
	irq_work_sync(&ctx->wake_work);
}

static int nmi_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Take every object the pool has; each must be one of ctx->objs (or, with
 * @list, become the list), each only once, and not one more.
 */
static void nmi_take_all(struct kunit *test, struct nmi_ctx *ctx, void **objs,
			 bool list)
{
	unsigned long *seen;
	unsigned int i;
	long slot;

	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(ctx->pool, objs, NMI_OBJS, GFP_NOWAIT), 0);
	KUNIT_EXPECT_NULL(test, mpool_alloc(ctx->pool, GFP_NOWAIT));
	if (list) {
		memcpy(ctx->objs, objs, NMI_OBJS * sizeof(void *));
		sort(ctx->objs, NMI_OBJS, sizeof(void *), nmi_cmp_ptr, NULL);
	}
	seen = kunit_kcalloc(test, BITS_TO_LONGS(NMI_OBJS), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < NMI_OBJS; i++) {
		slot = nmi_slot(ctx, objs[i]);
		KUNIT_ASSERT_GE(test, slot, 0L);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(slot, seen));
	}
}

static void nmi_lockfree_get_put(struct kunit *test)
{
	struct mpool_params *p = mpool_test_params(test, "nmi", NMI_OBJ_SIZE,
						   NMI_OBJS, NMI_OBJS);
	u64 gets = 0, puts = 0, misses = 0, hammer_gets = 0;
	unsigned int cpu, target, i, nr = 0, sent, empty_sent = 0;
	long nmi_gets_hammer, nmi_misses_hammer;
	struct mpool_stats_sum s;
	struct nmi_ctx *ctx;
	void **held;
	ktime_t t0;
	u64 ms;

	/*
	 * So that a get never finds the stack empty: each CPU has at most a
	 * hammer's batch and an NMI's gets out, and one put of each in flight.
	 */
	if (num_online_cpus() * (NMI_BATCH + NMI_GETS + 2) >= NMI_OBJS)
		kunit_skip(test, "%u CPUs could empty a pool of %u objects",
			   num_online_cpus(), NMI_OBJS);

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->objs = kunit_kcalloc(test, NMI_OBJS, sizeof(void *), GFP_KERNEL);
	ctx->owner = kunit_kcalloc(test, NMI_OBJS, sizeof(atomic_t), GFP_KERNEL);
	ctx->hammers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*ctx->hammers), GFP_KERNEL);
	held = kunit_kcalloc(test, NMI_OBJS, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->objs);
	KUNIT_ASSERT_NOT_NULL(test, ctx->owner);
	KUNIT_ASSERT_NOT_NULL(test, ctx->hammers);
	KUNIT_ASSERT_NOT_NULL(test, held);
	init_waitqueue_head(&ctx->wq);
	init_irq_work(&ctx->wake_work, nmi_wake);
	atomic_set(&ctx->target, -1);

	/* Full from the start, and it cannot grow: no NMI get has to. */
	p->low_watermark = NMI_LOW_WATERMARK;
	ctx->pool = mpool_test_create(test, p);
	KUNIT_ASSERT_EQ(test, mpool_capacity(ctx->pool), NMI_OBJS);
	/* The list of the pool's objects, to check every get against. */
	nmi_take_all(test, ctx, held, true);
	/* Samples are deferred (stats.c): let the miss's see the pool empty. */
	mpool_stats_sync(ctx->pool);
	mpool_free_bulk(ctx->pool, held, NMI_OBJS);
	gets += NMI_OBJS;
	puts += NMI_OBJS;
	misses++;

	WRITE_ONCE(mpool_nmi_ctx, ctx);
	if (register_nmi_handler(NMI_LOCAL, mpool_nmi_handler, 0, "mpool_kunit")) {
		WRITE_ONCE(mpool_nmi_ctx, NULL);
		KUNIT_FAIL_AND_ABORT(test, "register_nmi_handler() failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nmi_unregister, ctx), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nmi_stop_hammers, ctx), 0);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct nmi_hammer *h = &ctx->hammers[cpu];
		struct task_struct *t;

		h->ctx = ctx;
		h->cpu = cpu;
		t = kthread_create_on_cpu(nmi_hammer_fn, h, cpu, "mpool-nmi/%u");
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread on CPU %u: %ld", cpu, PTR_ERR(t));
			continue;
		}
		/* Before it runs: the handler knows it by its task. */
		WRITE_ONCE(h->task, t);
		wake_up_process(t);
		nr++;
	}
	cpus_read_unlock();

	t0 = ktime_get();
	target = cpumask_first(cpu_online_mask);
	for (sent = 0; sent < NMI_COUNT; sent++) {
		if (!nmi_send(ctx, target))
			break;
		target = nmi_next_cpu(target);
	}
	ms = ktime_ms_delta(ktime_get(), t0);
	kunit_release_action(test, nmi_stop_hammers, ctx);
	if (!sent) {
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->handled), 0);
		kunit_skip(test, "no NMI reached CPU %u", target);
	}
	KUNIT_EXPECT_EQ(test, sent, NMI_COUNT);
	nmi_gets_hammer = atomic_long_read(&ctx->nmi_gets);
	nmi_misses_hammer = atomic_long_read(&ctx->nmi_misses);
	/* The pool never ran dry: every NMI got all it asked for. */
	KUNIT_EXPECT_EQ(test, nmi_gets_hammer, (long)sent * NMI_GETS);
	KUNIT_EXPECT_EQ(test, nmi_misses_hammer, 0L);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct nmi_hammer *h = &ctx->hammers[cpu];

		if (!h->ctx)
			continue;
		KUNIT_EXPECT_GT_MSG(test, h->gets, 0ULL, "hammer on CPU %u", cpu);
		KUNIT_EXPECT_EQ_MSG(test, h->misses, 0ULL, "hammer on CPU %u", cpu);
		hammer_gets += h->gets;
		gets += h->gets;
		puts += h->puts;
		misses += h->misses;
	}

	/* A sample of the full pool re-arms the low watermark. */
	mpool_stats_tick(ctx->pool);
	mpool_stats_sync(ctx->pool);
	s = mpool_test_stats(ctx->pool);
	if (s.enabled)
		KUNIT_EXPECT_FALSE(test, s.below_low);

	/* Now an empty pool: the NMI may only get what it put back. */
	WRITE_ONCE(ctx->phase, NMI_PHASE_EMPTY);
	KUNIT_ASSERT_EQ(test, mpool_alloc_bulk(ctx->pool, held, NMI_OBJS, GFP_NOWAIT), 0);
	gets += NMI_OBJS;
	for (i = 0; i < 2 * nr; i++) {
		ctx->handoff = held[i];
		ctx->handback = NULL;
		if (!nmi_send(ctx, target)) {
			KUNIT_FAIL(test, "NMI %u of the empty phase lost on CPU %u", i, target);
			break;
		}
		empty_sent++;
		KUNIT_EXPECT_PTR_EQ(test, ctx->handback, ctx->handoff);
		held[i] = ctx->handback;
		target = nmi_next_cpu(target);
	}
	kunit_release_action(test, nmi_unregister, ctx);
	/* The samples the NMIs' misses asked for, taken while still empty. */
	mpool_stats_sync(ctx->pool);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->handled), sent + empty_sent);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->nmi_misses) - nmi_misses_hammer,
			(long)empty_sent);
	for (i = 0; i < NMI_OBJS; i++) {
		if (held[i])
			puts++;
	}
	mpool_free_bulk(ctx->pool, held, NMI_OBJS);

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_ptr), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_owner), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_stamp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_empty), 0);
	for (i = 0; i < NMI_OBJS; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->owner[i]), 0, "object %u", i);

	/* Every object back, and each once. */
	nmi_take_all(test, ctx, held, false);
	mpool_free_bulk(ctx->pool, held, NMI_OBJS);
	gets += NMI_OBJS + atomic_long_read(&ctx->nmi_gets);
	puts += NMI_OBJS + atomic_long_read(&ctx->nmi_puts);
	misses += 1 + atomic_long_read(&ctx->nmi_misses);

	/* Exactly what the callers saw, NMIs included. */
	s = mpool_test_stats(ctx->pool);
	KUNIT_EXPECT_EQ(test, s.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, s.capacity, NMI_OBJS);
	KUNIT_EXPECT_EQ(test, s.idle, (u64)NMI_OBJS);
	KUNIT_EXPECT_EQ(test, s.alloc, gets);
	KUNIT_EXPECT_EQ(test, s.put, puts);
	KUNIT_EXPECT_EQ(test, s.miss, misses);
	KUNIT_EXPECT_EQ(test, s.bad_frees, 0ULL);
	KUNIT_EXPECT_EQ(test, s.quarantined, 0ULL);
	/*
	 * Fired by the sample the setup's miss asked for while the pool was
	 * empty, re-armed by a sample of the full pool before the empty phase,
	 * and fired again by the samples the NMIs' misses asked for (waited
	 * for while the pool was still empty).
	 */
	if (s.enabled)
		KUNIT_EXPECT_EQ(test, s.low_events, 2ULL);

	kunit_info(test, "%u NMIs handled on %u CPUs in %llu ms (%d inside a hammer's get or put); NMI gets %ld, hammer gets %llu\n",
		   atomic_read(&ctx->handled), nr, ms, atomic_read(&ctx->in_op_hits),
		   atomic_long_read(&ctx->nmi_gets), hammer_gets);
	mpool_destroy(ctx->pool);
}
#else
static void nmi_lockfree_get_put(struct kunit *test)
{
	kunit_skip(test, "raises NMIs through the x86 local APIC");
}
#endif

static struct kunit_case mpool_nmi_cases[] = {
	KUNIT_CASE_PARAM_ATTR(nmi_lockfree_get_put, mpool_nmi_engine_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite mpool_nmi_suite = {
	.name = "mpool_nmi",
	.test_cases = mpool_nmi_cases,
};

kunit_test_suites(&mpool_nmi_suite);
