/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels we support (6.1 and 6.12)
 * lives here, keyed on the feature rather than on version numbers where a
 * config symbol or header says it better.
 */
#ifndef _MPOOL_COMPAT_H
#define _MPOOL_COMPAT_H

/* 6.1's <linux/shrinker.h> relies on <linux/mm.h> for its types. */
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/* <kunit/visibility.h> appeared in 6.2; only KUnit kernels need it. */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/visibility.h>
#else
#define VISIBLE_IF_KUNIT static
/* Exports nothing; a declaration so that the ";" after it stays legal. */
#define EXPORT_SYMBOL_IF_KUNIT(symbol) static_assert(1, #symbol)
#endif

/*
 * The largest order the page allocator hands out. 6.8 renamed the inclusive
 * bound MAX_PAGE_ORDER; 6.1's MAX_ORDER is exclusive (6.4-6.7 made it
 * inclusive without renaming it, where this is merely one order shy).
 */
#ifdef MAX_PAGE_ORDER
#define MPOOL_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define MPOOL_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Shrinkers: 6.7 replaced the caller-embedded struct shrinker and
 * register_shrinker()/unregister_shrinker() with shrinker_alloc(),
 * shrinker_register() and shrinker_free(); SHRINKER_ALLOCATED came with it.
 * mpool_shrinker_create() returns a registered shrinker or NULL.
 */
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
mpool_shrinker_create(const char *name,
		      unsigned long (*count)(struct shrinker *, struct shrink_control *),
		      unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	shrinker_register(s);
	return s;
}

static inline void mpool_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *
mpool_shrinker_create(const char *name,
		      unsigned long (*count)(struct shrinker *, struct shrink_control *),
		      unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void mpool_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

/*
 * Pages a shrinker frees are off the LRU: reclaim counts them as progress
 * only if they are credited to the reclaim_state of the task reclaiming
 * (NULL outside reclaim). 6.4 renamed its reclaimed_slab to reclaimed and
 * put mm_account_reclaimed_pages() in front of it. No symbol marks that
 * change, so this keys on SHRINKER_ALLOCATED (6.7), which came after it:
 * 6.4-6.6, which we do not support, would fail to build, not miscount.
 */
#include <linux/sched.h>
#include <linux/swap.h>
#ifdef SHRINKER_ALLOCATED
static inline void mpool_reclaim_credit(unsigned long pages)
{
	mm_account_reclaimed_pages(pages);
}
#else
static inline void mpool_reclaim_credit(unsigned long pages)
{
	if (current->reclaim_state)
		current->reclaim_state->reclaimed_slab += pages;
}
#endif

/*
 * Trace events: 6.10 made __string() keep its source, so __assign_str()
 * lost its second argument. EVENT_NULL_STR came with that change.
 */
#include <linux/trace_events.h>
#ifdef EVENT_NULL_STR
#define mpool_assign_str(dst, src)	__assign_str(dst)
#else
#define mpool_assign_str(dst, src)	__assign_str(dst, src)
#endif

/* ---- /dev/mempool (chardev, session, lease, mmap) ------------------------- */
#include <linux/mm.h>

/*
 * 6.3 made vma->vm_flags read-only behind vm_flags_set(), vm_flags_clear()
 * and vm_flags_mod(); before, drivers wrote the field. The same series
 * replaced VM_LOCKED_CLEAR_MASK with VM_LOCKED_MASK (for vm_flags_clear()),
 * which is what marks the new API here.
 */
#ifdef VM_LOCKED_MASK
static inline void mpool_vm_flags_mod(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
	vm_flags_mod(vma, set, clear);
}
#else
static inline void mpool_vm_flags_mod(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif
/*
 * vmf_insert_pfn_pmd() maps a pfn with a PMD. Where the architecture has a
 * special bit in PMDs (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP, 6.12 on x86) the
 * PMD carries it and nothing looks at the struct page behind it. 6.1 has
 * none: smaps and get_user_pages() take such a PMD for a THP, whose first
 * page must be a compound head (VM_BUG_ON_PAGE() in
 * follow_trans_huge_pmd() on CONFIG_DEBUG_VM kernels). There only the
 * first 2 MiB of a compound page may be mapped by a PMD.
 */
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#define MPOOL_PMD_MAPS_TAIL	true
#else
#define MPOOL_PMD_MAPS_TAIL	false
#endif
/* ---- end /dev/mempool ------------------------------------------------------ */

#endif /* _MPOOL_COMPAT_H */
