// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-thread magazines: mpl_get() and mpl_put() without a system call
 * most of the time.
 *
 * Each thread has, per pool it used, an array of up to 2 * batch leased
 * ids. An empty magazine is refilled with one lease of `batch` buffers; a
 * full one gives `batch` back with one release and keeps the other half,
 * so a thread that alternates get and put at the boundary never makes a
 * system call for each (Bonwick's two-magazine trick, in one array).
 *
 * The fast path touches only the calling thread's magazine and one word of
 * the pool's "cached" bitmap; locks are for creating a magazine, a
 * thread's exit, fork() and mpl_close().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static pthread_key_t mpl_thread_key;
static pthread_once_t mpl_key_once = PTHREAD_ONCE_INIT;
static __thread struct mpl_thread *mpl_self;
static struct mpl_thread *mpl_threads;	/* under mpli_lock */

static void mpl_bit_set(struct mpl_pool *pool, uint32_t id)
{
	atomic_fetch_or_explicit(&pool->cached[mpli_bits_word(id)], mpli_bits_mask(id),
				 memory_order_relaxed);
}

static void mpl_bit_clear(struct mpl_pool *pool, uint32_t id)
{
	atomic_fetch_and_explicit(&pool->cached[mpli_bits_word(id)], ~mpli_bits_mask(id),
				  memory_order_relaxed);
}

/*
 * Give @n ids back. If the kernel refuses the batch because some id is not
 * the session's any more (the program released it behind our back), give
 * the rest back one by one and drop the bad ones.
 */
static int mpl_give_back(struct mpl_pool *pool, const uint32_t *ids, unsigned int n)
{
	unsigned int i;
	int err;

	/* Clear first: once released, another thread's refill may get them. */
	for (i = 0; i < n; i++)
		mpl_bit_clear(pool, ids[i]);
	err = mpli_release(pool, ids, n);
	if (err == -EINVAL) {
		for (i = 0; i < n; i++)
			mpli_release(pool, &ids[i], 1);
	} else if (err) {
		for (i = 0; i < n; i++)
			mpl_bit_set(pool, ids[i]);
	}
	return err;
}

/* Empty @m (the pool is alive). */
static int mpl_mag_drain(struct mpl_pool *pool, struct mpl_mag *m)
{
	int err;

	if (!m->n)
		return 0;
	err = mpl_give_back(pool, m->ids, m->n);
	if (!err || err == -EINVAL)
		m->n = m->fresh = 0;
	return err;
}

/* With mpli_lock held: take @m off its pool's list, keeping its counts. */
static void mpl_mag_unlink(struct mpl_pool *pool, struct mpl_mag *m)
{
	if (m->pool_prev)
		m->pool_prev->pool_next = m->pool_next;
	else
		pool->mags = m->pool_next;
	if (m->pool_next)
		m->pool_next->pool_prev = m->pool_prev;
	pool->gone_gets += atomic_load_explicit(&m->gets, memory_order_relaxed);
	pool->gone_puts += atomic_load_explicit(&m->puts, memory_order_relaxed);
	atomic_store_explicit(&m->pool, NULL, memory_order_release);
}

static void mpl_thread_unlink(struct mpl_thread *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		mpl_threads = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

/* TLS destructor: the thread is exiting; its magazines go back. */
static void mpl_thread_exit(void *arg)
{
	struct mpl_thread *t = arg;
	struct mpl_mag *m, *next;
	struct mpl_pool *pool;

	pthread_mutex_lock(&mpli_lock);
	for (m = t->mags; m; m = next) {
		next = m->thr_next;
		pool = atomic_load_explicit(&m->pool, memory_order_relaxed);
		if (pool) {
			mpl_mag_drain(pool, m);
			mpl_mag_unlink(pool, m);
		}
		free(m);
	}
	mpl_thread_unlink(t);
	pthread_mutex_unlock(&mpli_lock);
	free(t);
	mpl_self = NULL;
}

/*
 * exit() runs no TLS destructor for the thread that calls it; in a fork()
 * child sharing its parent's session, what its magazines hold would stay
 * leased until the parent closes.
 */
static void mpl_process_exit(void)
{
	struct mpl_thread *t = mpl_self;
	struct mpl_pool *pool;
	struct mpl_mag *m;

	if (!t)
		return;
	pthread_mutex_lock(&mpli_lock);
	for (m = t->mags; m; m = m->thr_next) {
		pool = atomic_load_explicit(&m->pool, memory_order_relaxed);
		if (pool)
			mpl_mag_drain(pool, m);
	}
	pthread_mutex_unlock(&mpli_lock);
}

static void mpl_key_init(void)
{
	pthread_key_create(&mpl_thread_key, mpl_thread_exit);
	atexit(mpl_process_exit);
}

static struct mpl_thread *mpl_thread_get(void)
{
	struct mpl_thread *t = mpl_self;

	if (t)
		return t;
	pthread_once(&mpl_key_once, mpl_key_init);
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (pthread_setspecific(mpl_thread_key, t)) {
		free(t);
		return NULL;
	}
	pthread_mutex_lock(&mpli_lock);
	t->next = mpl_threads;
	if (mpl_threads)
		mpl_threads->prev = t;
	mpl_threads = t;
	pthread_mutex_unlock(&mpli_lock);
	mpl_self = t;
	return t;
}

static struct mpl_mag *mpl_mag_new(struct mpl_thread *t, struct mpl_pool *pool)
{
	unsigned int batch;
	struct mpl_mag *m;

	pthread_mutex_lock(&mpli_lock);
	batch = atomic_load_explicit(&pool->batch, memory_order_relaxed);
	m = calloc(1, sizeof(*m) + 2 * batch * sizeof(m->ids[0]));
	if (m) {
		m->thr = t;
		m->batch = batch;
		atomic_store_explicit(&m->pool, pool, memory_order_relaxed);
		m->pool_next = pool->mags;
		if (pool->mags)
			pool->mags->pool_prev = m;
		pool->mags = m;
		m->thr_next = t->mags;
		t->mags = m;
	}
	pthread_mutex_unlock(&mpli_lock);
	return m;
}

/* The calling thread's magazine for @pool, most recently used first. */
static struct mpl_mag *mpl_mag_slow(struct mpl_pool *pool)
{
	struct mpl_thread *t = mpl_thread_get();
	struct mpl_mag **pp, *m;
	struct mpl_pool *p;

	if (!t)
		return NULL;
	pp = &t->mags;
	while ((m = *pp)) {
		p = atomic_load_explicit(&m->pool, memory_order_acquire);
		if (!p) {
			/* Its device was closed: nobody else refers to it. */
			*pp = m->thr_next;
			free(m);
			continue;
		}
		if (p == pool) {
			*pp = m->thr_next;
			m->thr_next = t->mags;
			t->mags = m;
			return m;
		}
		pp = &m->thr_next;
	}
	return mpl_mag_new(t, pool);
}

static inline struct mpl_mag *mpl_mag(struct mpl_pool *pool)
{
	struct mpl_thread *t = mpl_self;
	struct mpl_mag *m = t ? t->mags : NULL;

	if (m && atomic_load_explicit(&m->pool, memory_order_relaxed) == pool)
		return m;
	return mpl_mag_slow(pool);
}

/*
 * Lease a batch into an empty magazine. All or nothing means a short pool
 * refuses the whole batch: halve until something fits.
 */
static int mpl_mag_refill(struct mpl_pool *pool, struct mpl_mag *m, unsigned int flags)
{
	unsigned int want = m->batch, i;
	int err;

	for (;;) {
		err = mpli_lease(pool, m->ids, want, 0, 0);
		if (!err || (err != -EAGAIN && err != -EDQUOT) || want == 1)
			break;
		want = (want + 1) / 2;
	}
	if (err == -EAGAIN && (flags & MPL_WAIT))
		err = mpli_lease(pool, m->ids, want, MPL_WAIT, 0);
	if (err)
		return err;
	for (i = 0; i < want; i++)
		mpl_bit_set(pool, m->ids[i]);
	m->n = m->fresh = want;
	return 0;
}

int mpl_get(struct mpl_pool *pool, uint32_t *idp, unsigned int flags)
{
	struct mpl_mag *m;
	bool fresh;
	uint32_t id;
	void *buf;
	int err;

	if (flags & ~(MPL_WAIT | MPL_ZERO))
		return -EINVAL;
	m = mpl_mag(pool);
	if (!m)
		return -ENOMEM;
	if (!m->n) {
		err = mpl_mag_refill(pool, m, flags);
		if (err)
			return err;
	}
	id = m->ids[--m->n];
	fresh = m->n < m->fresh;
	if (fresh)
		m->fresh = m->n;
	if ((flags & MPL_ZERO) && !fresh) {
		buf = mpl_buf(pool, id);
		if (!buf) {
			err = -errno;
			m->n++;
			return err;
		}
		memset(buf, 0, pool->buf_size);
	}
	mpl_bit_clear(pool, id);
	atomic_store_explicit(&m->gets, atomic_load_explicit(&m->gets, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	*idp = id;
	return 0;
}

int mpl_put(struct mpl_pool *pool, uint32_t id)
{
	unsigned long mask = mpli_bits_mask(id), old;
	struct mpl_mag *m;
	int err;

	if (id >= pool->max_buf_count)
		return -EINVAL;
	m = mpl_mag(pool);
	if (!m)
		return -ENOMEM;
	old = atomic_fetch_or_explicit(&pool->cached[mpli_bits_word(id)], mask,
				       memory_order_relaxed);
	if (old & mask)
		return -EINVAL;
	if (m->n == 2 * m->batch) {
		/* Keep the most recently used half: their cache lines are warm. */
		err = mpl_give_back(pool, m->ids, m->batch);
		if (err && err != -EINVAL) {
			mpl_bit_clear(pool, id);
			return err;
		}
		memmove(m->ids, m->ids + m->batch, m->batch * sizeof(m->ids[0]));
		m->n -= m->batch;
		m->fresh = m->fresh > m->batch ? m->fresh - m->batch : 0;
	}
	m->ids[m->n++] = id;
	atomic_store_explicit(&m->puts, atomic_load_explicit(&m->puts, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	return 0;
}

int mpl_flush(struct mpl_pool *pool)
{
	struct mpl_thread *t = mpl_self;
	struct mpl_mag *m;

	for (m = t ? t->mags : NULL; m; m = m->thr_next) {
		if (atomic_load_explicit(&m->pool, memory_order_relaxed) == pool)
			return mpl_mag_drain(pool, m);
	}
	return 0;
}

int mpl_set_batch(struct mpl_pool *pool, unsigned int batch)
{
	int err = 0;

	if (!batch || batch > MPL_BATCH_MAX ||
	    batch > atomic_load_explicit(&pool->buf_count, memory_order_relaxed))
		return -EINVAL;
	pthread_mutex_lock(&mpli_lock);
	if (pool->mags)
		err = -EBUSY;
	else
		atomic_store_explicit(&pool->batch, batch, memory_order_relaxed);
	pthread_mutex_unlock(&mpli_lock);
	return err;
}

unsigned int mpl_batch(const struct mpl_pool *pool)
{
	return atomic_load_explicit(&pool->batch, memory_order_relaxed);
}

int mpl_pool_counters_size(struct mpl_pool *pool, struct mpl_counters *c, size_t size)
{
	struct mpl_counters now = { 0 };
	struct mpl_mag *m;

	if (size < MPL_COUNTERS_SIZE_VER0)
		return -EINVAL;
	pthread_mutex_lock(&mpli_lock);
	now.gets = pool->gone_gets;
	now.puts = pool->gone_puts;
	for (m = pool->mags; m; m = m->pool_next) {
		now.gets += atomic_load_explicit(&m->gets, memory_order_relaxed);
		now.puts += atomic_load_explicit(&m->puts, memory_order_relaxed);
	}
	pthread_mutex_unlock(&mpli_lock);
	now.lease_calls = atomic_load_explicit(&pool->lease_calls, memory_order_relaxed);
	now.release_calls = atomic_load_explicit(&pool->release_calls, memory_order_relaxed);
	now.leased = atomic_load_explicit(&pool->leased, memory_order_relaxed);
	now.released = atomic_load_explicit(&pool->released, memory_order_relaxed);
	mpli_copy_out(c, size, &now, sizeof(now));
	return 0;
}

/* Programs built before the macro: the first version's fields and no more. */
void (mpl_pool_counters)(struct mpl_pool *pool, struct mpl_counters *c)
{
	mpl_pool_counters_size(pool, c, MPL_COUNTERS_SIZE_VER0);
}

/* mpl_close(), with mpli_lock held: the pool is about to be freed. */
void mpli_mags_detach_pool(struct mpl_pool *pool)
{
	while (pool->mags)
		mpl_mag_unlink(pool, pool->mags);
}

/*
 * fork() child, with mpli_lock held: only the forking thread exists. Its
 * magazines hold the parent's buffers: forget them. The other threads'
 * magazines are the parent's alone: free them.
 */
void mpli_mags_after_fork_child(void)
{
	struct mpl_thread *t, *tnext;
	struct mpl_mag *m, *mnext;
	struct mpl_dev *dev;
	struct mpl_pool *pool;
	unsigned long words;

	for (t = mpl_threads; t; t = tnext) {
		tnext = t->next;
		if (t == mpl_self) {
			for (m = t->mags; m; m = m->thr_next)
				m->n = m->fresh = 0;
			continue;
		}
		for (m = t->mags; m; m = mnext) {
			mnext = m->thr_next;
			pool = atomic_load_explicit(&m->pool, memory_order_relaxed);
			if (pool)
				mpl_mag_unlink(pool, m);
			free(m);
		}
		mpl_thread_unlink(t);
		free(t);
	}
	for (dev = mpli_devs; dev; dev = dev->next) {
		for (pool = dev->pools; pool; pool = pool->next) {
			words = (pool->max_buf_count + 8 * sizeof(long) - 1) / (8 * sizeof(long));
			memset((void *)pool->cached, 0, words * sizeof(long));
		}
	}
}
