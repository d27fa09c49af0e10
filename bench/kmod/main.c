// SPDX-License-Identifier: GPL-2.0
/*
 * mempool_bench.ko: times mempool.ko's engines against the kernel's own ways
 * of getting and putting fixed-size objects, in the same boot, so that the
 * ratios between them mean something even where absolute times do not (QEMU
 * without KVM emulates the CPU in software).
 *
 * Subjects: the three mpool engines; kmem_cache_alloc/free on a cache of the
 * object size; kmalloc/kfree; mempool_alloc/free (mm/mempool.c) over a slab
 * cache; objpool_pop/push where the kernel has objpool; and a spinlocked
 * array stack, the pool a driver writes by hand. Two yardsticks, hot loop
 * only, say what the emulator charges for the loop itself ("null": get and
 * put do nothing) and for the two local_irq_save()/restore() pairs that the
 * percpu engine and objpool spend per get+put ("irqsave").
 *
 * Workloads (one kthread pinned per CPU, all started together):
 *  hot      get, write a byte, put, on every CPU at once
 *  bulk16   get 16, put 16, with each subject's bulk API where it has one
 *  prodcons one CPU gets objects and hands them through a queue to the next
 *           CPU, which puts them: the remote free. One pair by default
 *           (@prodcons_pairs): on a host with fewer cores than vCPUs more
 *           pairs would time the host's scheduling of spinning vCPUs
 *  miss     get from a pool whose every object is out, on every CPU at once
 *  node_local, node_remote
 *           a producer on the first online CPU gets a batch of
 *           MPOOL_BENCH_QLEN objects, then a consumer on another CPU of the
 *           same node (node_local) or of another node (node_remote) puts
 *           them all, and so on, the mpool subjects bound to the
 *           producer's node (mpool_params.node): what the percpu engine's
 *           node-aware recycling costs a remote free, against a local one.
 *           The two take turns, the idle one asleep on a completion, and
 *           only their get and put phases are timed: no vCPU spins, so the
 *           figure does not time the host's scheduling of vCPUs, and under
 *           -icount (one vCPU running at a time) it counts instructions.
 *           Skipped without two such CPUs
 *
 * Every run happens at module load. Each (workload, size, subject) gets a
 * warm-up of a quarter run and then @reps timed runs of @ops pairs per
 * thread, timed with ktime_get_ns(); the median run is reported as a line
 *
 *   BENCH,kernel,vcpus,init_on_alloc,workload,subject,size,ns_per_pair,
 *   mpairs_per_s,threads,reps,fails
 *
 * in the kernel log (bench/guest-bench.sh copies them out). ns_per_pair is
 * one thread's (one producer-consumer pair's) time for a get+put;
 * mpairs_per_s is all threads together, in millions of get+put pairs per
 * second. For miss, a "pair" is one failed get.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mpool.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "compat.h"

static char *workloads = "hot,bulk16,prodcons,miss,node_local,node_remote";
module_param(workloads, charp, 0444);
MODULE_PARM_DESC(workloads, "comma-separated: hot,bulk16,prodcons,miss,node_local,node_remote");

static char *subjects =
	"percpu,ring,lockfree,kmem_cache,kmalloc,mempool,objpool,spinlock,null,irqsave";
module_param(subjects, charp, 0444);
MODULE_PARM_DESC(subjects, "comma-separated subjects to time");

static unsigned int sizes[4] = { 64, 4096 };
static unsigned int nr_sizes = 2;
module_param_array(sizes, uint, &nr_sizes, 0444);
MODULE_PARM_DESC(sizes, "object sizes in bytes (default 64,4096)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed runs per measurement; the median is reported");

static unsigned int ops = 20000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "get+put pairs per thread per run (rounded to 16)");

static bool zero;
module_param(zero, bool, 0444);
MODULE_PARM_DESC(zero, "create the mpool subjects with MPOOL_F_ZERO (reported as percpu+zero...)");

static unsigned int prodcons_pairs = 1;
module_param(prodcons_pairs, uint, 0444);
MODULE_PARM_DESC(prodcons_pairs, "producer-consumer CPU pairs (0: all CPUs)");

static unsigned int objs_per_cpu = 512;
module_param(objs_per_cpu, uint, 0444);
MODULE_PARM_DESC(objs_per_cpu, "objects in each pool, per online CPU");

#define MPOOL_BENCH_BULK	16
/* Producer-consumer queue: a power of two, well below the pool's objects. */
#define MPOOL_BENCH_QLEN	256
/* A producer that finds no object this many times in a row gives up. */
#define MPOOL_BENCH_MAX_FAILS	BIT(24)
/* cond_resched() every this many pairs: the same small cost for everyone. */
#define MPOOL_BENCH_RESCHED	1024

enum mpool_bench_subject {
	MPOOL_BENCH_PERCPU,
	MPOOL_BENCH_RING,
	MPOOL_BENCH_LOCKFREE,
	MPOOL_BENCH_KMEM_CACHE,
	MPOOL_BENCH_KMALLOC,
	MPOOL_BENCH_MEMPOOL,
	MPOOL_BENCH_OBJPOOL,
	MPOOL_BENCH_SPINLOCK,
	MPOOL_BENCH_NULL,
	MPOOL_BENCH_IRQSAVE,
	MPOOL_BENCH_NR_SUBJECTS,
};

static const char *const mpool_bench_subject_names[] = {
	[MPOOL_BENCH_PERCPU]	 = "percpu",
	[MPOOL_BENCH_RING]	 = "ring",
	[MPOOL_BENCH_LOCKFREE]	 = "lockfree",
	[MPOOL_BENCH_KMEM_CACHE] = "kmem_cache",
	[MPOOL_BENCH_KMALLOC]	 = "kmalloc",
	[MPOOL_BENCH_MEMPOOL]	 = "mempool",
	[MPOOL_BENCH_OBJPOOL]	 = "objpool",
	[MPOOL_BENCH_SPINLOCK]	 = "spinlock",
	[MPOOL_BENCH_NULL]	 = "null",
	[MPOOL_BENCH_IRQSAVE]	 = "irqsave",
};

enum mpool_bench_workload {
	MPOOL_BENCH_HOT,
	MPOOL_BENCH_BULK16,
	MPOOL_BENCH_PRODCONS,
	MPOOL_BENCH_MISS,
	MPOOL_BENCH_NODE_LOCAL,
	MPOOL_BENCH_NODE_REMOTE,
	MPOOL_BENCH_NR_WORKLOADS,
};

static const char *const mpool_bench_workload_names[] = {
	[MPOOL_BENCH_HOT]	= "hot",
	[MPOOL_BENCH_BULK16]	= "bulk16",
	[MPOOL_BENCH_PRODCONS]	= "prodcons",
	[MPOOL_BENCH_MISS]	= "miss",
	[MPOOL_BENCH_NODE_LOCAL]	= "node_local",
	[MPOOL_BENCH_NODE_REMOTE]	= "node_remote",
};

enum mpool_bench_role {
	MPOOL_BENCH_WORKER,
	MPOOL_BENCH_PRODUCER,
	MPOOL_BENCH_CONSUMER,
};

/*
 * The naive baseline: an array of free objects under one lock. IRQs go off
 * with the lock because the mpool engines it is compared with serve hard-IRQ
 * callers too; a plain spin_lock() would be unsafe there.
 */
struct mpool_bench_stack {
	spinlock_t lock;	/* protects @top and @items */
	unsigned int top;
	unsigned int cap;
	void **items;
};

/*
 * Single-producer single-consumer queue between two CPUs. Each index has a
 * cache line of its own so that the two sides do not false-share.
 */
struct mpool_bench_queue {
	unsigned int head ____cacheline_aligned_in_smp;	/* consumer's */
	unsigned int tail ____cacheline_aligned_in_smp;	/* producer's */
	void *slots[MPOOL_BENCH_QLEN] ____cacheline_aligned_in_smp;
	/* node_local and node_remote: the turns of the two sides */
	struct completion filled;
	struct completion drained;
};

/* One subject, set up for one object size. */
struct mpool_bench_subj {
	enum mpool_bench_subject id;
	char name[MPOOL_NAME_MAX];
	size_t size;
	unsigned int nr_objs;
	struct mpool *mp;
	struct kmem_cache *kc;
	mempool_t *mempool;
	struct mpool_bench_objpool op;
	struct mpool_bench_stack stack;
	/* miss: every object of the pool, taken out before the timed runs */
	void **held;
	unsigned int nr_held;
};

/* What the yardsticks hand out: a CPU's own cache line, nobody else's. */
struct mpool_bench_blob {
	u8 bytes[SMP_CACHE_BYTES];
};

static DEFINE_PER_CPU_ALIGNED(struct mpool_bench_blob, mpool_bench_blob);

struct mpool_bench_run;

struct mpool_bench_thread {
	struct mpool_bench_run *run;
	struct task_struct *task;
	struct mpool_bench_queue *q;
	enum mpool_bench_role role;
	unsigned int cpu;
	u64 t0;
	u64 t1;
	u64 busy;	/* node_local, node_remote: ns in timed phases */
	u64 fails;
} ____cacheline_aligned_in_smp;

struct mpool_bench_run {
	struct mpool_bench_subj *s;
	enum mpool_bench_workload wl;
	u64 ops;
	unsigned int nr_threads;
	atomic_t arrived;
	atomic_t running;
	bool abort;
	struct completion start;
	struct completion done;
	struct mpool_bench_thread *th;
	struct mpool_bench_queue *queues;
};

static bool mpool_bench_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static bool mpool_bench_is_node(enum mpool_bench_workload wl)
{
	return wl == MPOOL_BENCH_NODE_LOCAL || wl == MPOOL_BENCH_NODE_REMOTE;
}

static __always_inline void *mpool_bench_kmalloc(size_t size, gfp_t gfp)
{
	/*
	 * Real callers pass sizeof(): with a constant size kmalloc() picks
	 * its cache at build time, so time that path for the usual sizes.
	 */
	switch (size) {
	case 64:
		return kmalloc(64, gfp);
	case 4096:
		return kmalloc(4096, gfp);
	default:
		return kmalloc(size, gfp);
	}
}

static __always_inline bool mpool_bench_is_mpool(enum mpool_bench_subject id)
{
	return id == MPOOL_BENCH_PERCPU || id == MPOOL_BENCH_RING ||
	       id == MPOOL_BENCH_LOCKFREE;
}

/*
 * Get and put are inlined into each workload loop with @id a constant, so
 * every subject gets a loop of its own with no dispatch inside it.
 */
static __always_inline void *mpool_bench_get(struct mpool_bench_subj *s,
					     enum mpool_bench_subject id,
					     gfp_t gfp)
{
	unsigned long flags;
	void *obj;

	switch (id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		return mpool_alloc(s->mp, gfp);
	case MPOOL_BENCH_KMEM_CACHE:
		return kmem_cache_alloc(s->kc, gfp);
	case MPOOL_BENCH_KMALLOC:
		return mpool_bench_kmalloc(s->size, gfp);
	case MPOOL_BENCH_MEMPOOL:
		return mempool_alloc(s->mempool, gfp);
	case MPOOL_BENCH_OBJPOOL:
		return mpool_bench_objpool_pop(&s->op);
	case MPOOL_BENCH_SPINLOCK:
		spin_lock_irqsave(&s->stack.lock, flags);
		obj = s->stack.top ? s->stack.items[--s->stack.top] : NULL;
		spin_unlock_irqrestore(&s->stack.lock, flags);
		return obj;
	case MPOOL_BENCH_NULL:
		/* The threads are pinned: raw_cpu_ptr() is stable. */
		return raw_cpu_ptr(&mpool_bench_blob);
	case MPOOL_BENCH_IRQSAVE:
		local_irq_save(flags);
		obj = raw_cpu_ptr(&mpool_bench_blob);
		local_irq_restore(flags);
		return obj;
	default:
		return NULL;
	}
}

static __always_inline void mpool_bench_put(struct mpool_bench_subj *s,
					    enum mpool_bench_subject id,
					    void *obj)
{
	unsigned long flags;

	switch (id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		mpool_free(s->mp, obj);
		break;
	case MPOOL_BENCH_KMEM_CACHE:
		kmem_cache_free(s->kc, obj);
		break;
	case MPOOL_BENCH_KMALLOC:
		kfree(obj);
		break;
	case MPOOL_BENCH_MEMPOOL:
		mempool_free(obj, s->mempool);
		break;
	case MPOOL_BENCH_OBJPOOL:
		mpool_bench_objpool_push(&s->op, obj);
		break;
	case MPOOL_BENCH_SPINLOCK:
		spin_lock_irqsave(&s->stack.lock, flags);
		s->stack.items[s->stack.top++] = obj;
		spin_unlock_irqrestore(&s->stack.lock, flags);
		break;
	case MPOOL_BENCH_IRQSAVE:
		local_irq_save(flags);
		barrier();
		local_irq_restore(flags);
		break;
	default:
		break;
	}
}

/*
 * Bulk get, all or nothing, through the subject's own bulk API where it has
 * one (mpool, kmem_cache, the stack under one lock hold); the others have
 * none, and a caller would loop.
 */
static __always_inline bool mpool_bench_get_bulk(struct mpool_bench_subj *s,
						 enum mpool_bench_subject id,
						 void **objs, gfp_t gfp)
{
	const unsigned int n = MPOOL_BENCH_BULK;
	unsigned long flags;
	unsigned int i;
	bool ok;

	switch (id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		return !mpool_alloc_bulk(s->mp, objs, n, gfp);
	case MPOOL_BENCH_KMEM_CACHE:
		return kmem_cache_alloc_bulk(s->kc, gfp, n, objs) == n;
	case MPOOL_BENCH_SPINLOCK:
		spin_lock_irqsave(&s->stack.lock, flags);
		ok = s->stack.top >= n;
		if (ok) {
			s->stack.top -= n;
			memcpy(objs, &s->stack.items[s->stack.top],
			       n * sizeof(*objs));
		}
		spin_unlock_irqrestore(&s->stack.lock, flags);
		return ok;
	default:
		for (i = 0; i < n; i++) {
			objs[i] = mpool_bench_get(s, id, gfp);
			if (unlikely(!objs[i]))
				goto undo;
		}
		return true;
undo:
		while (i--)
			mpool_bench_put(s, id, objs[i]);
		return false;
	}
}

static __always_inline void mpool_bench_put_bulk(struct mpool_bench_subj *s,
						 enum mpool_bench_subject id,
						 void **objs)
{
	const unsigned int n = MPOOL_BENCH_BULK;
	unsigned long flags;
	unsigned int i;

	switch (id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		mpool_free_bulk(s->mp, objs, n);
		break;
	case MPOOL_BENCH_KMEM_CACHE:
		kmem_cache_free_bulk(s->kc, n, objs);
		break;
	case MPOOL_BENCH_KMALLOC:
		kfree_bulk(n, objs);
		break;
	case MPOOL_BENCH_SPINLOCK:
		spin_lock_irqsave(&s->stack.lock, flags);
		memcpy(&s->stack.items[s->stack.top], objs, n * sizeof(*objs));
		s->stack.top += n;
		spin_unlock_irqrestore(&s->stack.lock, flags);
		break;
	default:
		for (i = 0; i < n; i++)
			mpool_bench_put(s, id, objs[i]);
		break;
	}
}

static __always_inline void mpool_bench_hot(struct mpool_bench_thread *t,
					    enum mpool_bench_subject id)
{
	struct mpool_bench_subj *s = t->run->s;
	u64 i, n = t->run->ops;
	void *obj;

	for (i = 0; i < n; i++) {
		obj = mpool_bench_get(s, id, GFP_KERNEL);
		if (unlikely(!obj)) {
			t->fails++;
			continue;
		}
		/* Callers write to what they get; an untouched object is free. */
		WRITE_ONCE(*(u8 *)obj, (u8)i);
		mpool_bench_put(s, id, obj);
		if ((i % MPOOL_BENCH_RESCHED) == MPOOL_BENCH_RESCHED - 1)
			cond_resched();
	}
}

static __always_inline void mpool_bench_bulk(struct mpool_bench_thread *t,
					     enum mpool_bench_subject id)
{
	struct mpool_bench_subj *s = t->run->s;
	u64 i, n = t->run->ops / MPOOL_BENCH_BULK;
	void *objs[MPOOL_BENCH_BULK];
	unsigned int j;

	for (i = 0; i < n; i++) {
		if (unlikely(!mpool_bench_get_bulk(s, id, objs, GFP_KERNEL))) {
			t->fails++;
			continue;
		}
		for (j = 0; j < MPOOL_BENCH_BULK; j++)
			WRITE_ONCE(*(u8 *)objs[j], (u8)i);
		mpool_bench_put_bulk(s, id, objs);
		if ((i % 64) == 63)
			cond_resched();
	}
}

/*
 * The queue hands objects over in bursts: a producer that finds it full waits
 * until half of it has drained, a consumer that finds it empty waits for half
 * a queue (or the rest of the run). A per-object handshake would time the
 * spinning instead of the pool, and under TCG every cpu_relax() (PAUSE) is
 * an exit from translated code that costs more than a get+put.
 */
static __always_inline void mpool_bench_produce(struct mpool_bench_thread *t,
						enum mpool_bench_subject id)
{
	struct mpool_bench_run *r = t->run;
	struct mpool_bench_queue *q = t->q;
	unsigned int tail = 0, head = 0;
	unsigned int fails;
	u64 i;
	void *obj;

	for (i = 0; i < r->ops; i++) {
		/*
		 * The pool may be briefly empty while the consumer's CPU
		 * holds objects in its cache; a producer retries, as a
		 * driver refilling a ring would.
		 */
		fails = 0;
		while (!(obj = mpool_bench_get(r->s, id, GFP_KERNEL))) {
			t->fails++;
			if (++fails >= MPOOL_BENCH_MAX_FAILS ||
			    READ_ONCE(r->abort)) {
				WRITE_ONCE(r->abort, true);
				return;
			}
			cpu_relax();
		}
		WRITE_ONCE(*(u8 *)obj, (u8)i);
		if (tail - head >= MPOOL_BENCH_QLEN) {
			/* Pairs with the consumer's release: its reads are done. */
			while (tail - (head = smp_load_acquire(&q->head)) >
			       MPOOL_BENCH_QLEN / 2) {
				if (READ_ONCE(r->abort)) {
					mpool_bench_put(r->s, id, obj);
					return;
				}
				cpu_relax();
			}
		}
		q->slots[tail % MPOOL_BENCH_QLEN] = obj;
		/* Publishes the slot (and the object's contents) to the consumer. */
		smp_store_release(&q->tail, ++tail);
		if ((i % MPOOL_BENCH_RESCHED) == MPOOL_BENCH_RESCHED - 1)
			cond_resched();
	}
}

static __always_inline void mpool_bench_consume(struct mpool_bench_thread *t,
						enum mpool_bench_subject id)
{
	struct mpool_bench_run *r = t->run;
	struct mpool_bench_queue *q = t->q;
	unsigned int head = 0, tail = 0, want;
	void *obj;
	u64 i;

	for (i = 0; i < r->ops; i++) {
		if (head == tail) {
			want = min_t(u64, MPOOL_BENCH_QLEN / 2, r->ops - i);
			/* Pairs with the producer's release: the slots are filled. */
			while ((tail = smp_load_acquire(&q->tail)) - head < want) {
				if (READ_ONCE(r->abort))
					return;
				cpu_relax();
			}
		}
		obj = q->slots[head % MPOOL_BENCH_QLEN];
		/* The slot is read: the producer may reuse it. */
		smp_store_release(&q->head, ++head);
		/* A consumer reads what it was sent. */
		(void)READ_ONCE(*(u8 *)obj);
		mpool_bench_put(r->s, id, obj);
		if ((i % MPOOL_BENCH_RESCHED) == MPOOL_BENCH_RESCHED - 1)
			cond_resched();
	}
}

/*
 * node_local and node_remote, one side: a batch of gets (producer) or puts
 * (consumer) per turn, timed; the other side sleeps meanwhile.
 */
static __always_inline void mpool_bench_turns(struct mpool_bench_thread *t,
					      enum mpool_bench_subject id)
{
	struct mpool_bench_run *r = t->run;
	struct mpool_bench_queue *q = t->q;
	bool prod = t->role == MPOOL_BENCH_PRODUCER;
	unsigned int i, n;
	u64 done, t0;

	for (done = 0; done < r->ops; done += n) {
		n = min_t(u64, MPOOL_BENCH_QLEN, r->ops - done);
		if (!prod)
			wait_for_completion(&q->filled);
		if (READ_ONCE(r->abort))
			break;
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++) {
			if (!prod) {
				mpool_bench_put(r->s, id, q->slots[i]);
				continue;
			}
			q->slots[i] = mpool_bench_get(r->s, id, GFP_KERNEL);
			if (!q->slots[i]) {
				/* The pool holds a batch and more: this is a bug. */
				t->fails++;
				WRITE_ONCE(r->abort, true);
				break;
			}
		}
		t->busy += ktime_get_ns() - t0;
		if (prod) {
			complete(&q->filled);
			if (READ_ONCE(r->abort))
				break;
			wait_for_completion(&q->drained);
		} else {
			complete(&q->drained);
		}
	}
	/* The other side may be asleep waiting for a turn that never comes. */
	if (READ_ONCE(r->abort))
		complete(prod ? &q->filled : &q->drained);
}

static __always_inline void mpool_bench_miss(struct mpool_bench_thread *t,
					     enum mpool_bench_subject id)
{
	struct mpool_bench_subj *s = t->run->s;
	u64 i, n = t->run->ops;
	void *obj;

	for (i = 0; i < n; i++) {
		/* Atomic context's miss: it must fail at once, not block. */
		obj = mpool_bench_get(s, id, GFP_NOWAIT);
		if (unlikely(obj)) {
			t->fails++;
			mpool_bench_put(s, id, obj);
		}
		if ((i % MPOOL_BENCH_RESCHED) == MPOOL_BENCH_RESCHED - 1)
			cond_resched();
	}
}

static __always_inline void mpool_bench_work_one(struct mpool_bench_thread *t,
						 enum mpool_bench_subject id)
{
	switch (t->run->wl) {
	case MPOOL_BENCH_HOT:
		mpool_bench_hot(t, id);
		break;
	case MPOOL_BENCH_BULK16:
		mpool_bench_bulk(t, id);
		break;
	case MPOOL_BENCH_PRODCONS:
		if (t->role == MPOOL_BENCH_PRODUCER)
			mpool_bench_produce(t, id);
		else
			mpool_bench_consume(t, id);
		break;
	case MPOOL_BENCH_NODE_LOCAL:
	case MPOOL_BENCH_NODE_REMOTE:
		mpool_bench_turns(t, id);
		break;
	case MPOOL_BENCH_MISS:
		mpool_bench_miss(t, id);
		break;
	default:
		break;
	}
}

/*
 * Flattened: every static inline get and put (mpool_alloc(), objpool_pop()
 * and the like) is inlined into its loop, as it is for a kernel user that
 * calls it once, rather than left out of line because this file calls it
 * from many loops.
 */
static void __attribute__((__flatten__)) mpool_bench_work(struct mpool_bench_thread *t)
{
	switch (t->run->s->id) {
	case MPOOL_BENCH_PERCPU:
		mpool_bench_work_one(t, MPOOL_BENCH_PERCPU);
		break;
	case MPOOL_BENCH_RING:
		mpool_bench_work_one(t, MPOOL_BENCH_RING);
		break;
	case MPOOL_BENCH_LOCKFREE:
		mpool_bench_work_one(t, MPOOL_BENCH_LOCKFREE);
		break;
	case MPOOL_BENCH_KMEM_CACHE:
		mpool_bench_work_one(t, MPOOL_BENCH_KMEM_CACHE);
		break;
	case MPOOL_BENCH_KMALLOC:
		mpool_bench_work_one(t, MPOOL_BENCH_KMALLOC);
		break;
	case MPOOL_BENCH_MEMPOOL:
		mpool_bench_work_one(t, MPOOL_BENCH_MEMPOOL);
		break;
	case MPOOL_BENCH_OBJPOOL:
		mpool_bench_work_one(t, MPOOL_BENCH_OBJPOOL);
		break;
	case MPOOL_BENCH_SPINLOCK:
		mpool_bench_work_one(t, MPOOL_BENCH_SPINLOCK);
		break;
	case MPOOL_BENCH_NULL:
		mpool_bench_work_one(t, MPOOL_BENCH_NULL);
		break;
	case MPOOL_BENCH_IRQSAVE:
		mpool_bench_work_one(t, MPOOL_BENCH_IRQSAVE);
		break;
	default:
		break;
	}
}

static int mpool_bench_thread_fn(void *arg)
{
	struct mpool_bench_thread *t = arg;
	struct mpool_bench_run *r = t->run;

	wait_for_completion(&r->start);
	if (READ_ONCE(r->abort))
		goto park;
	/*
	 * Waking threads one by one spreads their starts over a scheduler
	 * latency or more; spinning here until all are on their CPUs makes
	 * them contend from the first pair on.
	 */
	atomic_inc(&r->arrived);
	while (atomic_read(&r->arrived) < r->nr_threads)
		cpu_relax();

	t->t0 = ktime_get_ns();
	mpool_bench_work(t);
	t->t1 = ktime_get_ns();

	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
park:
	/* Stay until kthread_stop(): the controller frees @t after that. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * One timed run with @ops pairs per thread. Returns the time of one pair on
 * one thread (for prodcons, on one producer-consumer pair) in tenths of a
 * ns, and all threads' pairs per microsecond (= M pairs/s) in thousandths.
 */
static int mpool_bench_once(struct mpool_bench_run *r, u64 ops,
			    u64 *ns10, u64 *mops1000, u64 *fails)
{
	u64 t0 = U64_MAX, t1 = 0, sum_ns = 0, pairs;
	unsigned int i, nr_lanes = 0;
	int err = 0;

	r->ops = ops;
	WRITE_ONCE(r->abort, false);
	atomic_set(&r->arrived, 0);
	atomic_set(&r->running, r->nr_threads);
	init_completion(&r->start);
	init_completion(&r->done);
	for (i = 0; i < r->nr_threads; i++) {
		struct mpool_bench_thread *t = &r->th[i];

		t->t0 = 0;
		t->t1 = 0;
		t->busy = 0;
		t->fails = 0;
		if (t->q) {
			t->q->head = 0;
			t->q->tail = 0;
			init_completion(&t->q->filled);
			init_completion(&t->q->drained);
		}
		t->task = kthread_create_on_node(mpool_bench_thread_fn, t,
						 cpu_to_node(t->cpu),
						 "mpool_bench/%u", t->cpu);
		if (IS_ERR(t->task)) {
			err = PTR_ERR(t->task);
			t->task = NULL;
			break;
		}
		kthread_bind(t->task, t->cpu);
		wake_up_process(t->task);
	}
	if (err) {
		/* Nobody has passed the start line: send them home. */
		WRITE_ONCE(r->abort, true);
		complete_all(&r->start);
		while (i--)
			kthread_stop(r->th[i].task);
		return err;
	}
	complete_all(&r->start);
	wait_for_completion(&r->done);
	for (i = 0; i < r->nr_threads; i++)
		kthread_stop(r->th[i].task);

	*fails = 0;
	for (i = 0; i < r->nr_threads; i++) {
		struct mpool_bench_thread *t = &r->th[i];

		*fails += t->fails;
		t0 = min(t0, t->t0);
		t1 = max(t1, t->t1);
		if (t->role == MPOOL_BENCH_WORKER) {
			sum_ns += t->t1 - t->t0;
			nr_lanes++;
		} else if (t->role == MPOOL_BENCH_CONSUMER &&
			   mpool_bench_is_node(r->wl)) {
			/* Their timed turns only, not the hand-overs. */
			sum_ns += t->busy + r->th[i - 1].busy;
			nr_lanes++;
		} else if (t->role == MPOOL_BENCH_CONSUMER) {
			/* A pair's time: its producer's start to this end. */
			sum_ns += t->t1 - r->th[i - 1].t0;
			nr_lanes++;
		}
	}
	if (READ_ONCE(r->abort))
		return -EIO;
	pairs = ops * nr_lanes;
	*ns10 = div64_u64(sum_ns * 10, ops * nr_lanes);
	*mops1000 = div64_u64(pairs * 1000000, max(t1 - t0, 1ULL));
	return 0;
}

static int mpool_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The node workloads' producer: the first online CPU. */
static unsigned int mpool_bench_node_producer(void)
{
	return cpumask_first(cpu_online_mask);
}

/*
 * Their consumer: another online CPU of the producer's node (node_local) or
 * of another node (node_remote); nr_cpu_ids if there is none.
 */
static unsigned int mpool_bench_node_consumer(enum mpool_bench_workload wl)
{
	unsigned int prod = mpool_bench_node_producer(), cpu;
	bool local = wl == MPOOL_BENCH_NODE_LOCAL;

	for_each_online_cpu(cpu) {
		if (cpu != prod && local == (cpu_to_node(cpu) == cpu_to_node(prod)))
			return cpu;
	}
	return nr_cpu_ids;
}

static int mpool_bench_subj_setup(struct mpool_bench_subj *s,
				  enum mpool_bench_workload wl)
{
	static const enum mpool_engine engines[] = {
		[MPOOL_BENCH_PERCPU]	= MPOOL_ENGINE_PERCPU,
		[MPOOL_BENCH_RING]	= MPOOL_ENGINE_RING,
		[MPOOL_BENCH_LOCKFREE]	= MPOOL_ENGINE_LOCKFREE,
	};
	struct mpool_params p = {
		.name = s->name,
		.obj_size = s->size,
		.init_objs = s->nr_objs,
		/* Never grow while timed: every pool holds the same objects. */
		.max_objs = s->nr_objs,
		.node = NUMA_NO_NODE,
	};
	unsigned int i;
	void *obj;
	int err;

	/* Names must be unique among pools (and readable among caches). */
	snprintf(s->name, sizeof(s->name), "mpool_bench_%s",
		 mpool_bench_subject_names[s->id]);
	switch (s->id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		p.engine = engines[s->id];
		if (zero)
			p.flags |= MPOOL_F_ZERO;
		if (mpool_bench_is_node(wl))
			p.node = cpu_to_node(mpool_bench_node_producer());
		s->mp = mpool_create(&p);
		if (IS_ERR_OR_NULL(s->mp))
			return s->mp ? PTR_ERR(s->mp) : -ENOMEM;
		break;
	case MPOOL_BENCH_KMEM_CACHE:
	case MPOOL_BENCH_MEMPOOL:
		s->kc = kmem_cache_create(s->name, s->size, 0, 0, NULL);
		if (!s->kc)
			return -ENOMEM;
		if (s->id == MPOOL_BENCH_KMEM_CACHE)
			break;
		/* The reserve only matters when slab fails; size it modestly. */
		s->mempool = mempool_create_slab_pool(MPOOL_BENCH_BULK, s->kc);
		if (!s->mempool)
			return -ENOMEM;
		break;
	case MPOOL_BENCH_KMALLOC:
	case MPOOL_BENCH_NULL:
	case MPOOL_BENCH_IRQSAVE:
		break;
	case MPOOL_BENCH_OBJPOOL:
		err = mpool_bench_objpool_init(&s->op, s->nr_objs, s->size);
		if (err)
			return err;
		break;
	case MPOOL_BENCH_SPINLOCK:
		spin_lock_init(&s->stack.lock);
		s->stack.items = kvmalloc_array(s->nr_objs, sizeof(void *),
						GFP_KERNEL);
		if (!s->stack.items)
			return -ENOMEM;
		s->stack.cap = s->nr_objs;
		for (s->stack.top = 0; s->stack.top < s->nr_objs; s->stack.top++) {
			obj = kmalloc(s->size, GFP_KERNEL);
			if (!obj)
				return -ENOMEM;
			s->stack.items[s->stack.top] = obj;
		}
		break;
	default:
		return -EINVAL;
	}

	if (wl != MPOOL_BENCH_MISS)
		return 0;
	/* Empty the pool; with max_objs reached a blocking get fails too. */
	i = s->mp ? mpool_capacity(s->mp) : s->nr_objs;
	s->held = kvmalloc_array(i, sizeof(void *), GFP_KERNEL);
	if (!s->held)
		return -ENOMEM;
	for (s->nr_held = 0; s->nr_held < i; s->nr_held++) {
		switch (s->id) {
		case MPOOL_BENCH_OBJPOOL:
			obj = mpool_bench_objpool_pop(&s->op);
			break;
		case MPOOL_BENCH_SPINLOCK:
			obj = mpool_bench_get(s, MPOOL_BENCH_SPINLOCK, GFP_KERNEL);
			break;
		default:
			obj = mpool_alloc(s->mp, GFP_KERNEL);
			break;
		}
		if (!obj)
			break;
		s->held[s->nr_held] = obj;
	}
	return 0;
}

static void mpool_bench_subj_teardown(struct mpool_bench_subj *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_held; i++) {
		switch (s->id) {
		case MPOOL_BENCH_OBJPOOL:
			mpool_bench_objpool_push(&s->op, s->held[i]);
			break;
		case MPOOL_BENCH_SPINLOCK:
			mpool_bench_put(s, MPOOL_BENCH_SPINLOCK, s->held[i]);
			break;
		default:
			mpool_free(s->mp, s->held[i]);
			break;
		}
	}
	kvfree(s->held);

	switch (s->id) {
	case MPOOL_BENCH_PERCPU:
	case MPOOL_BENCH_RING:
	case MPOOL_BENCH_LOCKFREE:
		if (!IS_ERR_OR_NULL(s->mp))
			mpool_destroy(s->mp);
		break;
	case MPOOL_BENCH_KMEM_CACHE:
	case MPOOL_BENCH_MEMPOOL:
		mempool_destroy(s->mempool);
		kmem_cache_destroy(s->kc);
		break;
	case MPOOL_BENCH_OBJPOOL:
		mpool_bench_objpool_fini(&s->op);
		break;
	case MPOOL_BENCH_SPINLOCK:
		for (i = 0; i < s->stack.top; i++)
			kfree(s->stack.items[i]);
		kvfree(s->stack.items);
		break;
	default:
		break;
	}
}

/* Which subjects have something to time in @wl. */
static bool mpool_bench_applies(enum mpool_bench_subject id,
				enum mpool_bench_workload wl)
{
	if (id == MPOOL_BENCH_OBJPOOL && !MPOOL_BENCH_HAVE_OBJPOOL)
		return false;
	/* The yardsticks measure the emulator, once is enough. */
	if (id == MPOOL_BENCH_NULL || id == MPOOL_BENCH_IRQSAVE)
		return wl == MPOOL_BENCH_HOT;
	if (wl == MPOOL_BENCH_PRODCONS && num_online_cpus() < 2)
		return false;
	if (mpool_bench_is_node(wl) && mpool_bench_node_consumer(wl) >= nr_cpu_ids)
		return false;
	/* Slab never runs dry, so it has no empty-pool miss to time. */
	if (wl == MPOOL_BENCH_MISS)
		return mpool_bench_is_mpool(id) || id == MPOOL_BENCH_OBJPOOL ||
		       id == MPOOL_BENCH_SPINLOCK;
	return true;
}

/* Threads and their CPUs: one per online CPU, or producer-consumer pairs. */
static int mpool_bench_threads(struct mpool_bench_run *r)
{
	unsigned int cpu, n = 0, online = num_online_cpus();

	if (r->wl == MPOOL_BENCH_PRODCONS) {
		online &= ~1u;
		if (prodcons_pairs)
			online = min(online, 2 * prodcons_pairs);
	}
	if (mpool_bench_is_node(r->wl))
		online = 2;
	r->th = kcalloc(online, sizeof(*r->th), GFP_KERNEL);
	r->queues = kcalloc(online / 2 + 1, sizeof(*r->queues), GFP_KERNEL);
	if (!r->th || !r->queues)
		return -ENOMEM;
	if (mpool_bench_is_node(r->wl)) {
		r->th[0] = (struct mpool_bench_thread){
			.run = r, .q = r->queues, .role = MPOOL_BENCH_PRODUCER,
			.cpu = mpool_bench_node_producer(),
		};
		r->th[1] = (struct mpool_bench_thread){
			.run = r, .q = r->queues, .role = MPOOL_BENCH_CONSUMER,
			.cpu = mpool_bench_node_consumer(r->wl),
		};
		/* Without a consumer CPU, nothing applies: no thread starts. */
		r->nr_threads = r->th[1].cpu < nr_cpu_ids ? 2 : 0;
		return 0;
	}
	for_each_online_cpu(cpu) {
		struct mpool_bench_thread *t;

		if (n == online)
			break;
		t = &r->th[n];
		t->run = r;
		t->cpu = cpu;
		t->role = MPOOL_BENCH_WORKER;
		if (r->wl == MPOOL_BENCH_PRODCONS) {
			t->role = n % 2 ? MPOOL_BENCH_CONSUMER :
					  MPOOL_BENCH_PRODUCER;
			t->q = &r->queues[n / 2];
		}
		n++;
	}
	r->nr_threads = n;
	return 0;
}

static void mpool_bench_report(struct mpool_bench_run *r,
			       struct mpool_bench_subj *s,
			       enum mpool_bench_workload wl, u64 *ns10,
			       u64 *mops1000, u64 fails)
{
	sort(ns10, reps, sizeof(u64), mpool_bench_cmp_u64, NULL);
	sort(mops1000, reps, sizeof(u64), mpool_bench_cmp_u64, NULL);
	pr_info("BENCH,%s,%u,%d,%s,%s%s,%zu,%llu.%llu,%llu.%03llu,%u,%u,%llu\n",
		init_utsname()->release, num_online_cpus(),
		want_init_on_alloc(GFP_KERNEL),
		mpool_bench_workload_names[wl],
		mpool_bench_subject_names[s->id], s->mp && zero ? "+zero" : "",
		s->size,
		ns10[reps / 2] / 10, ns10[reps / 2] % 10,
		mops1000[reps / 2] / 1000, mops1000[reps / 2] % 1000,
		r->nr_threads, reps, fails);
}

static void mpool_bench_error(struct mpool_bench_subj *s,
			      enum mpool_bench_workload wl, const char *what,
			      int err)
{
	pr_warn("BENCH-ERROR,%s,%s,%zu,%s,%d\n", mpool_bench_workload_names[wl],
		mpool_bench_subject_names[s->id], s->size, what, err);
}

/*
 * Every subject of one workload and size is set up at once and the timed
 * runs go round-robin over them: whatever else the host does while the VM
 * runs (the vCPUs are host threads on a shared machine) then lands on all
 * subjects alike instead of on whichever ran at that moment.
 */
static int mpool_bench_measure(enum mpool_bench_workload wl, size_t size)
{
	struct mpool_bench_subj *subj;
	struct mpool_bench_run *r;
	u64 *ns10, *mops1000, *fails, n, warm, f;
	bool active[MPOOL_BENCH_NR_SUBJECTS] = {};
	unsigned int id, i;
	int err, ret = 0;

	subj = kcalloc(MPOOL_BENCH_NR_SUBJECTS, sizeof(*subj), GFP_KERNEL);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	ns10 = kcalloc(MPOOL_BENCH_NR_SUBJECTS * reps, sizeof(u64), GFP_KERNEL);
	mops1000 = kcalloc(MPOOL_BENCH_NR_SUBJECTS * reps, sizeof(u64),
			   GFP_KERNEL);
	fails = kcalloc(MPOOL_BENCH_NR_SUBJECTS, sizeof(u64), GFP_KERNEL);
	if (!subj || !r || !ns10 || !mops1000 || !fails) {
		ret = -ENOMEM;
		goto out_free;
	}
	r->wl = wl;
	ret = mpool_bench_threads(r);
	if (ret)
		goto out_free;

	for (id = 0; id < MPOOL_BENCH_NR_SUBJECTS; id++) {
		struct mpool_bench_subj *s = &subj[id];

		s->id = id;
		s->size = size;
		s->nr_objs = objs_per_cpu * num_online_cpus();
		if (!mpool_bench_listed(subjects, mpool_bench_subject_names[id]) ||
		    !mpool_bench_applies(id, wl))
			continue;
		err = mpool_bench_subj_setup(s, wl);
		if (err) {
			mpool_bench_error(s, wl, "setup", err);
			ret = err;
			continue;
		}
		active[id] = true;
	}

	n = max_t(u64, round_down(ops, MPOOL_BENCH_BULK), MPOOL_BENCH_BULK);
	warm = max_t(u64, round_down(n / 4, MPOOL_BENCH_BULK), MPOOL_BENCH_BULK);
	/* rep -1 is the warm-up: caches, slabs and magazines settle. */
	for (i = 0; i <= reps; i++) {
		for (id = 0; id < MPOOL_BENCH_NR_SUBJECTS; id++) {
			u64 *slot = i ? &ns10[id * reps + i - 1] : &ns10[id * reps];
			u64 *mslot = i ? &mops1000[id * reps + i - 1] :
					 &mops1000[id * reps];

			if (!active[id])
				continue;
			r->s = &subj[id];
			err = mpool_bench_once(r, i ? n : warm, slot, mslot, &f);
			if (err) {
				mpool_bench_error(&subj[id], wl, "run", err);
				active[id] = false;
				ret = err;
				continue;
			}
			if (i)
				fails[id] += f;
		}
	}
	for (id = 0; id < MPOOL_BENCH_NR_SUBJECTS; id++)
		if (active[id])
			mpool_bench_report(r, &subj[id], wl, &ns10[id * reps],
					   &mops1000[id * reps], fails[id]);

	for (id = 0; id < MPOOL_BENCH_NR_SUBJECTS; id++)
		mpool_bench_subj_teardown(&subj[id]);
out_free:
	if (r) {
		kfree(r->th);
		kfree(r->queues);
	}
	kfree(fails);
	kfree(mops1000);
	kfree(ns10);
	kfree(r);
	kfree(subj);
	return ret;
}

static int __init mpool_bench_init(void)
{
	unsigned int wl, i;
	int err = 0;

	if (!reps || reps > 101 || !nr_sizes)
		return -EINVAL;
	for (wl = 0; wl < MPOOL_BENCH_NR_WORKLOADS; wl++) {
		if (!mpool_bench_listed(workloads, mpool_bench_workload_names[wl]))
			continue;
		for (i = 0; i < nr_sizes; i++)
			/* One failed measurement does not stop the rest. */
			if (mpool_bench_measure(wl, sizes[i]))
				err = -EIO;
	}
	pr_info("BENCH-DONE,%d\n", err);
	return 0;
}

static void __exit mpool_bench_exit(void)
{
}

module_init(mpool_bench_init);
module_exit(mpool_bench_exit);

MODULE_DESCRIPTION("mempool.ko against kmem_cache, kmalloc, mempool_t, objpool and a spinlocked stack");
MODULE_LICENSE("GPL");
