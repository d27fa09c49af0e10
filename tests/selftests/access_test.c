// SPDX-License-Identifier: GPL-2.0
/*
 * Per-pool access modes (issue 12): who may attach to a pool by name
 * (owner only by default, the creator's group, everyone), who may see it
 * in POOL_LIST, who may change it with POOL_CONFIG; that a non-root user
 * can list, attach and read stats; growth charged to the per-user caps;
 * and callers built against the first version of POOL_CREATE.
 *
 * Runs as root and opens the device as other users through a node of its
 * own that anyone may open; the ioctls of those sessions are made under
 * the same unprivileged credentials, so neither the opener nor the caller
 * has a capability, unless a test says otherwise.
 */
#define _GNU_SOURCE
#include "mempool_cfg.h"
#include "kselftest_harness.h"

#define UID_A	4101
#define UID_B	4102
#define UID_C	4103
#define GID_G	5100	/* the group A creates group pools in, B is a member of */

#define NODE	"/tmp/mempool-access"
#define MAX_NAMES	8
#define LIST_ROOM	512

/* A with egid G; B in G by a supplementary group; B2 in G by its egid; C in neither. */
static const struct mp_cred cred_a = { .uid = UID_A, .gid = GID_G };
static const struct mp_cred cred_a_own = { .uid = UID_A, .gid = UID_A };
static const struct mp_cred cred_b = {
	.uid = UID_B, .gid = UID_B, .ngroups = 1, .groups = { GID_G },
};
static const struct mp_cred cred_b2 = { .uid = UID_B, .gid = GID_G };
static const struct mp_cred cred_c = {
	.uid = UID_C, .gid = UID_C, .ngroups = 1, .groups = { UID_C },
};
/* B's uid with A's own group as a supplementary one: means nothing for OWNER. */
static const struct mp_cred cred_b_in_a = {
	.uid = UID_B, .gid = UID_B, .ngroups = 2, .groups = { UID_A, GID_G },
};

FIXTURE(access) {
	long page;
	int root;
	char names[MAX_NAMES][MPOOL_POOL_NAME_MAX];
	int nr_names;
	unsigned long long max_user_bytes, max_bytes;
	bool params_saved;
};

static const char *new_name(FIXTURE_DATA(access) *self, const char *tag)
{
	if (self->nr_names == MAX_NAMES)
		abort();
	mp_name(self->names[self->nr_names], tag);
	return self->names[self->nr_names++];
}

/* Root removes @name, whoever made it (CAP_SYS_ADMIN). */
static void destroy_by_name(const char *name)
{
	struct mpool_pool_attach a;
	int fd = mp_open();

	if (fd < 0)
		return;
	if (!mp_attach(fd, name, &a))
		mp_destroy(fd, a.pool_id);
	close(fd);
}

FIXTURE_SETUP(access)
{
	struct mpool_info info;

	self->root = -1;
	MP_SKIP_WITHOUT_DEVICE();
	if (geteuid())
		SKIP(return, "needs root to open the device as other users");
	self->page = mp_page();
	self->root = mp_open();
	ASSERT_LE(0, self->root);
	ASSERT_EQ(0, mp_info(self->root, &info));
	if (!(info.features & MPOOL_FEAT_ACCESS))
		SKIP(return, "module without MPOOL_FEAT_ACCESS");
	ASSERT_EQ(0, mp_make_node(NODE));
	self->max_user_bytes = mp_param_get("max_user_bytes");
	self->max_bytes = mp_param_get("max_bytes");
	self->params_saved = true;
}

/*
 * In the parent, with the fixture shared: it runs even when an assertion
 * ended the test (the harness of 6.12 skips an in-child teardown then), so
 * the module parameters are always put back. The test's descriptors are
 * the child's and went with it.
 */
FIXTURE_TEARDOWN_PARENT(access)
{
	int i;

	for (i = 0; i < self->nr_names; i++)
		destroy_by_name(self->names[i]);
	if (self->params_saved) {
		mp_param_set("max_user_bytes", self->max_user_bytes);
		mp_param_set("max_bytes", self->max_bytes);
	}
	unlink(NODE);
}

/* A session of @c (open and every later call as @c): fd or -errno. */
static int session(const struct mp_cred *c, int flags)
{
	return mp_open_as(NODE, c, flags);
}

/* Run one ioctl on @fd as @c. */
static int ioctl_as(const struct mp_cred *c, int fd, unsigned long cmd, void *arg)
{
	int ret = mp_cred_take(c);

	if (!ret)
		ret = mp_ioctl(fd, cmd, arg);
	mp_cred_root();
	return ret;
}

/* Create as @c in @fd: 0 or -errno. */
static int create_as(const struct mp_cred *c, int fd, const char *name, __u32 count,
		     __u32 max, __u32 access, struct mpool_pool_create *out)
{
	struct mpool_pool_create cr = {
		.engine = MPOOL_ENG_RING, .buf_size = mp_page(), .buf_count = count,
		.max_buf_count = max, .access = access,
	};
	int ret;

	memcpy(cr.name, name, strnlen(name, sizeof(cr.name)));
	ret = ioctl_as(c, fd, MPOOL_IOC_POOL_CREATE, &cr);
	if (out)
		*out = cr;
	return ret;
}

/* Attach as @c in @fd: 0 or -errno; @out may be NULL. */
static int attach_as(const struct mp_cred *c, int fd, const char *name,
		     struct mpool_pool_attach *out)
{
	struct mpool_pool_attach a = {};
	int ret;

	memcpy(a.name, name, strnlen(name, sizeof(a.name)));
	ret = ioctl_as(c, fd, MPOOL_IOC_POOL_ATTACH, &a);
	if (out)
		*out = a;
	return ret;
}

/* Attach as @c in a session of its own, which is then closed. */
static int try_attach(const struct mp_cred *c, const char *name)
{
	int fd = session(c, O_RDWR), ret;

	if (fd < 0)
		return fd;
	ret = attach_as(c, fd, name, NULL);
	close(fd);
	return ret;
}

static int config_as(const struct mp_cred *c, int fd, __u32 pool_id, __u32 flags,
		     struct mpool_pool_config *cfg)
{
	cfg->pool_id = pool_id;
	cfg->flags = flags;
	return ioctl_as(c, fd, MPOOL_IOC_POOL_CONFIG, cfg);
}

static int stats_as(const struct mp_cred *c, int fd, __u32 pool_id, struct mpool_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->pool_id = pool_id;
	return ioctl_as(c, fd, MPOOL_IOC_POOL_STATS, st);
}

static int list_as(const struct mp_cred *c, int fd, struct mpool_pool_entry *e,
		   struct mpool_pool_list *l)
{
	memset(l, 0, sizeof(*l));
	l->entry_size = sizeof(*e);
	l->entries = (__u64)(unsigned long)e;
	l->count = LIST_ROOM;
	return ioctl_as(c, fd, MPOOL_IOC_POOL_LIST, l);
}

TEST_F(access, owner_only_is_the_default)
{
	const char *name = new_name(self, "aown");
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	struct mpool_pool_attach at;
	int a, a2;
	__u32 id;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 0, MPOOL_ACCESS_OWNER, &c));
	ASSERT_EQ(0, stats_as(&cred_a, a, c.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_OWNER, st.access);
	ASSERT_EQ(UID_A, st.owner_uid);

	/* Another user: refused, even one in the creator's groups. */
	ASSERT_EQ(-EACCES, try_attach(&cred_b, name));
	ASSERT_EQ(-EACCES, try_attach(&cred_b2, name));
	ASSERT_EQ(-EACCES, try_attach(&cred_b_in_a, name));
	ASSERT_EQ(-EACCES, try_attach(&cred_c, name));
	/* The creator's other sessions, whatever its gid now. */
	ASSERT_EQ(0, try_attach(&cred_a, name));
	ASSERT_EQ(0, try_attach(&cred_a_own, name));
	/* Root (CAP_SYS_ADMIN), and it can lease. */
	ASSERT_EQ(0, mp_attach(self->root, name, &at));
	ASSERT_EQ(0, mp_lease(self->root, at.pool_id, &id, 1));
	ASSERT_EQ(0, mp_release(self->root, at.pool_id, &id, 1));
	/* A refusal does not attach: a later attach of that session is not EEXIST. */
	a2 = session(&cred_c, O_RDWR);
	ASSERT_LE(0, a2);
	ASSERT_EQ(-EACCES, attach_as(&cred_c, a2, name, NULL));
	ASSERT_EQ(-EACCES, attach_as(&cred_c, a2, name, NULL));
	close(a2);
	/* An unknown name is still ENOENT, not EACCES. */
	ASSERT_EQ(-ENOENT, try_attach(&cred_c, "no-such-pool-at-all"));
	close(a);
}

TEST_F(access, group_pool_admits_the_creators_group)
{
	const char *name = new_name(self, "agrp");
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	struct mpool_lease l = { .count = 1 };
	int a, b;
	__u32 id;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 0, MPOOL_ACCESS_GROUP, &c));
	ASSERT_EQ(0, stats_as(&cred_a, a, c.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_GROUP, st.access);
	ASSERT_EQ(GID_G, st.owner_gid);

	/* B is in G by a supplementary group, B2 by its egid: both in. */
	b = session(&cred_b, O_RDWR);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, attach_as(&cred_b, b, name, &at));
	l.pool_id = at.pool_id;
	l.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(0, ioctl_as(&cred_b, b, MPOOL_IOC_LEASE, &l));
	ASSERT_EQ(0, stats_as(&cred_b, b, at.pool_id, &st));
	ASSERT_EQ(1, st.nr_mine);
	ASSERT_EQ(0, try_attach(&cred_b2, name));
	/* C is not in G; neither is B's uid with A's own gid only. */
	ASSERT_EQ(-EACCES, try_attach(&cred_c, name));
	ASSERT_EQ(0, try_attach(&cred_a, name));
	ASSERT_EQ(0, mp_attach(self->root, name, NULL));
	close(b);
	close(a);
}

/*
 * The group is the creator's egid when it created the pool, not its uid's
 * own group: a pool A creates with egid A is not open to G's members.
 */
TEST_F(access, group_is_the_creators_egid)
{
	const char *name = new_name(self, "aegid");
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	int a;

	a = session(&cred_a_own, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a_own, a, name, 1, 0, MPOOL_ACCESS_GROUP, &c));
	ASSERT_EQ(0, stats_as(&cred_a_own, a, c.pool_id, &st));
	ASSERT_EQ(UID_A, st.owner_gid);
	ASSERT_EQ(-EACCES, try_attach(&cred_b, name));
	ASSERT_EQ(-EACCES, try_attach(&cred_b2, name));
	ASSERT_EQ(0, try_attach(&cred_b_in_a, name));
	close(a);
}

TEST_F(access, all_pool_admits_anyone)
{
	const char *name = new_name(self, "aall");
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_lease l = { .count = 1 };
	int a, cfd;
	__u32 id;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 0, MPOOL_ACCESS_ALL, &c));
	cfd = session(&cred_c, O_RDWR);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, attach_as(&cred_c, cfd, name, &at));
	l.pool_id = at.pool_id;
	l.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(0, ioctl_as(&cred_c, cfd, MPOOL_IOC_LEASE, &l));
	ASSERT_EQ(0, try_attach(&cred_b, name));
	/* Still only the owner or root destroys it. */
	ASSERT_EQ(-EPERM, ioctl_as(&cred_c, cfd, MPOOL_IOC_POOL_DESTROY,
				   &(struct mpool_pool_destroy){ .pool_id = at.pool_id }));
	close(cfd);
	close(a);
}

TEST_F(access, list_shows_only_what_the_caller_may_attach_to)
{
	const char *own = new_name(self, "lown"), *grp = new_name(self, "lgrp");
	const char *all = new_name(self, "lall");
	static struct mpool_pool_entry e[LIST_ROOM];
	const struct mp_cred *who[] = { &cred_a, &cred_b, &cred_c };
	/* What each of A, B, C should see of own, grp, all. */
	const bool sees[3][3] = { { 1, 1, 1 }, { 0, 1, 1 }, { 0, 0, 1 } };
	const char *names[3] = { own, grp, all };
	const __u32 modes[3] = { MPOOL_ACCESS_OWNER, MPOOL_ACCESS_GROUP, MPOOL_ACCESS_ALL };
	const struct mpool_pool_entry *p;
	struct mpool_pool_list l;
	int a, fd, i, j;
	__u32 k;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	for (j = 0; j < 3; j++)
		ASSERT_EQ(0, create_as(&cred_a, a, names[j], 1 + j, 0, modes[j], NULL));

	for (i = 0; i < 3; i++) {
		fd = session(who[i], O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, list_as(who[i], fd, e, &l));
		ASSERT_GT(LIST_ROOM, l.total);
		/* total counts what the caller may see: all of it fit. */
		ASSERT_EQ(l.total, l.count);
		for (j = 0; j < 3; j++) {
			p = mp_list_find(e, l.count, names[j]);
			ASSERT_EQ(sees[i][j], p != NULL) TH_LOG("uid %u, pool %s", who[i]->uid,
								 names[j]);
			if (!p)
				continue;
			ASSERT_EQ(modes[j], p->access);
			ASSERT_EQ(UID_A, p->owner_uid);
			ASSERT_EQ(1 + j, p->buf_count);
		}
		/* Whatever it lists, it may attach to (the names this test made). */
		for (k = 0; k < l.count; k++) {
			for (j = 0; j < 3; j++) {
				if (!strncmp(e[k].name, names[j], MPOOL_POOL_NAME_MAX))
					ASSERT_EQ(0, try_attach(who[i], names[j]));
			}
		}
		close(fd);
	}
	/* Root sees all three. */
	ASSERT_EQ(0, mp_list(self->root, e, LIST_ROOM, &l));
	ASSERT_EQ(l.total, l.count);
	for (j = 0; j < 3; j++)
		ASSERT_NE(NULL, mp_list_find(e, l.count, names[j]));
	close(a);
}

TEST_F(access, only_the_owner_or_root_changes_a_pool)
{
	const char *name = new_name(self, "acfg");
	const __u32 flags[] = {
		MPOOL_CONFIG_F_ACCESS, MPOOL_CONFIG_F_RESIZE, MPOOL_CONFIG_F_DRAIN,
		MPOOL_CONFIG_F_THRESHOLDS,
	};
	struct mpool_pool_config cfg;
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	int a, b, bro, aro;
	size_t i;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 4, MPOOL_ACCESS_ALL, &c));
	b = session(&cred_b, O_RDWR);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, attach_as(&cred_b, b, name, &at));

	/* B may read the settings, not change them. */
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, config_as(&cred_b, b, at.pool_id, 0, &cfg));
	ASSERT_EQ(MPOOL_ACCESS_ALL, cfg.access);
	ASSERT_EQ(2, cfg.buf_count);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.access = MPOOL_ACCESS_OWNER;
		cfg.buf_count = 3;
		cfg.low_watermark = 1;
		ASSERT_EQ(-EPERM, config_as(&cred_b, b, at.pool_id, flags[i], &cfg))
			TH_LOG("flags %#x", flags[i]);
	}
	ASSERT_EQ(0, stats_as(&cred_b, b, at.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_ALL, st.access);
	ASSERT_EQ(2, st.buf_count);
	ASSERT_EQ(0, st.low_watermark);

	/* On a read-only descriptor: reading works, a change is EBADF even for A. */
	bro = session(&cred_b, O_RDONLY);
	ASSERT_LE(0, bro);
	ASSERT_EQ(0, attach_as(&cred_b, bro, name, &at));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, config_as(&cred_b, bro, at.pool_id, 0, &cfg));
	ASSERT_EQ(2, cfg.buf_count);
	aro = session(&cred_a, O_RDONLY);
	ASSERT_LE(0, aro);
	ASSERT_EQ(0, attach_as(&cred_a, aro, name, &at));
	memset(&cfg, 0, sizeof(cfg));
	cfg.access = MPOOL_ACCESS_OWNER;
	ASSERT_EQ(-EBADF, config_as(&cred_a, aro, at.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));

	/* The owner, from any session of its own; and root. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.access = MPOOL_ACCESS_GROUP;
	ASSERT_EQ(0, config_as(&cred_a, a, c.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	ASSERT_EQ(MPOOL_ACCESS_GROUP, cfg.access);
	ASSERT_EQ(0, mp_attach(self->root, name, &at));
	ASSERT_EQ(0, mp_set_access(self->root, at.pool_id, MPOOL_ACCESS_OWNER));
	ASSERT_EQ(0, stats_as(&cred_a, a, c.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_OWNER, st.access);
	ASSERT_EQ(0, mp_resize(self->root, at.pool_id, 4, NULL));
	ASSERT_EQ(0, stats_as(&cred_a, a, c.pool_id, &st));
	ASSERT_EQ(4, st.buf_count);
	close(aro);
	close(bro);
	close(b);
	close(a);
}

TEST_F(access, a_new_mode_applies_to_new_attaches)
{
	const char *name = new_name(self, "achg");
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	struct mpool_pool_config cfg = {};
	int a, cfd;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 0, MPOOL_ACCESS_OWNER, &c));
	ASSERT_EQ(-EACCES, try_attach(&cred_c, name));

	cfg.access = MPOOL_ACCESS_ALL;
	ASSERT_EQ(0, config_as(&cred_a, a, c.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	ASSERT_EQ(MPOOL_ACCESS_ALL, cfg.access);
	cfd = session(&cred_c, O_RDWR);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, attach_as(&cred_c, cfd, name, &at));

	cfg.access = MPOOL_ACCESS_GROUP;
	ASSERT_EQ(0, config_as(&cred_a, a, c.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	ASSERT_EQ(-EACCES, try_attach(&cred_c, name));
	ASSERT_EQ(0, try_attach(&cred_b, name));
	/* C's attachment from before stays. */
	ASSERT_EQ(0, stats_as(&cred_c, cfd, at.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_GROUP, st.access);

	cfg.access = MPOOL_ACCESS_OWNER;
	ASSERT_EQ(0, config_as(&cred_a, a, c.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	ASSERT_EQ(-EACCES, try_attach(&cred_b, name));
	ASSERT_EQ(0, try_attach(&cred_a, name));

	/* Out of range: refused, the mode stays. */
	cfg.access = MPOOL_ACCESS_ALL + 1;
	ASSERT_EQ(-EINVAL, config_as(&cred_a, a, c.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	ASSERT_EQ(0, stats_as(&cred_a, a, c.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_OWNER, st.access);
	close(cfd);
	close(a);
}

TEST_F(access, create_refuses_an_unknown_mode)
{
	const char *name = new_name(self, "abad");

	ASSERT_EQ(-EINVAL, mp_create_cfg(self->root, name, MPOOL_ENG_RING, self->page, 1, 0,
					 MPOOL_ACCESS_ALL + 1, false, NULL));
	ASSERT_EQ(-EINVAL, mp_create_cfg(self->root, name, MPOOL_ENG_RING, self->page, 1, 0,
					 0x80000000u, false, NULL));
	ASSERT_EQ(-ENOENT, mp_attach(self->root, name, NULL));
}

/* A user with no privilege at all, on a read-only descriptor. */
TEST_F(access, a_plain_user_lists_attaches_and_reads_stats)
{
	const char *name = new_name(self, "aplain");
	static struct mpool_pool_entry e[LIST_ROOM];
	const struct mpool_pool_entry *p;
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	struct mpool_pool_config cfg = {};
	struct mpool_pool_list l;
	struct mpool_info info = {};
	struct mpool_lease ls = { .count = 1 };
	int a, ro, efd;
	__u32 id;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 3, 5, MPOOL_ACCESS_ALL, &c));
	ls.pool_id = c.pool_id;
	ls.ids = (__u64)(unsigned long)&id;
	ASSERT_EQ(0, ioctl_as(&cred_a, a, MPOOL_IOC_LEASE, &ls));

	ro = session(&cred_c, O_RDONLY);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, ioctl_as(&cred_c, ro, MPOOL_IOC_INFO, &info));
	ASSERT_TRUE(info.features & MPOOL_FEAT_LIST);
	ASSERT_TRUE(info.features & MPOOL_FEAT_FULL_STATS);
	ASSERT_TRUE(info.features & MPOOL_FEAT_CONFIG);
	ASSERT_TRUE(info.features & MPOOL_FEAT_EVENTS);

	ASSERT_EQ(0, list_as(&cred_c, ro, e, &l));
	p = mp_list_find(e, l.count, name);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(3, p->buf_count);
	ASSERT_EQ(2, p->nr_free);
	ASSERT_EQ(MPOOL_ACCESS_ALL, p->access);

	ASSERT_EQ(0, attach_as(&cred_c, ro, name, &at));
	ASSERT_EQ(3, at.buf_count);
	ASSERT_EQ(5 * self->page, at.mmap_len);
	ASSERT_EQ(0, stats_as(&cred_c, ro, at.pool_id, &st));
	ASSERT_EQ(3, st.buf_count);
	ASSERT_EQ(5, st.max_buf_count);
	ASSERT_EQ(2, st.nr_free);
	ASSERT_EQ(1, st.nr_leased);
	ASSERT_EQ(0, st.nr_mine);
	ASSERT_EQ(1, st.leases);
	ASSERT_EQ(UID_A, st.owner_uid);
	ASSERT_EQ(MPOOL_ACCESS_ALL, st.access);
	ASSERT_EQ(3 * self->page, st.bytes_reserved);
	ASSERT_EQ(0, config_as(&cred_c, ro, at.pool_id, 0, &cfg));
	ASSERT_EQ(3, cfg.buf_count);
	/* An event descriptor on a read-only session. */
	ASSERT_EQ(0, mp_cred_take(&cred_c));
	efd = mp_events(ro, at.pool_id);
	mp_cred_root();
	ASSERT_LE(0, efd);
	close(efd);
	/* And no lease there. */
	ls.pool_id = at.pool_id;
	ASSERT_EQ(-EBADF, ioctl_as(&cred_c, ro, MPOOL_IOC_LEASE, &ls));
	close(ro);
	close(a);
}

/*
 * Users and groups are those of whoever opened the descriptor: a session C
 * opened stays C's when root uses it, and one root opened stays root's.
 */
TEST_F(access, judged_by_who_opened_the_descriptor)
{
	const char *name = new_name(self, "aopen");
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_config cfg = {};
	int a, cfd, bfd, rfd;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 1, 0, MPOOL_ACCESS_OWNER, &c));

	cfd = session(&cred_c, O_RDWR);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(-EACCES, mp_attach(cfd, name, NULL));	/* called by root */
	close(cfd);

	rfd = mp_open();
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, attach_as(&cred_c, rfd, name, &at));	/* opened by root */
	close(rfd);

	/* A change from B's session, made by root: EPERM (as POOL_DESTROY). */
	ASSERT_EQ(0, mp_set_access(a, c.pool_id, MPOOL_ACCESS_ALL));
	bfd = session(&cred_b, O_RDWR);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, attach_as(&cred_b, bfd, name, &at));
	cfg.access = MPOOL_ACCESS_OWNER;
	ASSERT_EQ(-EPERM, mp_config(bfd, at.pool_id, MPOOL_CONFIG_F_ACCESS, &cfg));
	close(bfd);
	close(a);
}

/* Growing is charged as creating is: max_user_bytes, then max_bytes. */
TEST_F(access, growth_is_charged_to_the_creator)
{
	const char *name = new_name(self, "acharge");
	struct mpool_pool_create c;
	struct mpool_pool_stats st;
	struct mpool_info info = {};
	__u32 now;
	int a;

	ASSERT_EQ(0, mp_param_set("max_user_bytes", 6 * self->page));
	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 16, MPOOL_ACCESS_OWNER, &c));
	ASSERT_EQ(0, mp_info(a, &info));
	ASSERT_EQ(2 * self->page, info.user_bytes);

	ASSERT_EQ(0, mp_cred_take(&cred_a));
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 6, &now));
	ASSERT_EQ(6, now);
	ASSERT_EQ(-EDQUOT, mp_resize(a, c.pool_id, 7, NULL));
	mp_cred_root();
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(6, st.buf_count);
	ASSERT_EQ(6, st.nr_free);
	ASSERT_EQ(6 * self->page, st.bytes_reserved);
	ASSERT_EQ(0, mp_info(a, &info));
	ASSERT_EQ(6 * self->page, info.user_bytes);

	/* Shrinking gives the charge back. */
	ASSERT_EQ(0, mp_cred_take(&cred_a));
	ASSERT_EQ(0, mp_drain(a, c.pool_id, NULL));
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 3, &now));
	mp_cred_root();
	ASSERT_EQ(3, now);
	ASSERT_EQ(0, mp_info(a, &info));
	ASSERT_EQ(3 * self->page, info.user_bytes);

	/* The global cap: no room for one more page. */
	ASSERT_EQ(0, mp_param_set("max_user_bytes", self->max_user_bytes));
	ASSERT_EQ(0, mp_info(self->root, &info));
	ASSERT_EQ(0, mp_param_set("max_bytes", info.bytes_used));
	ASSERT_EQ(0, mp_cred_take(&cred_a));
	ASSERT_EQ(-ENOSPC, mp_resize(a, c.pool_id, 4, NULL));
	mp_cred_root();
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(3, st.buf_count);
	ASSERT_EQ(0, mp_param_set("max_bytes", info.bytes_used + self->page));
	ASSERT_EQ(0, mp_cred_take(&cred_a));
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 4, &now));
	mp_cred_root();
	ASSERT_EQ(4, now);
	close(a);
}

/*
 * A caller built before max_buf_count and access: a 72-byte POOL_CREATE
 * works and makes an owner-only pool that cannot grow; nothing past its 72
 * bytes is read or written.
 */
TEST_F(access, first_version_create_is_owner_only_and_fixed)
{
	const char *name = new_name(self, "aver0"), *name2 = new_name(self, "aver1");
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, MPOOL_IOC_MAGIC,
				 _IOC_NR(MPOOL_IOC_POOL_CREATE), MPOOL_POOL_CREATE_SIZE_VER0);
	unsigned long stats0 = _IOC(_IOC_READ | _IOC_WRITE, MPOOL_IOC_MAGIC,
				    _IOC_NR(MPOOL_IOC_POOL_STATS), MPOOL_POOL_STATS_SIZE_VER0);
	struct {
		struct mpool_pool_create c;
		__u64 guard;
	} buf;
	struct {
		struct mpool_pool_stats st;
		__u64 guard;
	} sbuf;
	struct {
		struct mpool_pool_create c;
		__u64 future;
	} big = {};
	unsigned long bigcmd = _IOC(_IOC_READ | _IOC_WRITE, MPOOL_IOC_MAGIC,
				    _IOC_NR(MPOOL_IOC_POOL_CREATE), sizeof(big));
	struct mpool_pool_stats st;
	int a;

	ASSERT_EQ(72, MPOOL_POOL_CREATE_SIZE_VER0);
	ASSERT_EQ(MPOOL_POOL_CREATE_SIZE_VER0, offsetof(struct mpool_pool_create, max_buf_count));
	memset(&buf, 0xee, sizeof(buf));
	memset(&buf.c, 0, MPOOL_POOL_CREATE_SIZE_VER0);
	memcpy(buf.c.name, name, strlen(name));
	buf.c.engine = MPOOL_ENG_PERCPU;
	buf.c.buf_size = self->page;
	buf.c.buf_count = 3;
	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, ioctl_as(&cred_a, a, cmd, &buf.c));
	ASSERT_NE(0, buf.c.pool_id);
	ASSERT_EQ(3 * self->page, buf.c.mmap_len);
	ASSERT_EQ(0xeeeeeeeeu, buf.c.max_buf_count);
	ASSERT_EQ(0xeeeeeeeeu, buf.c.access);
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeull, buf.guard);

	ASSERT_EQ(0, stats_as(&cred_a, a, buf.c.pool_id, &st));
	ASSERT_EQ(MPOOL_ACCESS_OWNER, st.access);
	ASSERT_EQ(3, st.max_buf_count);
	ASSERT_EQ(3, st.buf_count);
	ASSERT_EQ(-EACCES, try_attach(&cred_b, name));
	ASSERT_EQ(0, mp_cred_take(&cred_a));
	ASSERT_EQ(-EINVAL, mp_resize(a, buf.c.pool_id, 4, NULL));
	mp_cred_root();

	/* POOL_STATS at its first size: the prefix, nothing after it. */
	memset(&sbuf, 0xee, sizeof(sbuf));
	memset(&sbuf.st, 0, MPOOL_POOL_STATS_SIZE_VER0);
	sbuf.st.pool_id = buf.c.pool_id;
	ASSERT_EQ(0, ioctl_as(&cred_a, a, stats0, &sbuf.st));
	ASSERT_EQ(3, sbuf.st.buf_count);
	ASSERT_EQ(3, sbuf.st.nr_free);
	ASSERT_EQ(MPOOL_ENG_PERCPU, sbuf.st.engine);
	ASSERT_EQ(0xeeeeeeeeu, sbuf.st.owner_uid);
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeull, sbuf.guard);

	/* A newer caller's longer struct with a non-zero tail: E2BIG. */
	memcpy(big.c.name, name2, strlen(name2));
	big.c.engine = MPOOL_ENG_RING;
	big.c.buf_size = self->page;
	big.c.buf_count = 1;
	big.future = 1;
	ASSERT_EQ(-E2BIG, mp_ioctl(self->root, bigcmd, &big));
	ASSERT_EQ(-ENOENT, mp_attach(self->root, name2, NULL));
	close(a);
}

/*
 * POOL_LIST with hostile arguments: no room, more room than pools, an
 * array in read-only memory, NULL, a kernel address, an entry size that
 * is no multiple of anything, sizes out of range. Nothing is written
 * where it should not be, and every reply says how many pools there are.
 */
TEST_F(access, list_with_hostile_arguments)
{
	const char *name = new_name(self, "alist");
	const size_t odd = sizeof(struct mpool_pool_entry) + 3;
	struct mpool_pool_entry *e;
	struct mpool_pool_list l;
	unsigned char *buf, *ro;
	__u32 total, i;
	bool found = false;
	int a;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 1, 0, MPOOL_ACCESS_ALL, NULL));
	memset(&l, 0, sizeof(l));
	l.entry_size = sizeof(*e);
	ASSERT_EQ(0, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));	/* count 0, NULL */
	ASSERT_EQ(0, l.count);
	ASSERT_LE(1, l.total);
	total = l.total;

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	l.count = 1;
	l.entries = (__u64)(unsigned long)ro;
	ASSERT_EQ(-EFAULT, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	ASSERT_TRUE(mp_all_zero(ro, 4096));
	l.entries = 0;
	ASSERT_EQ(-EFAULT, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	l.entries = 0xffff888000000000ULL;
	ASSERT_EQ(-EFAULT, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	l.entries = ~0ULL - 8;
	ASSERT_EQ(-EFAULT, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	ASSERT_EQ(0, munmap(ro, 4096));

	l.entry_size = sizeof(*e) - 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	l.entry_size = 4097;
	ASSERT_EQ(-E2BIG, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	l.entry_size = ~0u;
	ASSERT_EQ(-E2BIG, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	l.entry_size = sizeof(*e);
	l.flags = 1;
	ASSERT_EQ(-EINVAL, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));

	/* A huge count: only what exists is written, right behind each other. */
	buf = calloc(total + 8, odd);
	ASSERT_NE(NULL, buf);
	memset(buf, 0xee, (total + 8) * odd);
	memset(&l, 0, sizeof(l));
	l.entry_size = odd;
	l.entries = (__u64)(unsigned long)buf;
	l.count = ~0u;
	ASSERT_EQ(0, mp_ioctl(self->root, MPOOL_IOC_POOL_LIST, &l));
	ASSERT_EQ(total, l.total);
	ASSERT_EQ(total, l.count);
	for (i = 0; i < l.count; i++) {
		struct mpool_pool_entry ent;

		memcpy(&ent, buf + i * odd, sizeof(ent));
		EXPECT_EQ(0, buf[i * odd + odd - 1]);
		EXPECT_EQ(0, buf[i * odd + sizeof(ent)]);
		if (!strncmp(ent.name, name, MPOOL_POOL_NAME_MAX)) {
			found = true;
			EXPECT_EQ(UID_A, ent.owner_uid);
			EXPECT_EQ(MPOOL_ACCESS_ALL, ent.access);
		}
	}
	EXPECT_TRUE(found);
	EXPECT_EQ(0xee, buf[l.count * odd]);
	free(buf);
	close(a);
}

/*
 * What a descriptor may do is decided by who opened it, whoever calls:
 * C's descriptor in root's hands cannot change or destroy A's pool and
 * its leases are C's; root's descriptor in C's hands may do what root
 * may. A read-only descriptor of the owner changes nothing.
 */
TEST_F(access, powers_travel_with_the_descriptor)
{
	const char *name = new_name(self, "apow");
	struct mpool_pool_config cfg;
	struct mpool_pool_create c;
	struct mpool_pool_attach at;
	struct mpool_pool_stats st;
	struct mpool_info info;
	int a, aro, cfd, rfd;
	__u32 id, now, cpid;

	a = session(&cred_a, O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, create_as(&cred_a, a, name, 2, 8, MPOOL_ACCESS_ALL, &c));

	/* C's session, every call made by root. */
	cfd = session(&cred_c, O_RDWR);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, mp_attach(cfd, name, &at));
	cpid = at.pool_id;
	ASSERT_EQ(-EPERM, mp_resize(cfd, at.pool_id, 8, NULL));
	ASSERT_EQ(-EPERM, mp_set_access(cfd, at.pool_id, MPOOL_ACCESS_OWNER));
	ASSERT_EQ(-EPERM, mp_drain(cfd, at.pool_id, NULL));
	ASSERT_EQ(-EPERM, mp_thresholds(cfd, at.pool_id, 1, 0, 0, 1));
	ASSERT_EQ(-EPERM, mp_destroy(cfd, at.pool_id));
	ASSERT_EQ(0, mp_lease(cfd, at.pool_id, &id, 1));
	ASSERT_EQ(0, mp_info(cfd, &info));
	ASSERT_EQ(1, info.user_leases);		/* C's, not root's */
	ASSERT_EQ(0, mp_stats(cfd, at.pool_id, &st));
	ASSERT_EQ(2, st.buf_count);
	ASSERT_EQ(MPOOL_ACCESS_ALL, st.access);

	/* The owner's read-only descriptor: reads, changes nothing. */
	aro = session(&cred_a, O_RDONLY);
	ASSERT_LE(0, aro);
	ASSERT_EQ(0, attach_as(&cred_a, aro, name, &at));
	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, config_as(&cred_a, aro, at.pool_id, 0, &cfg));
	cfg.buf_count = 8;
	ASSERT_EQ(-EBADF, config_as(&cred_a, aro, at.pool_id, MPOOL_CONFIG_F_RESIZE, &cfg));
	ASSERT_EQ(-EBADF, config_as(&cred_a, aro, at.pool_id, MPOOL_CONFIG_F_DRAIN, &cfg));
	ASSERT_EQ(-EBADF, ioctl_as(&cred_a, aro, MPOOL_IOC_POOL_DESTROY,
				   &(struct mpool_pool_destroy){ .pool_id = at.pool_id }));
	ASSERT_EQ(-EBADF, ioctl_as(&cred_a, aro, MPOOL_IOC_LEASE,
				   &(struct mpool_lease){ .pool_id = at.pool_id, .count = 1,
							  .ids = (__u64)(unsigned long)&id }));
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(2, st.buf_count);
	ASSERT_EQ(1, st.nr_leased);
	ASSERT_EQ(MPOOL_STATE_DESTROYED & st.state, 0);

	/* Root's session, every call made by C: root's powers. */
	rfd = mp_open();
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, mp_set_access(a, c.pool_id, MPOOL_ACCESS_OWNER));
	ASSERT_EQ(0, attach_as(&cred_c, rfd, name, &at));
	memset(&cfg, 0, sizeof(cfg));
	cfg.buf_count = 8;
	ASSERT_EQ(0, config_as(&cred_c, rfd, at.pool_id, MPOOL_CONFIG_F_RESIZE, &cfg));
	ASSERT_EQ(8, cfg.buf_count);
	ASSERT_EQ(0, mp_stats(a, c.pool_id, &st));
	ASSERT_EQ(8, st.buf_count);
	/* Root's growth of A's pool is charged to A, the owner. */
	ASSERT_EQ(0, mp_info(a, &info));
	ASSERT_EQ(8 * self->page, info.user_bytes);
	ASSERT_EQ(0, mp_resize(a, c.pool_id, 2, &now));
	ASSERT_GE(now, 2);

	ASSERT_EQ(0, mp_release(cfd, cpid, &id, 1));
	ASSERT_EQ(0, mp_info(cfd, &info));
	ASSERT_EQ(0, info.user_leases);
	close(cfd);
	close(aro);
	close(rfd);
	close(a);
}

TEST_HARNESS_MAIN
