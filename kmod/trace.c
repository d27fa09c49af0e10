// SPDX-License-Identifier: GPL-2.0
/*
 * The one place the mempool trace events are instantiated.
 */
#include <linux/module.h>

#define CREATE_TRACE_POINTS
#include "trace.h"

#if IS_ENABLED(CONFIG_KUNIT)
/* The KUnit suites attach probes to check when each event fires. */
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_create);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_destroy);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_grow);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_shrink);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_exhausted);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_low_watermark);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_threshold);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_lease);
EXPORT_TRACEPOINT_SYMBOL_GPL(mpool_release);
#endif
