// SPDX-License-Identifier: GPL-2.0
/*
 * A user pool's thresholds and the event descriptors that hear of their
 * crossings (MPOOL_IOC_POOL_CONFIG, MPOOL_IOC_POOL_EVENTS).
 *
 * Crossings, not levels. Each threshold is armed until the pool crosses
 * it, fires once, and re-arms only when the pool is back past it by the
 * hysteresis (the low and high watermarks) or a window of leases fails at
 * less than half the rate (the failure rate): a pool hovering at a line
 * sends one event, not one per lease.
 *
 * The watermarks are judged on nr_free, which the upool keeps exact, so no
 * sampling is involved: mpool_watch_free_changed() runs when a lease is
 * committed (not when it reserves, so that a lease that fails later
 * crosses nothing and a record counts the lease that crossed), when
 * buffers come back, and after a resize. Observations are
 * judged in the order they take the watch's lock, which may differ from
 * the order of the changes themselves by a concurrent lease or two; a
 * single-threaded sequence is judged exactly.
 *
 * The descriptors hold a reference on the pool's event hub only, never on
 * the pool: an open event descriptor keeps no memory of the pool alive,
 * and when the pool is destroyed each descriptor gets a last record and
 * hangs up.
 */
#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "pool.h"
#include "trace.h"
#include "upool.h"
#include "upool_internal.h"

struct mpool_events {
	struct kref ref;
	spinlock_t lock;		/* the readers, their queues, @dead */
	struct list_head readers;	/* under @lock */
	bool dead;			/* under @lock: the pool is gone */
	wait_queue_head_t wq;
};

/* One event descriptor: a ring of records nobody has read yet. */
struct mpool_event_reader {
	struct list_head node;
	struct mpool_events *hub;
	struct mutex read_lock;		/* one read() at a time */
	size_t rsize;			/* record size the reader knows */
	unsigned int head, count;	/* under hub->lock */
	u32 lost;			/* under hub->lock */
	/* MPOOL_EVENT_QUEUE records, and room for the last one, DESTROYED. */
	struct mpool_event q[MPOOL_EVENT_QUEUE + 1];
};

static void mpool_events_release(struct kref *ref)
{
	kfree(container_of(ref, struct mpool_events, ref));
}

static void mpool_watch_arm(struct mpool_watch *w)
{
	w->low_armed = true;
	w->high_armed = true;
	w->fail_armed = true;
	w->win_leases = 0;
	w->win_fails = 0;
}

/**
 * mpool_watch_init() - no threshold set, and an event hub with no reader
 * @w: the watch of a new pool
 *
 * Return: 0 or -ENOMEM.
 */
int mpool_watch_init(struct mpool_watch *w)
{
	struct mpool_events *ev;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;
	kref_init(&ev->ref);
	spin_lock_init(&ev->lock);
	INIT_LIST_HEAD(&ev->readers);
	init_waitqueue_head(&ev->wq);
	spin_lock_init(&w->lock);
	mpool_watch_arm(w);
	w->events = ev;
	return 0;
}

/**
 * mpool_watch_destroy() - the pool is freed: let go of the hub
 * @w: the watch
 */
void mpool_watch_destroy(struct mpool_watch *w)
{
	kref_put(&w->events->ref, mpool_events_release);
}

/*
 * Queue @rec on every descriptor; a full one counts it lost. The @last
 * record (DESTROYED) always finds room, and hangs the hub up in the same
 * breath: no record can follow it, not even a crossing judged before it
 * that is posted only now.
 */
static void mpool_events_post(struct mpool_events *hub, struct mpool_event *rec, bool last)
{
	struct mpool_event_reader *r;

	spin_lock(&hub->lock);
	if (hub->dead) {
		spin_unlock(&hub->lock);
		return;
	}
	list_for_each_entry(r, &hub->readers, node) {
		if (r->count >= MPOOL_EVENT_QUEUE && !last) {
			r->lost++;
			continue;
		}
		rec->lost = r->lost;
		r->lost = 0;
		r->q[(r->head + r->count++) % ARRAY_SIZE(r->q)] = *rec;
	}
	if (last)
		hub->dead = true;
	spin_unlock(&hub->lock);
	wake_up_interruptible_poll(&hub->wq, EPOLLIN | EPOLLRDNORM | (last ? EPOLLHUP : 0));
}

static const u32 mpool_event_kind[] = {
	[MPOOL_EVENT_LOW] = MPOOL_THRESH_LOW,
	[MPOOL_EVENT_HIGH] = MPOOL_THRESH_HIGH,
	[MPOOL_EVENT_FAIL] = MPOOL_THRESH_FAIL,
};

/* A record of event @type, number @seq, with the pool's counters now. */
static void mpool_watch_record(struct mpool_upool *up, struct mpool_event *rec,
			       u32 type, u64 seq)
{
	struct mpool_stats_sum sum;

	mpool_stats_read(up->pool, &sum);
	*rec = (struct mpool_event) {
		.type = type,
		.seq = seq,
		.time_ns = ktime_get_ns(),
		.nr_free = max(atomic_read(&up->nr_free), 0),
		.buf_count = READ_ONCE(up->nr_bufs),
		.leases = sum.leases,
		.failed_leases = atomic_long_read(&up->nr_failed) +
				 atomic_long_read(&up->nr_timed_out),
	};
}

/* Tell the trace buffer and every descriptor about crossing number @seq. */
static void mpool_watch_fire(struct mpool_upool *up, u32 type, u32 value,
			     u32 threshold, u64 seq)
{
	struct mpool_event rec;

	mpool_watch_record(up, &rec, type, seq);
	rec.value = value;
	rec.threshold = threshold;
	trace_mpool_threshold(up->pool, mpool_event_kind[type], value, threshold);
	mpool_events_post(up->watch.events, &rec, false);
}

/* What a crossing found under the watch's lock, fired after it. */
struct mpool_crossing {
	u32 type, value, threshold;
	u64 seq;
};

static void mpool_watch_cross(struct mpool_watch *w, struct mpool_crossing *c,
			      u32 type, u32 value, u32 threshold)
{
	c->type = type;
	c->value = value;
	c->threshold = threshold;
	c->seq = ++w->seq;
}

/**
 * mpool_watch_free_changed() - nr_free moved: judge the watermarks
 * @up: the pool
 *
 * Context: process context.
 */
void mpool_watch_free_changed(struct mpool_upool *up)
{
	struct mpool_watch *w = &up->watch;
	struct mpool_crossing c[2] = {};
	u32 free, i;

	if (!READ_ONCE(w->active))
		return;
	spin_lock(&w->lock);
	free = max(atomic_read(&up->nr_free), 0);
	if (w->low) {
		if (w->low_armed && free < w->low) {
			w->low_armed = false;
			w->nr_low++;
			mpool_stats_low_crossed(up->pool, true, free);
			mpool_watch_cross(w, &c[0], MPOOL_EVENT_LOW, free, w->low);
		} else if (!w->low_armed && free >= w->low + w->hysteresis) {
			w->low_armed = true;
			mpool_stats_low_crossed(up->pool, false, free);
		}
	}
	if (w->high) {
		if (w->high_armed && free > w->high) {
			w->high_armed = false;
			w->nr_high++;
			mpool_watch_cross(w, &c[1], MPOOL_EVENT_HIGH, free, w->high);
		} else if (!w->high_armed && free + w->hysteresis <= w->high) {
			w->high_armed = true;
		}
	}
	spin_unlock(&w->lock);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		if (c[i].type)
			mpool_watch_fire(up, c[i].type, c[i].value, c[i].threshold, c[i].seq);
	}
}

/**
 * mpool_watch_lease_done() - a lease ended its wait for buffers
 * @up: the pool
 * @failed: it got none (EAGAIN, ETIMEDOUT)
 *
 * Every MPOOL_FAIL_WINDOW leases make a window whose failure rate is
 * judged against fail_permille.
 *
 * Context: process context.
 */
void mpool_watch_lease_done(struct mpool_upool *up, bool failed)
{
	struct mpool_watch *w = &up->watch;
	struct mpool_crossing c = {};
	u32 rate;

	if (!READ_ONCE(w->active))
		return;
	spin_lock(&w->lock);
	if (!w->fail_permille) {
		spin_unlock(&w->lock);
		return;
	}
	w->win_fails += failed;
	if (++w->win_leases == MPOOL_FAIL_WINDOW) {
		rate = w->win_fails * 1000 / MPOOL_FAIL_WINDOW;
		if (w->fail_armed && rate >= w->fail_permille) {
			w->fail_armed = false;
			w->nr_fail++;
			mpool_watch_cross(w, &c, MPOOL_EVENT_FAIL, rate, w->fail_permille);
		} else if (!w->fail_armed && rate * 2 < w->fail_permille) {
			w->fail_armed = true;
		}
		w->win_leases = 0;
		w->win_fails = 0;
	}
	spin_unlock(&w->lock);
	if (c.type)
		mpool_watch_fire(up, c.type, c.value, c.threshold, c.seq);
}

/**
 * mpool_watch_set() - new thresholds, all armed, judged at once
 * @up: the pool
 * @cfg: a request whose threshold fields the caller checked
 *
 * Context: process context.
 */
void mpool_watch_set(struct mpool_upool *up, const struct mpool_pool_config *cfg)
{
	struct mpool_watch *w = &up->watch;

	spin_lock(&w->lock);
	w->low = cfg->low_watermark;
	w->high = cfg->high_watermark;
	w->fail_permille = cfg->fail_permille;
	w->hysteresis = max(cfg->hysteresis, 1U);
	mpool_watch_arm(w);
	WRITE_ONCE(w->active, w->low || w->high || w->fail_permille);
	/* Ours to judge, exactly: the pool's statistics and debugfs follow. */
	mpool_stats_own_low(up->pool, w->low);
	spin_unlock(&w->lock);
	mpool_watch_free_changed(up);
}

/**
 * mpool_watch_get() - the thresholds, as POOL_CONFIG reports them
 * @up: the pool
 * @cfg: the reply
 */
void mpool_watch_get(struct mpool_upool *up, struct mpool_pool_config *cfg)
{
	struct mpool_watch *w = &up->watch;

	spin_lock(&w->lock);
	cfg->low_watermark = w->low;
	cfg->high_watermark = w->high;
	cfg->fail_permille = w->fail_permille;
	cfg->hysteresis = w->hysteresis;
	spin_unlock(&w->lock);
}

/**
 * mpool_watch_stats() - the thresholds and their crossings, for POOL_STATS
 * @up: the pool
 * @st: the reply
 */
void mpool_watch_stats(struct mpool_upool *up, struct mpool_pool_stats *st)
{
	struct mpool_watch *w = &up->watch;

	spin_lock(&w->lock);
	st->low_watermark = w->low;
	st->high_watermark = w->high;
	st->fail_permille = w->fail_permille;
	st->hysteresis = w->hysteresis;
	st->low_events = w->nr_low;
	st->high_events = w->nr_high;
	st->fail_events = w->nr_fail;
	spin_unlock(&w->lock);
}

/**
 * mpool_watch_kill() - the pool is destroyed: last record, then hang up
 * @up: the pool
 *
 * Context: process context.
 */
void mpool_watch_kill(struct mpool_upool *up)
{
	struct mpool_events *hub = up->watch.events;
	struct mpool_event rec;
	u64 seq;

	spin_lock(&up->watch.lock);
	seq = ++up->watch.seq;
	WRITE_ONCE(up->watch.active, false);
	spin_unlock(&up->watch.lock);
	mpool_watch_record(up, &rec, MPOOL_EVENT_DESTROYED, seq);
	mpool_events_post(hub, &rec, true);
}

static bool mpool_reader_ready(struct mpool_event_reader *r)
{
	bool ready;

	spin_lock(&r->hub->lock);
	ready = r->count || r->hub->dead;
	spin_unlock(&r->hub->lock);
	return ready;
}

/* The oldest record into @rec, if any; it stays queued until popped. */
static bool mpool_reader_peek(struct mpool_event_reader *r, struct mpool_event *rec)
{
	bool any;

	spin_lock(&r->hub->lock);
	any = r->count;
	if (any)
		*rec = r->q[r->head];
	spin_unlock(&r->hub->lock);
	return any;
}

static void mpool_reader_pop(struct mpool_event_reader *r)
{
	spin_lock(&r->hub->lock);
	r->head = (r->head + 1) % ARRAY_SIZE(r->q);
	r->count--;
	spin_unlock(&r->hub->lock);
}

static ssize_t mpool_events_read(struct file *file, char __user *buf, size_t len,
				 loff_t *ppos)
{
	struct mpool_event_reader *r = file->private_data;
	size_t ksize = min(r->rsize, sizeof(struct mpool_event));
	struct mpool_event rec;
	ssize_t done = 0;
	int err;

	if (len < r->rsize)
		return -EINVAL;
	if (mutex_lock_interruptible(&r->read_lock))
		return -ERESTARTSYS;
	if (!mpool_reader_ready(r)) {
		err = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		err = wait_event_interruptible(r->hub->wq, mpool_reader_ready(r));
		if (err)
			goto out;
	}
	/* Popped only once copied: a fault loses no record. */
	while (len - done >= r->rsize && mpool_reader_peek(r, &rec)) {
		/* An older reader's shorter record, or a newer one's zeroed tail. */
		if (copy_to_user(buf + done, &rec, ksize) ||
		    clear_user(buf + done + ksize, r->rsize - ksize)) {
			err = done ? 0 : -EFAULT;
			goto out;
		}
		mpool_reader_pop(r);
		done += r->rsize;
	}
	err = 0;
out:
	mutex_unlock(&r->read_lock);
	return err ?: done;
}

static __poll_t mpool_events_poll(struct file *file, struct poll_table_struct *wait)
{
	struct mpool_event_reader *r = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &r->hub->wq, wait);
	spin_lock(&r->hub->lock);
	if (r->count)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (r->hub->dead)
		mask |= EPOLLHUP;
	spin_unlock(&r->hub->lock);
	return mask;
}

static int mpool_events_file_release(struct inode *inode, struct file *file)
{
	struct mpool_event_reader *r = file->private_data;
	struct mpool_events *hub = r->hub;

	spin_lock(&hub->lock);
	list_del(&r->node);
	spin_unlock(&hub->lock);
	kref_put(&hub->ref, mpool_events_release);
	mutex_destroy(&r->read_lock);
	kfree(r);
	return 0;
}

static const struct file_operations mpool_events_fops = {
	.owner		= THIS_MODULE,
	.read		= mpool_events_read,
	.poll		= mpool_events_poll,
	.release	= mpool_events_file_release,
	.llseek		= noop_llseek,
};

/**
 * mpool_upool_events_open() - a new event descriptor's file, not yet installed
 * @up: the pool
 * @rsize: the size of struct mpool_event the reader knows, checked
 *
 * The caller installs it (fd_install()) once the descriptor number has
 * reached userspace, or fput()s it.
 *
 * Return: the file, or ERR_PTR(-ENOMEM), or ERR_PTR(-EIDRM) if the pool
 * is destroyed.
 */
struct file *mpool_upool_events_open(struct mpool_upool *up, size_t rsize)
{
	struct mpool_events *hub = up->watch.events;
	struct mpool_event_reader *r;
	struct file *file;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	mutex_init(&r->read_lock);
	r->hub = hub;
	r->rsize = rsize;
	file = anon_inode_getfile("[mempool-events]", &mpool_events_fops, r,
				  O_RDONLY | O_CLOEXEC);
	if (IS_ERR(file))
		goto err_free;
	/* From here on, the file's release undoes what follows. */
	kref_get(&hub->ref);
	spin_lock(&hub->lock);
	list_add_tail(&r->node, &hub->readers);
	if (hub->dead) {
		spin_unlock(&hub->lock);
		fput(file);
		return ERR_PTR(-EIDRM);
	}
	spin_unlock(&hub->lock);
	return file;

err_free:
	mutex_destroy(&r->read_lock);
	kfree(r);
	return file;
}
