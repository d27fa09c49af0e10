// SPDX-License-Identifier: GPL-2.0
/*
 * Backing memory: arenas of whole pages, and the capacity they make up.
 *
 * An arena is one page-allocator allocation of a fixed order per pool, split
 * into independent order-0 pages so that /dev/mempool can vm_insert_page()
 * any of them and the last reference to each frees it; with MPOOL_F_HUGE it
 * stays one compound page, mapped whole by PMDs. It holds a power of
 * two objects (the last arena slot may be short), so an index splits into
 * (slot, offset) with a shift and a mask. The way back, object -> index for
 * mpool_free(), uses the slot number stored in page->private of every page
 * of the arena (of a huge one, its head), never anything inside object
 * memory.
 *
 * Capacity changes only under pool->lock: grow adds arenas to empty slots,
 * shrink frees arenas all of whose objects it managed to take out of the
 * engine. A slot freed by a shrink is refilled by a later grow.
 *
 * Placement. A pool bound to a node gets every arena there or not at all
 * (__GFP_THISNODE: a grow fails with -ENOMEM rather than fall back), so
 * that "on node N" is a fact its users and the percpu engine's node-aware
 * recycling can rely on, as with DPDK's per-socket mempools. A pool bound
 * to none asks for the node of the CPU that created it (every grow, not
 * only the first, so that its memory stays in one place while it can) and
 * takes any other the page allocator falls back to. Each arena's pages are
 * counted on their node (page_to_nid(); a buddy block never spans nodes)
 * in pool->node_pages, for the statistics.
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "compat.h"
#include "pool.h"

#define mpool_array(n, type)	array_size(n, sizeof(type))
#define mpool_bitmap(nbits)	array_size(BITS_TO_LONGS(nbits), sizeof(long))

/* Arenas stay within the orders the page allocator tries hard to satisfy. */
#define MPOOL_ARENA_BYTES	(PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)

/* Indices moved between the engine and a grow or shrink per batch. */
#define MPOOL_ARENA_BATCH	64

/* What a caller's gfp mask may change about how arenas are allocated. */
#define MPOOL_ARENA_GFP_CALLER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS |	\
				 __GFP_HIGH | __GFP_NOWARN |		\
				 __GFP_RETRY_MAYFAIL | __GFP_NORETRY |	\
				 __GFP_NOMEMALLOC)

/**
 * mpool_arena_setup() - fix a pool's geometry and allocate its arena tables
 * @pool: a pool being built, with stride, max_objs and node set
 *
 * Return: 0, -EINVAL if one object is bigger than the largest allocation
 * the page allocator can make, or -ENOMEM.
 */
int mpool_arena_setup(struct mpool *pool)
{
	unsigned int per;
	size_t bytes;

	if (pool->hot.stride > PAGE_SIZE << MPOOL_MAX_PAGE_ORDER)
		return -EINVAL;
	per = MPOOL_ARENA_BYTES / pool->hot.stride;
	per = per && !(pool->flags & MPOOL_F_FIXED) ? rounddown_pow_of_two(per) : 1;
	per = min_t(unsigned int, per, roundup_pow_of_two(pool->hot.max_objs));

	pool->hot.arena_shift = ilog2(per);
	pool->hot.arena_mask = per - 1;
	pool->hot.nr_slots = DIV_ROUND_UP(pool->hot.max_objs, per);
	bytes = (size_t)per * pool->hot.stride;
	pool->hot.arena_bytes = bytes;
	pool->hot.last_bytes = (pool->hot.max_objs - (pool->hot.nr_slots - 1) * per) *
			       pool->hot.stride;
	pool->arena_pages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	pool->arena_order = get_order(bytes);
	pool->hot.stride_recip = reciprocal_value(pool->hot.stride);

	pool->hot.arena_base =
		mpool_kvzalloc_node(mpool_array(pool->hot.nr_slots, void *),
				    pool->node);
	pool->slot_map = mpool_kvzalloc_node(mpool_bitmap(pool->hot.nr_slots),
					     pool->node);
	pool->shrink_map = mpool_kvzalloc_node(mpool_bitmap(pool->hot.max_objs),
					       pool->node);
	pool->shrink_count = mpool_kvzalloc_node(mpool_array(pool->hot.nr_slots,
							     unsigned int),
						 pool->node);
	pool->shrink_slots = mpool_kvzalloc_node(mpool_array(pool->hot.nr_slots,
							     unsigned int),
						 pool->node);
	pool->node_pages = mpool_kvzalloc_node(mpool_array(nr_node_ids, unsigned long),
					       pool->node);
	if (!pool->hot.arena_base || !pool->slot_map || !pool->shrink_map ||
	    !pool->shrink_count || !pool->shrink_slots || !pool->node_pages)
		return -ENOMEM;
	return 0;
}

static unsigned int mpool_slot_pages(const struct mpool *pool, unsigned int slot)
{
	return DIV_ROUND_UP((size_t)mpool_slot_objs(pool, slot) * pool->hot.stride,
			    PAGE_SIZE);
}

/* Under pool->lock; the statistics read the counts locklessly. */
static void mpool_arena_count(struct mpool *pool, struct page *page, long nr)
{
	unsigned long *n = &pool->node_pages[page_to_nid(page)];

	WRITE_ONCE(*n, *n + nr);
}

/*
 * One compound page, which a PMD can map: its pages share the head's
 * reference count, so that get_user_pages() taking 512 references through
 * a PMD at once (6.1's fast path does) counts them where the quarantine
 * looks. A huge arena holds one object, whose first page is the head:
 * that is where mpool_hot_obj_span() reads the slot, and the only page
 * whose ->private is ours to use.
 */
static void *mpool_arena_alloc_huge(struct mpool *pool, unsigned int slot,
				    gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages_node(pool->alloc_node, gfp | __GFP_COMP, order);

	if (!page)
		return NULL;
	mpool_arena_count(pool, page, 1U << order);
	set_page_private(page, slot);
	return page_address(page);
}

static void *mpool_arena_alloc(struct mpool *pool, unsigned int slot, gfp_t gfp)
{
	unsigned int nr_pages = mpool_slot_pages(pool, slot);
	unsigned int order = get_order((size_t)nr_pages << PAGE_SHIFT);
	struct page *page;
	unsigned int i;

	if (mpool_should_fail())
		return NULL;
	gfp = (gfp & MPOOL_ARENA_GFP_CALLER) | __GFP_ACCOUNT | __GFP_ZERO;
	if (pool->node != NUMA_NO_NODE)
		gfp |= __GFP_THISNODE;
	if (pool->flags & MPOOL_F_HUGE)
		return mpool_arena_alloc_huge(pool, slot, gfp, order);
	page = alloc_pages_node(pool->alloc_node, gfp, order);
	if (!page)
		return NULL;
	mpool_arena_count(pool, page, nr_pages);
	/*
	 * Independent pages: each can be mapped to userspace on its own and
	 * is freed by its last put, and the tail of a short arena goes back
	 * right away.
	 */
	if (order)
		split_page(page, order);
	for (i = nr_pages; i < 1U << order; i++)
		__free_page(page + i);
	for (i = 0; i < nr_pages; i++)
		set_page_private(page + i, slot);
	return page_address(page);
}

static void mpool_arena_free_pages(struct mpool *pool, unsigned int slot,
				   void *base)
{
	unsigned int nr_pages = mpool_slot_pages(pool, slot);
	unsigned int i;

	if (pool->flags & MPOOL_F_HUGE) {
		unsigned int order = get_order((size_t)nr_pages << PAGE_SHIFT);
		struct page *head = virt_to_page(base);

		mpool_arena_count(pool, head, -(1L << order));
		set_page_private(head, 0);
		__free_pages(head, order);
		return;
	}
	mpool_arena_count(pool, virt_to_page(base), -(long)nr_pages);
	for (i = 0; i < nr_pages; i++) {
		struct page *page = virt_to_page(base + ((size_t)i << PAGE_SHIFT));

		/* The page allocator keeps its own state in ->private. */
		set_page_private(page, 0);
		__free_page(page);
	}
}

static void mpool_push_range(struct mpool *pool, u32 first, unsigned int nr)
{
	u32 buf[MPOOL_ARENA_BATCH];
	unsigned int i, n;

	while (nr) {
		n = min_t(unsigned int, nr, ARRAY_SIZE(buf));
		for (i = 0; i < n; i++)
			buf[i] = first + i;
		pool->ops->put_bulk(pool, buf, n);
		first += n;
		nr -= n;
	}
}

static int mpool_arena_add(struct mpool *pool, unsigned int slot, gfp_t gfp)
{
	unsigned int objs = mpool_slot_objs(pool, slot);
	unsigned int i;
	void *base;

	base = mpool_arena_alloc(pool, slot, gfp);
	if (!base)
		return -ENOMEM;
	if (pool->ctor) {
		for (i = 0; i < objs; i++)
			pool->ctor(base + (size_t)i * pool->hot.stride, pool->priv);
	}

	/*
	 * Publish the arena before its indices enter the engine: whoever gets
	 * one of them reads arena_base[slot] in mpool_idx_to_obj(). The
	 * engine's put is a release and its get an acquire (ring slot seq,
	 * lfstack head cmpxchg, depot lock; a CPU's own magazines are program
	 * order), so that is what orders this store, and the ctor's writes,
	 * before any reader. WRITE_ONCE() is for the lockless range check in
	 * mpool_obj_to_idx().
	 */
	WRITE_ONCE(pool->hot.arena_base[slot], base);
	__set_bit(slot, pool->slot_map);
	/* Both read locklessly by mpool_capacity() and the statistics. */
	WRITE_ONCE(pool->nr_arenas, pool->nr_arenas + 1);
	WRITE_ONCE(pool->capacity, pool->capacity + objs);
	this_cpu_inc(pool->stats->grow);

	mpool_push_range(pool, slot << pool->hot.arena_shift, objs);
	return 0;
}

/* Every index of the arena is in the caller's hands: nobody can reach it. */
static void mpool_arena_remove(struct mpool *pool, unsigned int slot)
{
	unsigned int objs = mpool_slot_objs(pool, slot);
	void *base = pool->hot.arena_base[slot];

	/*
	 * No ordering needed against the engine: none of the arena's indices
	 * is in it. WRITE_ONCE() pairs with the READ_ONCE() of a lockless
	 * mpool_obj_to_idx() checking a stray pointer.
	 */
	WRITE_ONCE(pool->hot.arena_base[slot], NULL);
	__clear_bit(slot, pool->slot_map);
	WRITE_ONCE(pool->nr_arenas, pool->nr_arenas - 1);
	WRITE_ONCE(pool->capacity, pool->capacity - objs);
	this_cpu_inc(pool->stats->shrink);
	this_cpu_add(pool->stats->shrunk_objs, objs);
	mpool_arena_free_pages(pool, slot, base);
}

/**
 * mpool_arena_teardown() - free a dead pool's arenas and tables
 * @pool: a pool nobody can reach any more (or one that failed to build)
 */
void mpool_arena_teardown(struct mpool *pool)
{
	unsigned int slot;

	if (pool->slot_map && pool->hot.arena_base) {
		for_each_set_bit(slot, pool->slot_map, pool->hot.nr_slots)
			mpool_arena_free_pages(pool, slot, pool->hot.arena_base[slot]);
	}
	kvfree(pool->node_pages);
	kvfree(pool->shrink_slots);
	kvfree(pool->shrink_count);
	kvfree(pool->shrink_map);
	kvfree(pool->slot_map);
	kvfree(pool->hot.arena_base);
}

/**
 * __mpool_grow() - add arenas until capacity grows by @nr_objs or hits max
 * @pool: the pool, pool->lock held
 * @nr_objs: objects wanted; rounded up to whole arenas
 * @gfp: how to allocate the arenas
 *
 * Arenas added before a failed allocation stay: the pool is consistent
 * after every arena.
 *
 * Return: 0, -ENOSPC if the pool was already at max_objs, or -ENOMEM.
 */
int __mpool_grow(struct mpool *pool, unsigned int nr_objs, gfp_t gfp)
{
	unsigned int target, slot;
	int err;

	lockdep_assert_held(&pool->lock);
	if (pool->capacity >= pool->hot.max_objs)
		return -ENOSPC;
	target = pool->capacity + min(nr_objs, pool->hot.max_objs - pool->capacity);
	while (pool->capacity < target) {
		/* capacity < max_objs, so some slot is empty. */
		slot = find_first_zero_bit(pool->slot_map, pool->hot.nr_slots);
		if (WARN_ON_ONCE(slot >= pool->hot.nr_slots))
			return -ENOSPC;
		err = mpool_arena_add(pool, slot, gfp);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Take idle indices out of the engine into pool->shrink_map until the
 * arenas they complete hold @want objects, or the engine has no more.
 *
 * Stopping early is what keeps a shrink's cost near what it frees, not
 * what the pool holds idle: a grow pushes an arena's indices together and
 * objects tend to come back in bursts, so the engine holds most idle
 * indices roughly arena by arena, and freeing one arena takes about one
 * arena's worth of indices. (Scattered indices cost a longer pass, never
 * more than one over the engine.) The arenas touched are listed in
 * pool->shrink_slots, so that neither the free nor the putback walks the
 * whole pool.
 *
 * Return: how many arenas were touched (entries in pool->shrink_slots).
 */
static unsigned int mpool_shrink_collect(struct mpool *pool, unsigned long want)
{
	unsigned int i, n, slot, nr_slots = 0, held = 0;
	u32 buf[MPOOL_ARENA_BATCH];
	unsigned long whole = 0;

	while (whole < want &&
	       (n = pool->ops->reclaim(pool, buf, ARRAY_SIZE(buf)))) {
		for (i = 0; i < n; i++) {
			/* The same index twice in the engine: a double free. */
			if (WARN_ON_ONCE(__test_and_set_bit(buf[i], pool->shrink_map)))
				continue;
			slot = buf[i] >> pool->hot.arena_shift;
			if (!pool->shrink_count[slot]++)
				pool->shrink_slots[nr_slots++] = slot;
			if (pool->shrink_count[slot] == mpool_slot_objs(pool, slot))
				whole += pool->shrink_count[slot];
			held++;
		}
		/* Still idle, still reclaimable: see mpool_registry_count(). */
		WRITE_ONCE(pool->shrink_held, held);
	}
	return nr_slots;
}

/* Give back what the first @nr_slots arenas of pool->shrink_slots hold. */
static void mpool_shrink_putback(struct mpool *pool, unsigned int nr_slots)
{
	unsigned int i, slot, idx, end, n = 0;
	u32 buf[MPOOL_ARENA_BATCH];

	for (i = 0; i < nr_slots; i++) {
		slot = pool->shrink_slots[i];
		/* Freed, or nothing held. */
		if (!pool->shrink_count[slot])
			continue;
		pool->shrink_count[slot] = 0;
		idx = slot << pool->hot.arena_shift;
		end = idx + mpool_slot_objs(pool, slot);
		for_each_set_bit_from(idx, pool->shrink_map, end) {
			__clear_bit(idx, pool->shrink_map);
			buf[n++] = idx;
			if (n == ARRAY_SIZE(buf)) {
				pool->ops->put_bulk(pool, buf, n);
				n = 0;
			}
		}
	}
	if (n)
		pool->ops->put_bulk(pool, buf, n);
	WRITE_ONCE(pool->shrink_held, 0);
}

/**
 * __mpool_shrink() - free arenas whose objects are all idle
 * @pool: the pool, pool->lock held
 * @nr_objs: stop once this many objects' arenas have been freed
 * @floor: never take capacity below this
 * @nr_pages: where to add the pages freed
 *
 * Takes idle indices out of the engine's shared state (not CPU-local
 * caches: flush those first for a full drain) until the arenas it holds
 * completely make up @nr_objs, frees those, and gives the rest back. While
 * it runs, a get that cannot block may find the pool empty.
 *
 * Return: objects freed (whole arenas, so possibly more than @nr_objs).
 */
unsigned long __mpool_shrink(struct mpool *pool, unsigned long nr_objs,
			     unsigned int floor, unsigned long *nr_pages)
{
	unsigned int i, nr_slots, slot, objs;
	unsigned long want, freed = 0;

	lockdep_assert_held(&pool->lock);
	/* The last arena is the smallest: less than it above the floor is none. */
	if (!nr_objs || pool->capacity <= floor ||
	    pool->capacity - floor < mpool_slot_objs(pool, pool->hot.nr_slots - 1))
		return 0;
	want = min_t(unsigned long, nr_objs, pool->capacity - floor);
	nr_slots = mpool_shrink_collect(pool, want);

	for (i = 0; i < nr_slots && freed < nr_objs; i++) {
		slot = pool->shrink_slots[i];
		objs = mpool_slot_objs(pool, slot);
		if (pool->shrink_count[slot] != objs ||
		    pool->capacity - objs < floor)
			continue;
		bitmap_clear(pool->shrink_map, slot << pool->hot.arena_shift, objs);
		pool->shrink_count[slot] = 0;
		*nr_pages += mpool_slot_pages(pool, slot);
		mpool_arena_remove(pool, slot);
		freed += objs;
	}
	mpool_shrink_putback(pool, nr_slots);
	return freed;
}

/**
 * mpool_obj_to_idx() - the index of an object, checked
 * @pool: the pool
 * @obj: a pointer that should be the start of one of @pool's objects
 * @idx: where to store the index
 *
 * Safe for any pointer into mapped kernel memory, and for any pointer at
 * all outside the linear map: see mpool_hot_obj_to_idx().
 *
 * Return: 0, or -EINVAL if @obj is not the start of an object of @pool.
 */
int mpool_obj_to_idx(struct mpool *pool, const void *obj, u32 *idx)
{
	/* The check every mpool_free() makes, inline (<linux/mpool/fast.h>). */
	return mpool_hot_obj_to_idx(&pool->hot, obj, idx) ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(mpool_obj_to_idx);

/**
 * mpool_idx_to_page() - a page of a page-aligned object, for mapping it
 * @pool: a pool created with MPOOL_F_PAGE_ALIGNED
 * @idx: an index the caller owns
 * @pgoff: which page of the object
 *
 * Return: the page, or NULL if @pool is not page aligned or @pgoff is past
 * the object.
 */
struct page *mpool_idx_to_page(struct mpool *pool, u32 idx, unsigned int pgoff)
{
	if (!(pool->flags & MPOOL_F_PAGE_ALIGNED) ||
	    pgoff >= pool->obj_size >> PAGE_SHIFT || idx >= pool->hot.max_objs)
		return NULL;
	return virt_to_page(mpool_idx_to_obj(pool, idx) +
			    ((size_t)pgoff << PAGE_SHIFT));
}
EXPORT_SYMBOL_IF_KUNIT(mpool_idx_to_page);
