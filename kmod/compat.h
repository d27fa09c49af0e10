/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels we support (6.1 and 6.12)
 * lives here, keyed on the feature rather than on version numbers where a
 * config symbol or header says it better.
 */
#ifndef _MPOOL_COMPAT_H
#define _MPOOL_COMPAT_H

/* <kunit/visibility.h> appeared in 6.2; only KUnit kernels need it. */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/visibility.h>
#else
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

#endif /* _MPOOL_COMPAT_H */
