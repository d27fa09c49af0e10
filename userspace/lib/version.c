// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mpl_version(), and the checks that keep the library's public promises
 * true at build time: the header's version is the project's (VERSION,
 * passed in by the Makefile as MPL_BUILD_VERSION and its numbers), and the
 * structs that must not change size have not.
 */
#include "internal.h"

#if !defined(MPL_BUILD_VERSION) || !defined(MPL_BUILD_MAJOR) || !defined(MPL_BUILD_MINOR)
#error "build libmempool with its Makefile: it passes the version (../VERSION)"
#endif

_Static_assert(MPL_BUILD_MAJOR == MPL_VERSION_MAJOR && MPL_BUILD_MINOR == MPL_VERSION_MINOR,
	       "MPL_VERSION_MAJOR/MINOR in mempool.h disagree with the VERSION file");
/* The first versions' sizes, which the old entry points write. */
_Static_assert(offsetof(struct mpl_counters, puts) + sizeof(uint64_t) ==
	       MPL_COUNTERS_SIZE_VER0, "struct mpl_counters lost its first layout");
_Static_assert(sizeof(struct mpl_counters) >= MPL_COUNTERS_SIZE_VER0, "mpl_counters shrank");
/* struct mpl_pool_config never grows (mpl_pool_create() has no size): flags stays last. */
#define MPLI_ROUND_UP(n, a)	(((n) + (a) - 1) / (a) * (a))
_Static_assert(sizeof(struct mpl_pool_config) ==
	       MPLI_ROUND_UP(offsetof(struct mpl_pool_config, flags) + sizeof(uint32_t),
			     _Alignof(struct mpl_pool_config)),
	       "struct mpl_pool_config must not grow: add options to struct mpl_pool_opts");

const char *mpl_version(unsigned int *major, unsigned int *minor)
{
	if (major)
		*major = MPL_BUILD_MAJOR;
	if (minor)
		*minor = MPL_BUILD_MINOR;
	return MPL_BUILD_VERSION;
}
