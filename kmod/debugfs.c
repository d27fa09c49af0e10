// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mempool/: read-only statistics for operators.
 *
 *   pools          one line per named pool: name, engine, object size,
 *                  capacity, in use, hit rate, misses
 *   <pool>/stats   "key value" lines, like /proc/vmstat; nodeN_pages: the
 *                  pool's arena pages on each online node N
 *   <pool>/config  "key value" lines: how the pool was built
 *   <pool>/percpu  one line per possible CPU: its counters and, for the
 *                  percpu engine, how many idle objects its cache holds
 *
 * Nothing here prints a kernel address. A pool's folder exists while the
 * pool has its name (registry.c makes and removes it under the registry
 * lock). An open file keeps its pool from being freed: open pins it
 * (mpool_pin()), as an object would, and release unpins it. Open can only
 * run while the folder exists, and debugfs_remove() waits for opens in
 * progress, so the pool is alive when open looks at it; after the removal,
 * reads of a file still open fail with -EIO, and its release frees the
 * pool if it was the last thing holding it.
 *
 * debugfs failures are deliberately not fatal (see debugfs_create_dir()):
 * the pools work without their statistics files.
 */
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/percpu-refcount.h>
#include <linux/seq_file.h>

#include "internal.h"
#include "pool.h"

struct dentry *mpool_debugfs_root;

/*
 * Hit rate in hundredths of a percent: hits over every get asked for,
 * objects handed out plus gets that failed. -1: no get yet.
 */
static long mpool_hit_rate(const struct mpool_stats_sum *s)
{
	u64 gets = s->alloc + s->miss;

	if (!gets)
		return -1;
	return div64_u64(min(s->hit, gets) * 10000, gets);
}

static void mpool_show_rate(struct seq_file *m, int width, long rate)
{
	char buf[24];

	if (rate < 0)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), "%ld.%02ld%%", rate / 100, rate % 100);
	seq_printf(m, "%*s", width, buf);
}

static int mpool_pool_open(struct inode *inode, struct file *file,
			   int (*show)(struct seq_file *, void *))
{
	struct mpool *pool = inode->i_private;
	int err;

	/* Fails once the last object and reference are gone: freeing has begun. */
	if (!mpool_pin(pool))
		return -ENOENT;
	err = single_open(file, show, pool);
	if (err)
		mpool_unpin(pool);
	return err;
}

static int mpool_pool_release(struct inode *inode, struct file *file)
{
	struct mpool *pool = ((struct seq_file *)file->private_data)->private;

	single_release(inode, file);
	/* May be the pool's last count: then this frees it (from a work item). */
	mpool_unpin(pool);
	return 0;
}

static int mpool_stats_show(struct seq_file *m, void *v)
{
	struct mpool *pool = m->private;
	struct mpool_stats_sum s;
	int nid;

	mpool_stats_read(pool, &s);
	seq_printf(m, "stats_enabled %d\n", s.enabled);
	seq_printf(m, "gets %llu\n", s.alloc);
	seq_printf(m, "puts %llu\n", s.put);
	seq_printf(m, "in_use %llu\n", s.in_use);
	seq_printf(m, "high_water %llu\n", s.hwm);
	seq_printf(m, "idle %llu\n", s.idle);
	seq_printf(m, "quarantined %llu\n", s.quarantined);
	seq_printf(m, "capacity %u\n", s.capacity);
	seq_printf(m, "max_objs %u\n", s.max_objs);
	seq_printf(m, "arenas %u\n", s.nr_arenas);
	seq_printf(m, "hits %llu\n", s.hit);
	seq_printf(m, "refills %llu\n", s.refill);
	seq_printf(m, "flushes %llu\n", s.flush);
	seq_printf(m, "misses %llu\n", s.miss);
	seq_printf(m, "slow_gets %llu\n", s.slow);
	seq_printf(m, "grows %llu\n", s.grow);
	seq_printf(m, "shrinks %llu\n", s.shrink);
	seq_printf(m, "shrunk_objs %llu\n", s.shrunk_objs);
	seq_printf(m, "reclaimed_objs %llu\n", s.reclaimed);
	seq_printf(m, "bad_frees %llu\n", s.bad_frees);
	seq_printf(m, "leases %llu\n", s.leases);
	seq_printf(m, "releases %llu\n", s.releases);
	seq_printf(m, "leased %llu\n", s.leased);
	seq_printf(m, "sessions %lld\n", s.sessions);
	seq_printf(m, "reserved_bytes %lld\n", s.reserved);
	seq_printf(m, "low_watermark %u\n", s.low_watermark);
	seq_printf(m, "below_low_watermark %d\n", s.below_low);
	seq_printf(m, "low_watermark_events %llu\n", s.low_events);
	seq_printf(m, "min_hit_permille %u\n", s.rate.min_hit_permille);
	seq_printf(m, "max_miss_permille %u\n", s.rate.max_miss_permille);
	seq_printf(m, "rate_windows %llu\n", s.rate.windows);
	seq_printf(m, "last_hit_permille %u\n", s.rate.last_hit_permille);
	seq_printf(m, "last_miss_permille %u\n", s.rate.last_miss_permille);
	seq_printf(m, "below_min_hit %d\n", s.rate.hit_low);
	seq_printf(m, "above_max_miss %d\n", s.rate.miss_high);
	seq_printf(m, "min_hit_events %llu\n", s.rate.hit_events);
	seq_printf(m, "max_miss_events %llu\n", s.rate.miss_events);
	seq_printf(m, "remote_frees %llu\n", s.remote_frees);
	for_each_online_node(nid)
		seq_printf(m, "node%d_pages %lu\n", nid, mpool_stats_node_pages(pool, nid));
	return 0;
}

static int mpool_config_show(struct seq_file *m, void *v)
{
	struct mpool *pool = m->private;

	seq_printf(m, "name %s\n", pool->name);
	seq_printf(m, "engine %s\n", pool->ops->name);
	seq_printf(m, "obj_size %zu\n", pool->obj_size);
	seq_printf(m, "stride %u\n", pool->hot.stride);
	seq_printf(m, "align %zu\n", pool->align);
	seq_printf(m, "page_aligned %d\n", !!(pool->flags & MPOOL_F_PAGE_ALIGNED));
	seq_printf(m, "zero %d\n", !!(pool->flags & MPOOL_F_ZERO));
	seq_printf(m, "max_objs %u\n", pool->hot.max_objs);
	seq_printf(m, "init_objs %u\n", pool->init_objs);
	seq_printf(m, "grow_pct %u\n", pool->grow_pct);
	seq_printf(m, "low_watermark %u\n", READ_ONCE(pool->low_watermark));
	seq_printf(m, "node %d\n", pool->node);
	seq_printf(m, "arena_objs %u\n", 1U << pool->hot.arena_shift);
	seq_printf(m, "arena_pages %u\n", pool->arena_pages);
	/* Whether hooks are set, not where they are. */
	seq_printf(m, "ctor %d\n", !!pool->ctor);
	seq_printf(m, "reset %d\n", !!pool->reset);
	seq_printf(m, "validate %d\n", !!pool->validate);
	return 0;
}

static int mpool_percpu_show(struct seq_file *m, void *v)
{
	struct mpool *pool = m->private;
	bool cached = pool->ops->cpu_cached;
	struct mpool_stats_sum c;
	int cpu;

	seq_printf(m, "%-5s %7s %12s %12s %12s %10s %10s %10s\n", "cpu", "cached",
		   "gets", "puts", "hits", "refills", "flushes", "misses");
	for_each_possible_cpu(cpu) {
		mpool_stats_cpu(pool, cpu, &c);
		seq_printf(m, "%-5d ", cpu);
		if (cached)
			seq_printf(m, "%7u", pool->ops->cpu_cached(pool, cpu));
		else
			seq_printf(m, "%7s", "-");
		seq_printf(m, " %12llu %12llu %12llu %10llu %10llu %10llu\n",
			   c.alloc, c.put, c.hit, c.refill,
			   c.flush, c.miss);
	}
	return 0;
}

#define MPOOL_DEBUGFS_FOPS(what)					\
static int mpool_##what##_open(struct inode *inode, struct file *file)	\
{									\
	return mpool_pool_open(inode, file, mpool_##what##_show);	\
}									\
									\
static const struct file_operations mpool_##what##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= mpool_##what##_open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= mpool_pool_release,				\
}

MPOOL_DEBUGFS_FOPS(stats);
MPOOL_DEBUGFS_FOPS(config);
MPOOL_DEBUGFS_FOPS(percpu);

/**
 * mpool_debugfs_pool_add() - make a named pool's folder
 * @pool: a pool that just took its name
 *
 * Context: process context, registry lock held.
 */
void mpool_debugfs_pool_add(struct mpool *pool)
{
	struct dentry *dir;

	if (IS_ERR_OR_NULL(mpool_debugfs_root))
		return;
	dir = debugfs_create_dir(pool->name, mpool_debugfs_root);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("stats", 0444, dir, pool, &mpool_stats_fops);
	debugfs_create_file("config", 0444, dir, pool, &mpool_config_fops);
	debugfs_create_file("percpu", 0444, dir, pool, &mpool_percpu_fops);
	pool->debugfs = dir;
}

/**
 * mpool_debugfs_pool_del() - remove a pool's folder, if it has one
 * @pool: a pool giving up its name, or about to be freed
 *
 * Waits for file operations in progress; none of them takes the registry
 * lock, which the caller holds.
 *
 * Context: process context.
 */
void mpool_debugfs_pool_del(struct mpool *pool)
{
	debugfs_remove(pool->debugfs);
	pool->debugfs = NULL;
}

static void mpool_pools_show_one(struct mpool *pool, void *arg)
{
	struct seq_file *m = arg;
	struct mpool_stats_sum s;

	mpool_stats_read(pool, &s);
	seq_printf(m, "%-31s %-9s %9zu %9u %9llu ", pool->name, pool->ops->name,
		   pool->obj_size, s.capacity, s.in_use);
	mpool_show_rate(m, 9, mpool_hit_rate(&s));
	seq_printf(m, " %9llu\n", s.miss);
}

static int mpool_pools_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%-31s %-9s %9s %9s %9s %9s %9s\n", "name", "engine",
		   "obj_size", "capacity", "in_use", "hit_rate", "misses");
	mpool_registry_for_each(mpool_pools_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mpool_pools);

void mpool_debugfs_init(void)
{
	mpool_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("pools", 0444, mpool_debugfs_root, NULL, &mpool_pools_fops);
}

void mpool_debugfs_exit(void)
{
	debugfs_remove(mpool_debugfs_root);
	mpool_debugfs_root = NULL;
}
