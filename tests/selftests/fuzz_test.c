// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, struct-aware random walk over /dev/mempool: open, close,
 * create, attach, destroy, lease, release, stats, mmap, munmap, memory
 * touches and junk ioctls, on several sessions and pools at once.
 *
 * The walk keeps a model of what the kernel must hold (who leases which
 * buffer, what each leased page contains, which pools live) and checks
 * every result against it: the exact errno of every refused call, that no
 * buffer is ever leased twice, that every lease starts zeroed, that a
 * touch succeeds exactly when the session holds the buffer (SIGBUS
 * otherwise), and at the end that every pool is whole again.
 *
 *   MPOOL_FUZZ_SEED=n   replay a run (the seed is printed first)
 *   MPOOL_FUZZ_CALLS=n  system calls to make (default 35000; make soak
 *                       makes many more)
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NSESS		3
#define NSLOT		4
#define MAXATT		4
#define MAXMAP		6
#define MAXBUF		16
#define MAXPG		3
#define MAXGEN		64
#define QUOTA		12
#define TOUCH_OFF	123

struct gen {
	bool used;		/* this model slot describes a pool */
	bool live;		/* still named */
	int slot;
	int refs;		/* attachments */
	__u32 count;
	__u32 pages;
	__u64 bufsz;
	int owner[MAXBUF];	/* session index, or -1 */
	unsigned char stamp[MAXBUF][MAXPG];	/* 0: not written since lease */
};

struct att {
	struct gen *g;
	__u32 pool_id;
	__u64 off, len;
};

struct map {
	char *addr;
	__u64 len;
	int att;
	__u64 first_pg;		/* page of the pool window where it starts */
};

struct sess {
	int fd;
	struct att att[MAXATT];
	int natt;
	struct map map[MAXMAP];
	int nmap;
};

struct fuzz {
	struct __test_metadata *md;
	unsigned long long seed, rng;
	unsigned long calls, touches, target, step;
	struct sess s[NSESS];
	struct gen gens[MAXGEN];
	struct gen *slot_gen[NSLOT];
	int junk;
	long page;
	unsigned long ok, refused;
};

static unsigned long long rnd(struct fuzz *f)
{
	/* xorshift64* */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

static unsigned int below(struct fuzz *f, unsigned int n)
{
	return n ? rnd(f) % n : 0;
}

static bool chance(struct fuzz *f, unsigned int pct)
{
	return below(f, 100) < pct;
}

#define CHECK(f, cond, fmt, ...) do {						\
	if (!(cond)) {								\
		struct __test_metadata *_metadata = (f)->md;			\
		TH_LOG("seed %llu step %lu: " fmt, (f)->seed, (f)->step,	\
		       ##__VA_ARGS__);						\
		ASSERT_TRUE(0);							\
	}									\
} while (0)

#define EXPECT_RET(f, want, got, what) do {					\
	int __w = (want), __g = (got);						\
	CHECK(f, __w == __g, "%s: expected %d (%s), got %d (%s)", what,	\
	      __w, strerror(-__w), __g, strerror(-__g));			\
	if (__g)								\
		(f)->refused++;							\
	else									\
		(f)->ok++;							\
} while (0)

static int fz_ioctl(struct fuzz *f, int fd, unsigned long cmd, void *arg)
{
	f->calls++;
	return mp_ioctl(fd, cmd, arg);
}

static void slot_name(struct fuzz *f, int slot, char name[MPOOL_POOL_NAME_MAX])
{
	memset(name, 0, MPOOL_POOL_NAME_MAX);
	snprintf(name, MPOOL_POOL_NAME_MAX, "fz-%d-%d", (int)getpid(), slot);
}

static int held_by(struct gen *g, int s)
{
	__u32 i;
	int n = 0;

	for (i = 0; i < g->count; i++)
		n += g->owner[i] == s;
	return n;
}

static int held_by_anyone(struct gen *g)
{
	__u32 i;
	int n = 0;

	for (i = 0; i < g->count; i++)
		n += g->owner[i] >= 0;
	return n;
}

static int held_total(struct fuzz *f, int s)
{
	int i, n = 0;

	for (i = 0; i < f->s[s].natt; i++)
		n += held_by(f->s[s].att[i].g, s);
	return n;
}

static int nr_free(struct gen *g)
{
	return g->count - held_by_anyone(g);
}

static void gen_put(struct gen *g)
{
	if (--g->refs == 0 && !g->live)
		g->used = false;
}

static struct gen *gen_new(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAXGEN; i++) {
		if (!f->gens[i].used) {
			memset(&f->gens[i], 0, sizeof(f->gens[i]));
			f->gens[i].used = true;
			memset(f->gens[i].owner, 0xff, sizeof(f->gens[i].owner));
			return &f->gens[i];
		}
	}
	return NULL;
}

static bool alive(struct sess *s)
{
	return s->fd >= 0 || s->nmap > 0;
}

/* The session's last reference went: the kernel returned every lease. */
static void session_end(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	__u32 b;
	int i;

	for (i = 0; i < s->natt; i++) {
		struct gen *g = s->att[i].g;

		for (b = 0; b < g->count; b++) {
			if (g->owner[b] == si) {
				g->owner[b] = -1;
				memset(g->stamp[b], 0, sizeof(g->stamp[b]));
			}
		}
		gen_put(g);
	}
	s->natt = 0;
}

static int find_att(struct sess *s, struct gen *g)
{
	int i;

	for (i = 0; i < s->natt; i++) {
		if (s->att[i].g == g)
			return i;
	}
	return -1;
}

static void op_open(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];

	if (alive(s))
		return;
	f->calls++;
	s->fd = mp_open();
	CHECK(f, s->fd >= 0, "open: %s", strerror(errno));
	s->natt = 0;
}

static void op_close(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];

	if (s->fd < 0)
		return;
	f->calls++;
	CHECK(f, !close(s->fd), "close: %s", strerror(errno));
	s->fd = -1;
	if (!s->nmap)
		session_end(f, si);
}

static void op_create(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_pool_create c = {};
	int slot = below(f, NSLOT), want = 0, ret;
	struct gen *g;

	if (s->fd < 0 || s->natt == MAXATT)
		return;
	slot_name(f, slot, c.name);
	c.engine = below(f, 3);
	c.buf_size = (1 + below(f, MAXPG)) * f->page;
	c.buf_count = 1 + below(f, MAXBUF);
	if (chance(f, 20)) {
		want = -EINVAL;
		switch (below(f, 8)) {
		case 0: c.buf_size = 1 + below(f, f->page - 1); break;
		case 1: c.buf_count = 0; break;
		case 2: c.engine = 3 + below(f, 100); break;
		case 3: c.flags = 4u << below(f, 30); break;
		case 4: c.reserved = 1 + below(f, 1000); break;
		case 5: c.node = 1 + below(f, 100); break;
		case 6: c.name[below(f, 8)] = "/ $!*\xff\x01~"[below(f, 8)]; break;
		default: c.buf_count = 65537 + below(f, 1000); break;
		}
	} else if (f->slot_gen[slot]) {
		want = -EEXIST;
	}
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_POOL_CREATE, &c);
	EXPECT_RET(f, want, ret, "create");
	if (ret)
		return;
	g = gen_new(f);
	CHECK(f, g, "model out of pool slots");
	g->live = true;
	g->slot = slot;
	g->refs = 1;
	g->count = c.buf_count;
	g->bufsz = c.buf_size;
	g->pages = c.buf_size / f->page;
	CHECK(f, c.mmap_len == g->bufsz * g->count, "create: mmap_len %llu",
	      (unsigned long long)c.mmap_len);
	f->slot_gen[slot] = g;
	s->att[s->natt++] = (struct att){ g, c.pool_id, c.mmap_offset, c.mmap_len };
}

static void op_attach(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_pool_attach a = {};
	int slot = below(f, NSLOT), want = 0, ret;
	struct gen *g = f->slot_gen[slot];

	if (s->fd < 0 || s->natt == MAXATT)
		return;
	slot_name(f, slot, a.name);
	if (chance(f, 5)) {
		a.flags = 1u << below(f, 32);
		want = -EINVAL;
	} else if (!g) {
		want = -ENOENT;
	} else if (find_att(s, g) >= 0) {
		want = -EEXIST;
	}
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_POOL_ATTACH, &a);
	EXPECT_RET(f, want, ret, "attach");
	if (ret)
		return;
	CHECK(f, a.buf_count == g->count && a.buf_size == g->bufsz, "attach: geometry");
	g->refs++;
	s->att[s->natt++] = (struct att){ g, a.pool_id, a.mmap_offset, a.mmap_len };
}

/* An id that is no pool of this session. */
static __u32 bogus_id(struct fuzz *f, struct sess *s)
{
	__u32 id;
	int i;

again:
	id = chance(f, 50) ? 0 : (__u32)rnd(f);
	for (i = 0; i < s->natt; i++) {
		if (s->att[i].pool_id == id)
			goto again;
	}
	return id;
}

static void op_destroy(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_pool_destroy d = {};
	int want, ret, ai;
	struct att *a;

	if (s->fd < 0 || !s->natt)
		return;
	ai = below(f, s->natt);
	a = &s->att[ai];
	d.pool_id = a->pool_id;
	want = a->g->live ? 0 : -EIDRM;
	if (chance(f, 10)) {
		d.pool_id = bogus_id(f, s);
		want = -ENOENT;
	}
	if (chance(f, 5)) {
		d.flags = 1u << below(f, 32);
		want = -EINVAL;
	}
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_POOL_DESTROY, &d);
	EXPECT_RET(f, want, ret, "destroy");
	if (!ret) {
		a->g->live = false;
		f->slot_gen[a->g->slot] = NULL;
	}
}

static void op_lease(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_lease l = {};
	__u32 ids[MAXBUF + 1], n, i;
	struct gen *g;
	bool wait;
	int want = 0, ret;
	struct att *a;

	if (s->fd < 0 || !s->natt)
		return;
	a = &s->att[below(f, s->natt)];
	g = a->g;
	n = 1 + below(f, 4);
	if (chance(f, 3))
		n = 0;
	else if (chance(f, 3))
		n = g->count + 1 + below(f, 3000);
	l.pool_id = a->pool_id;
	l.count = n;
	l.ids = (__u64)(unsigned long)ids;
	if (chance(f, 10)) {
		l.flags = MPOOL_LEASE_F_WAIT;
		l.timeout_ns = 1000000 + below(f, 1000000);
	}
	if (chance(f, 3))
		l.flags |= 2u << below(f, 31);
	if (chance(f, 3))
		l.reserved = 1;
	if (chance(f, 3))
		l.timeout_ns = 1 + below(f, 100);
	if (chance(f, 5))
		l.pool_id = bogus_id(f, s);
	if (chance(f, 3))
		l.ids = chance(f, 50) ? 0 : 8;
	wait = l.flags & MPOOL_LEASE_F_WAIT;

	/* The kernel's order of checks. */
	if ((l.flags & ~MPOOL_LEASE_F_WAIT) || l.reserved || (!wait && l.timeout_ns) || !n)
		want = -EINVAL;
	else if (l.pool_id != a->pool_id)
		want = -ENOENT;
	else if (n > MPOOL_BATCH_MAX || n > g->count)
		want = -E2BIG;
	else if (held_total(f, si) + n > QUOTA)
		want = -EDQUOT;
	else if (!g->live)
		want = -EIDRM;
	else if ((__u32)nr_free(g) < n)
		want = wait ? -ETIMEDOUT : -EAGAIN;
	else if (l.ids != (__u64)(unsigned long)ids)
		want = -EFAULT;

	memset(ids, 0xff, sizeof(ids));
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_LEASE, &l);
	EXPECT_RET(f, want, ret, "lease");
	if (ret)
		return;
	for (i = 0; i < n; i++) {
		CHECK(f, ids[i] < g->count, "lease: id %u of %u", ids[i], g->count);
		CHECK(f, g->owner[ids[i]] == -1, "lease: id %u handed out twice (held by %d)",
		      ids[i], g->owner[ids[i]]);
		g->owner[ids[i]] = si;
		memset(g->stamp[ids[i]], 0, sizeof(g->stamp[ids[i]]));
	}
}

static void op_release(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_release r = {};
	__u32 ids[MAXBUF + 2], n = 0, b, i;
	int want = 0, ret, kind;
	struct gen *g;
	struct att *a;

	if (s->fd < 0 || !s->natt)
		return;
	a = &s->att[below(f, s->natt)];
	g = a->g;
	for (b = 0; b < g->count; b++) {
		if (g->owner[b] == si && chance(f, 60))
			ids[n++] = b;
	}
	kind = below(f, 100);
	if (kind < 8) {
		/* Not ours: someone else's, or nobody's. */
		for (b = 0; b < g->count && n < MAXBUF; b++) {
			if (g->owner[b] != si) {
				ids[n++] = b;
				break;
			}
		}
		if (b == g->count)
			ids[n++] = g->count + below(f, 10);
		want = -EINVAL;
	} else if (kind < 12) {
		ids[n++] = g->count + below(f, 1000);
		want = -EINVAL;
	} else if (kind < 16 && n) {
		ids[n] = ids[below(f, n)];
		n++;
		want = -EINVAL;
	}
	if (!n)
		want = -EINVAL;
	/* Shuffle: the kernel must not care about order. */
	for (i = n; i > 1; i--) {
		__u32 j = below(f, i), t = ids[i - 1];

		ids[i - 1] = ids[j];
		ids[j] = t;
	}
	r.pool_id = a->pool_id;
	r.count = n;
	r.ids = (__u64)(unsigned long)ids;
	if (chance(f, 3)) {
		r.flags = 1u << below(f, 32);
		want = -EINVAL;
	} else if (chance(f, 3)) {
		r.reserved = 1;
		want = -EINVAL;
	} else if (n && chance(f, 3)) {
		r.pool_id = bogus_id(f, s);
		want = -ENOENT;
	} else if (n && n > g->count) {
		want = -E2BIG;
	} else if (n && chance(f, 3)) {
		r.ids = 0;
		want = -EFAULT;
	}
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_RELEASE, &r);
	EXPECT_RET(f, want, ret, "release");
	if (ret)
		return;
	for (i = 0; i < n; i++) {
		g->owner[ids[i]] = -1;
		memset(g->stamp[ids[i]], 0, sizeof(g->stamp[ids[i]]));
	}
}

static void op_stats(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct mpool_pool_stats st = {};
	struct gen *g;
	struct att *a;
	int ret;

	if (s->fd < 0 || !s->natt)
		return;
	a = &s->att[below(f, s->natt)];
	g = a->g;
	st.pool_id = a->pool_id;
	ret = fz_ioctl(f, s->fd, MPOOL_IOC_POOL_STATS, &st);
	EXPECT_RET(f, 0, ret, "stats");
	CHECK(f, st.buf_count == g->count && st.buf_size == g->bufsz, "stats: geometry");
	CHECK(f, st.nr_free == (__u32)nr_free(g), "stats: nr_free %u, model %d",
	      st.nr_free, nr_free(g));
	CHECK(f, st.nr_leased == (__u32)held_by_anyone(g), "stats: nr_leased %u",
	      st.nr_leased);
	CHECK(f, st.nr_mine == (__u32)held_by(g, si), "stats: nr_mine %u, model %d",
	      st.nr_mine, held_by(g, si));
	CHECK(f, !st.nr_quarantined, "stats: %u quarantined", st.nr_quarantined);
	CHECK(f, st.leases - st.releases == st.nr_leased, "stats: counters");
	CHECK(f, !!(st.state & MPOOL_STATE_DESTROYED) == !g->live, "stats: state %u",
	      st.state);
	CHECK(f, st.mmap_offset == a->off && st.mmap_len == a->len, "stats: window");
}

/* Does @off fall in one of the session's pool windows? */
static bool window_owned(struct sess *s, __u64 off)
{
	int i;

	for (i = 0; i < s->natt; i++) {
		if (off >= s->att[i].off && off < s->att[i].off + s->att[i].len)
			return true;
	}
	return false;
}

static void op_mmap(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	__u64 npages, first, len, off;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, want = 0, ai;
	struct att *a;
	char *p;

	if (s->fd < 0 || !s->natt || s->nmap == MAXMAP)
		return;
	ai = below(f, s->natt);
	a = &s->att[ai];
	npages = a->len / f->page;
	first = below(f, npages);
	len = 1 + below(f, npages - first);
	off = a->off + first * f->page;
	switch (below(f, 12)) {
	case 0:
		flags = MAP_PRIVATE;
		want = EINVAL;
		break;
	case 1:
		prot |= PROT_EXEC;
		want = EPERM;
		break;
	case 2:
		len = npages - first + 1 + below(f, 4);
		want = EINVAL;
		break;
	case 3:
		off = a->off - f->page * (1 + below(f, 4));
		want = EINVAL;
		break;
	case 4:
		/* A window nobody of this session has. */
		off = ((__u64)bogus_id(f, s) & 0x7fffffff) << 32;
		want = EINVAL;
		break;
	default:
		break;
	}
	if (want == EINVAL && window_owned(s, off))
		return;
	f->calls++;
	p = mmap(NULL, len * f->page, prot, flags, s->fd, (off_t)off);
	if (want) {
		CHECK(f, p == MAP_FAILED && errno == want, "mmap: expected %s, got %s",
		      strerror(want), p == MAP_FAILED ? strerror(errno) : "success");
		f->refused++;
		return;
	}
	CHECK(f, p != MAP_FAILED, "mmap: %s", strerror(errno));
	f->ok++;
	s->map[s->nmap++] = (struct map){ p, len * f->page, ai, first };
}

static void drop_map(struct fuzz *f, int si, int mi)
{
	struct sess *s = &f->s[si];

	s->map[mi] = s->map[--s->nmap];
	if (!alive(s))
		session_end(f, si);
}

static void op_munmap(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	struct map *m;
	int mi;

	if (!s->nmap)
		return;
	mi = below(f, s->nmap);
	m = &s->map[mi];
	f->calls++;
	if (m->len > (__u64)f->page && chance(f, 30)) {
		/* Trim a page off the front or the back: the VMA splits. */
		if (chance(f, 50)) {
			CHECK(f, !munmap(m->addr, f->page), "munmap head: %s", strerror(errno));
			m->addr += f->page;
			m->first_pg++;
		} else {
			CHECK(f, !munmap(m->addr + m->len - f->page, f->page), "munmap tail: %s",
			      strerror(errno));
		}
		m->len -= f->page;
		f->ok++;
		return;
	}
	CHECK(f, !munmap(m->addr, m->len), "munmap: %s", strerror(errno));
	f->ok++;
	drop_map(f, si, mi);
}

static void op_touch(struct fuzz *f, int si)
{
	struct sess *s = &f->s[si];
	__u64 pg, wp;
	__u32 b, bp;
	struct gen *g;
	struct map *m;
	char *p, v = 0;
	int sig;

	if (!s->nmap)
		return;
	m = &s->map[below(f, s->nmap)];
	g = s->att[m->att].g;
	pg = below(f, m->len / f->page);
	wp = m->first_pg + pg;
	b = wp / g->pages;
	bp = wp % g->pages;
	p = m->addr + pg * f->page;
	f->touches++;
	sig = mp_read_byte(p + TOUCH_OFF, &v);
	if (g->owner[b] != si) {
		CHECK(f, sig == SIGBUS, "touch of buffer %u (held by %d): signal %d", b,
		      g->owner[b], sig);
		return;
	}
	CHECK(f, !sig, "touch of leased buffer %u: signal %d", b, sig);
	if (!g->stamp[b][bp]) {
		CHECK(f, mp_all_zero(p, f->page), "buffer %u page %u not zeroed on lease", b, bp);
		g->stamp[b][bp] = 1 + below(f, 255);
		p[TOUCH_OFF] = g->stamp[b][bp];
	} else {
		CHECK(f, (unsigned char)v == g->stamp[b][bp],
		      "buffer %u page %u: read %#x, wrote %#x", b, bp, (unsigned char)v,
		      g->stamp[b][bp]);
	}
}

/* Random bytes through random commands on a session that owns nothing. */
static void op_junk(struct fuzz *f)
{
	static const int allowed[] = { 0, -ENOTTY, -EINVAL, -E2BIG, -EFAULT, -ENOENT, -EEXIST };
	unsigned int nr = below(f, 12), dir = below(f, 4), size = below(f, 200);
	__u64 buf[32];
	bool seen = false;
	void *arg = buf;
	size_t i;
	int ret;

	for (i = 0; i < 32; i++)
		buf[i] = chance(f, 50) ? 0 : rnd(f);
	if (chance(f, 5))
		arg = chance(f, 50) ? NULL : (void *)8;
	ret = fz_ioctl(f, f->junk, _IOC(dir, MPOOL_IOC_MAGIC, nr, size), arg);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		seen |= ret == allowed[i];
	CHECK(f, seen, "junk ioctl nr %u dir %u size %u: %s", nr, dir, size, strerror(-ret));
	/* Random bytes that happen to make a pool: put it back. */
	if (!ret && nr == _IOC_NR(MPOOL_IOC_POOL_CREATE) && size >= 56)
		mp_destroy(f->junk, ((struct mpool_pool_create *)buf)->pool_id);
}

static void op_info(struct fuzz *f)
{
	struct mpool_info info = {};

	EXPECT_RET(f, 0, fz_ioctl(f, f->junk, MPOOL_IOC_INFO, &info), "info");
	CHECK(f, info.bytes_used <= info.max_bytes, "info: %llu bytes used",
	      (unsigned long long)info.bytes_used);
	CHECK(f, info.nr_pools <= info.max_pools, "info: %u pools", info.nr_pools);
}

static unsigned long long env_ull(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

FIXTURE(fuzz) {
	struct fuzz f;
	unsigned long long old_quota;
};

FIXTURE_SETUP(fuzz)
{
	MP_SKIP_WITHOUT_DEVICE();
	self->old_quota = mp_param_get("max_session_leases");
	ASSERT_NE(0, self->old_quota);
	ASSERT_EQ(0, mp_param_set("max_session_leases", QUOTA));
}

FIXTURE_TEARDOWN(fuzz)
{
	mp_param_set("max_session_leases", self->old_quota);
}

TEST_F_TIMEOUT(fuzz, random_walk, 2000)
{
	struct fuzz *f = &self->f;
	struct mpool_info base, info;
	int i, slot;

	memset(f, 0, sizeof(*f));
	f->md = _metadata;
	f->page = mp_page();
	f->seed = env_ull("MPOOL_FUZZ_SEED", (unsigned long long)mp_now_ns() ^
			  ((unsigned long long)time(NULL) << 20) ^
			  ((unsigned long long)getpid() << 40));
	f->rng = f->seed ? f->seed : 1;
	f->target = env_ull("MPOOL_FUZZ_CALLS", 35000);
	ksft_print_msg("fuzz: seed %llu, %lu calls (replay: MPOOL_FUZZ_SEED=%llu)\n",
		       f->seed, f->target, f->seed);
	for (i = 0; i < NSESS; i++)
		f->s[i].fd = -1;
	f->junk = mp_open();
	ASSERT_LE(0, f->junk);
	ASSERT_EQ(0, mp_info(f->junk, &base));

	for (f->step = 0; f->calls < f->target; f->step++) {
		int si = below(f, NSESS), op = below(f, 100);

		if (op < 3)
			op_open(f, si);
		else if (op < 5)
			op_close(f, si);
		else if (op < 10)
			op_create(f, si);
		else if (op < 15)
			op_attach(f, si);
		else if (op < 17)
			op_destroy(f, si);
		else if (op < 35)
			op_lease(f, si);
		else if (op < 50)
			op_release(f, si);
		else if (op < 56)
			op_stats(f, si);
		else if (op < 64)
			op_mmap(f, si);
		else if (op < 70)
			op_munmap(f, si);
		else if (op < 93)
			op_touch(f, si);
		else if (op < 98)
			op_junk(f);
		else
			op_info(f);
		if (!alive(&f->s[si]))
			op_open(f, si);
	}

	/* Tear everything down; the kernel must end where it started. */
	for (i = 0; i < NSESS; i++) {
		while (f->s[i].nmap) {
			ASSERT_EQ(0, munmap(f->s[i].map[0].addr, f->s[i].map[0].len));
			drop_map(f, i, 0);
		}
		op_close(f, i);
	}
	for (slot = 0; slot < NSLOT; slot++) {
		struct mpool_pool_attach a;
		struct mpool_pool_stats st;
		char name[MPOOL_POOL_NAME_MAX];
		struct gen *g = f->slot_gen[slot];

		if (!g)
			continue;
		slot_name(f, slot, name);
		ASSERT_EQ(0, mp_attach(f->junk, name, &a));
		ASSERT_EQ(0, mp_stats(f->junk, a.pool_id, &st));
		EXPECT_EQ(g->count, st.nr_free);
		EXPECT_EQ(0, st.nr_leased);
		EXPECT_EQ(0, st.nr_quarantined);
		EXPECT_EQ(st.leases, st.releases);
		EXPECT_EQ(1, st.nr_sessions);
		ASSERT_EQ(0, mp_destroy(f->junk, a.pool_id));
	}
	ASSERT_EQ(0, close(f->junk));
	f->junk = mp_open();
	ASSERT_LE(0, f->junk);
	ASSERT_EQ(0, mp_info(f->junk, &info));
	EXPECT_EQ(base.nr_pools, info.nr_pools);
	EXPECT_EQ(base.bytes_used, info.bytes_used);
	close(f->junk);
	ksft_print_msg("fuzz: seed %llu: %lu calls (%lu ok, %lu refused as expected), %lu touches\n",
		       f->seed, f->calls, f->ok, f->refused, f->touches);
}

TEST_HARNESS_MAIN
