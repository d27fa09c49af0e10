// SPDX-License-Identifier: GPL-2.0
/*
 * One shrinker for all pools: under memory pressure, free arenas whose
 * objects are all idle, never taking a live pool below its prefill
 * (init_objs). It only ever trylocks, because reclaim can be entered from
 * a pool's own grow, with that pool's lock (or the registry's) held.
 *
 * It counts and scans in pages, and frees whole arenas. So reclaim weighs
 * the pools by the memory they hold, whatever their object size, and each
 * scan call asks for the default batch, SHRINK_BATCH (128) pages: 512 KiB,
 * sixteen arenas of the usual 32 KiB, enough to be worth a pass and little
 * enough not to overshoot what reclaim wanted by much. A pass costs about
 * what it frees, not what the pools hold idle, because a shrink only takes
 * idle objects out of an engine until they make up the arenas it was asked
 * for (mpool_shrink_collect()). Counted in objects, the same batch was a
 * single arena of small objects, and each call emptied and refilled every
 * idle object of the pool to free it.
 */
#include <linux/mm.h>
#include <linux/shrinker.h>

#include "compat.h"
#include "pool.h"

static struct shrinker *mpool_shrinker;

VISIBLE_IF_KUNIT unsigned long mpool_shrinker_count(struct shrinker *shrinker,
						    struct shrink_control *sc)
{
	return mpool_registry_count() ?: SHRINK_EMPTY;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_shrinker_count);

VISIBLE_IF_KUNIT unsigned long mpool_shrinker_scan(struct shrinker *shrinker,
						   struct shrink_control *sc)
{
	return mpool_registry_shrink(sc->nr_to_scan);
}
EXPORT_SYMBOL_IF_KUNIT(mpool_shrinker_scan);

/**
 * mpool_shrinker_init() - register the shrinker
 *
 * Return: 0 or -ENOMEM.
 */
int mpool_shrinker_init(void)
{
	mpool_shrinker = mpool_shrinker_create(KBUILD_MODNAME,
					       mpool_shrinker_count,
					       mpool_shrinker_scan);
	return mpool_shrinker ? 0 : -ENOMEM;
}

/**
 * mpool_shrinker_exit() - unregister the shrinker
 */
void mpool_shrinker_exit(void)
{
	mpool_shrinker_destroy(mpool_shrinker);
}
