/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the "mempool" system, for operators: pools coming and
 * going, growing and shrinking, running dry, buffers leased to userspace.
 * Enable them in /sys/kernel/tracing/events/mempool/.
 *
 * Fields are names and counts only, never a kernel address: trace buffers
 * can be read by users who must not learn where pools live. Events that
 * report in_use or leased sum the per-CPU counters, which costs something
 * only while the event is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mempool

#if !defined(_MPOOL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MPOOL_TRACE_H

#include <linux/tracepoint.h>

#include "compat.h"
#include "pool.h"

#define mpool_show_shrink_reason(r)					\
	__print_symbolic(r, { MPOOL_SHRINK_CALL, "shrink" },		\
			    { MPOOL_SHRINK_DRAIN, "drain" },		\
			    { MPOOL_SHRINK_SHRINKER, "shrinker" })

TRACE_EVENT(mpool_create,
	    TP_PROTO(const struct mpool *pool),
	    TP_ARGS(pool),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(u64, obj_size)
			     __field(unsigned int, max_objs)
			     __field(unsigned int, capacity)
			     __field(unsigned int, low_watermark)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->obj_size = pool->obj_size;
			   __entry->max_objs = pool->hot.max_objs;
			   __entry->capacity = READ_ONCE(pool->capacity);
			   __entry->low_watermark = pool->low_watermark;),
	    TP_printk("name=%s engine=%s obj_size=%llu max_objs=%u capacity=%u low_watermark=%u",
		      __get_str(name), __get_str(engine), __entry->obj_size,
		      __entry->max_objs, __entry->capacity, __entry->low_watermark)
);

/*
 * mpool_destroy(), or the last user let go (whichever came first): the
 * name is free, and in_use objects are still out.
 */
TRACE_EVENT(mpool_destroy,
	    TP_PROTO(const struct mpool *pool),
	    TP_ARGS(pool),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(unsigned int, capacity)
			     __field(u64, in_use)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->capacity = READ_ONCE(pool->capacity);
			   __entry->in_use = mpool_stats_in_use(pool);),
	    TP_printk("name=%s engine=%s capacity=%u in_use=%llu",
		      __get_str(name), __get_str(engine), __entry->capacity,
		      __entry->in_use)
);

TRACE_EVENT(mpool_grow,
	    TP_PROTO(const struct mpool *pool, unsigned int old_capacity, bool on_demand),
	    TP_ARGS(pool, old_capacity, on_demand),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(unsigned int, old_capacity)
			     __field(unsigned int, capacity)
			     __field(unsigned int, max_objs)
			     __field(bool, on_demand)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->old_capacity = old_capacity;
			   __entry->capacity = READ_ONCE(pool->capacity);
			   __entry->max_objs = pool->hot.max_objs;
			   __entry->on_demand = on_demand;),
	    TP_printk("name=%s engine=%s old_capacity=%u capacity=%u max_objs=%u on_demand=%d",
		      __get_str(name), __get_str(engine), __entry->old_capacity,
		      __entry->capacity, __entry->max_objs, __entry->on_demand)
);

TRACE_EVENT(mpool_shrink,
	    TP_PROTO(const struct mpool *pool, unsigned int old_capacity, int reason),
	    TP_ARGS(pool, old_capacity, reason),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(unsigned int, old_capacity)
			     __field(unsigned int, capacity)
			     __field(int, reason)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->old_capacity = old_capacity;
			   __entry->capacity = READ_ONCE(pool->capacity);
			   __entry->reason = reason;),
	    TP_printk("name=%s engine=%s old_capacity=%u capacity=%u freed=%u reason=%s",
		      __get_str(name), __get_str(engine), __entry->old_capacity,
		      __entry->capacity, __entry->old_capacity - __entry->capacity,
		      mpool_show_shrink_reason(__entry->reason))
);

/* A get (of @want objects) found the pool empty and could not grow it. */
TRACE_EVENT(mpool_exhausted,
	    TP_PROTO(const struct mpool *pool, unsigned int want, bool can_block),
	    TP_ARGS(pool, want, can_block),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(unsigned int, want)
			     __field(unsigned int, capacity)
			     __field(unsigned int, max_objs)
			     __field(u64, in_use)
			     __field(bool, can_block)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->want = want;
			   __entry->capacity = READ_ONCE(pool->capacity);
			   __entry->max_objs = pool->hot.max_objs;
			   __entry->in_use = mpool_stats_in_use(pool);
			   __entry->can_block = can_block;),
	    TP_printk("name=%s engine=%s want=%u capacity=%u max_objs=%u in_use=%llu can_block=%d",
		      __get_str(name), __get_str(engine), __entry->want,
		      __entry->capacity, __entry->max_objs, __entry->in_use,
		      __entry->can_block)
);

/* Idle objects dropped below the pool's low watermark. */
TRACE_EVENT(mpool_low_watermark,
	    TP_PROTO(const struct mpool *pool, u64 idle, u64 in_use),
	    TP_ARGS(pool, idle, in_use),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __string(engine, pool->ops->name)
			     __field(u64, idle)
			     __field(u64, in_use)
			     __field(unsigned int, low_watermark)
			     __field(unsigned int, capacity)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   mpool_assign_str(engine, pool->ops->name);
			   __entry->idle = idle;
			   __entry->in_use = in_use;
			   __entry->low_watermark = READ_ONCE(pool->low_watermark);
			   __entry->capacity = READ_ONCE(pool->capacity);),
	    TP_printk("name=%s engine=%s idle=%llu low_watermark=%u in_use=%llu capacity=%u",
		      __get_str(name), __get_str(engine), __entry->idle,
		      __entry->low_watermark, __entry->in_use, __entry->capacity)
);

/*
 * A threshold was crossed: @value (what is measured) went past @limit.
 * Fires once per crossing, then not again until the threshold re-arms.
 */
TRACE_EVENT(mpool_threshold,
	    TP_PROTO(const struct mpool *pool, unsigned int kind, u64 value, u64 limit),
	    TP_ARGS(pool, kind, value, limit),
	    TP_STRUCT__entry(__string(name, pool->name)
			     __field(unsigned int, kind)
			     __field(u64, value)
			     __field(u64, limit)),
	    TP_fast_assign(mpool_assign_str(name, pool->name);
			   __entry->kind = kind;
			   __entry->value = value;
			   __entry->limit = limit;),
	    TP_printk("name=%s kind=%s value=%llu limit=%llu", __get_str(name),
		      __print_symbolic(__entry->kind,
				       { MPOOL_THRESH_LOW, "low_free" },
				       { MPOOL_THRESH_HIGH, "high_free" },
				       { MPOOL_THRESH_FAIL, "fail_permille" },
				       { MPOOL_THRESH_HIT_RATE, "min_hit_permille" },
				       { MPOOL_THRESH_MISS_RATE, "max_miss_permille" }),
		      __entry->value, __entry->limit)
);

/*
 * /dev/mempool: @count buffers leased to, or released by, userspace;
 * leased is the pool's total after the change (call after
 * mpool_stats_leased()).
 */
DECLARE_EVENT_CLASS(mpool_lease_class,
		    TP_PROTO(const struct mpool *pool, unsigned int count),
		    TP_ARGS(pool, count),
		    TP_STRUCT__entry(__string(name, pool->name)
				     __field(unsigned int, count)
				     __field(u64, leased)),
		    TP_fast_assign(mpool_assign_str(name, pool->name);
				   __entry->count = count;
				   __entry->leased = mpool_stats_nr_leased(pool);),
		    TP_printk("name=%s count=%u leased=%llu", __get_str(name),
			      __entry->count, __entry->leased)
);

DEFINE_EVENT(mpool_lease_class, mpool_lease,
	     TP_PROTO(const struct mpool *pool, unsigned int count),
	     TP_ARGS(pool, count)
);

DEFINE_EVENT(mpool_lease_class, mpool_release,
	     TP_PROTO(const struct mpool *pool, unsigned int count),
	     TP_ARGS(pool, count)
);

#endif /* _MPOOL_TRACE_H */

/* An external module: define_trace.h finds us through -I$(src)/kmod. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
