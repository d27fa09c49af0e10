// SPDX-License-Identifier: GPL-2.0
/*
 * POOL_STATS and debugfs agree number for number (issue 12): after a
 * scripted sequence of leases, releases, failed and timed-out leases,
 * watermark crossings, a resize, a second session and a drain, every
 * counter both show is the same in the ioctl's reply and in
 * /sys/kernel/debug/mempool/u.<name>/stats (and the summary "pools" line),
 * and the ioctl's numbers are the ones the script implies. Needs root and
 * debugfs; skips without them.
 */
#define _GNU_SOURCE
#include "mempool_cfg.h"
#include "kselftest_harness.h"

#define NBUF	8
#define MAXBUF	12

FIXTURE(agree) {
	long page;
	int fd, fd2;
	char name[MPOOL_POOL_NAME_MAX];
	char dir[256];
	struct mpool_pool_create c;
	bool made;
};

FIXTURE_VARIANT(agree) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(agree, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(agree, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(agree, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(agree)
{
	struct mpool_info info;
	char path[300], *text;
	long long on;

	self->fd = self->fd2 = -1;
	MP_SKIP_WITHOUT_DEVICE();
	if (access(MP_DBG_DIR, F_OK))
		SKIP(return, "%s: %s (needs root and debugfs)", MP_DBG_DIR, strerror(errno));
	self->page = mp_page();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	if (!(info.features & MPOOL_FEAT_CONFIG) || !(info.features & MPOOL_FEAT_FULL_STATS))
		SKIP(return, "module without MPOOL_FEAT_CONFIG and MPOOL_FEAT_FULL_STATS");
	mp_name(self->name, "agree");
	ASSERT_EQ(0, mp_create_cfg(self->fd, self->name, variant->engine, self->page, NBUF,
				   MAXBUF, MPOOL_ACCESS_OWNER, true, &self->c));
	self->made = true;
	snprintf(self->dir, sizeof(self->dir), MP_DBG_DIR "/u.%s", self->name);
	snprintf(path, sizeof(path), "%s/stats", self->dir);
	text = mp_slurp(path);
	ASSERT_NE(NULL, text) TH_LOG("%s/stats: %s", self->dir, strerror(errno));
	if (mp_kv_in(text, "stats_enabled", &on) && !on) {
		free(text);
		SKIP(return, "mempool.ko loaded with stats=0");
	}
	free(text);
}

FIXTURE_TEARDOWN(agree)
{
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->made)
		mp_destroy(self->fd, self->c.pool_id);
	if (self->fd >= 0)
		close(self->fd);
}

/* One POOL_STATS field and the debugfs key that shows the same number. */
struct pair {
	const char *field;
	size_t off, size;
	const char *key;
	bool must;	/* debugfs has shown it since before issue 12 */
};

#define F(name, key, must) \
	{ #name, offsetof(struct mpool_pool_stats, name), \
	  sizeof(((struct mpool_pool_stats *)0)->name), key, must }

static const struct pair pairs[] = {
	F(leases, "leases", true),
	F(releases, "releases", true),
	F(nr_leased, "leased", true),
	F(hits, "hits", true),
	F(misses, "misses", true),
	F(hwm, "high_water", true),
	F(bytes_reserved, "reserved_bytes", true),
	F(buf_count, "capacity", true),
	F(nr_free, "idle", true),
	F(nr_quarantined, "quarantined", true),
	F(nr_sessions, "sessions", true),
	F(low_watermark, "low_watermark", true),
	F(low_events, "low_watermark_events", true),
	/* What the kernel side may add to debugfs with issue 12. */
	F(short_leases, "short_leases", false),
	F(failed_leases, "failed_leases", false),
	F(timed_out_leases, "timed_out_leases", false),
	F(high_watermark, "high_watermark", false),
	F(high_events, "high_watermark_events", false),
	F(high_events, "high_events", false),
	F(fail_permille, "fail_permille", false),
	F(fail_events, "fail_events", false),
	F(hysteresis, "hysteresis", false),
	F(max_buf_count, "max_buf_count", false),
};

static unsigned long long field(const struct mpool_pool_stats *st, const struct pair *p)
{
	const char *base = (const char *)st + p->off;

	if (p->size == 4)
		return *(const __u32 *)base;
	return *(const __u64 *)base;
}

/* The pool's line in the summary file, split into its seven columns; 7 if found. */
static int summary_line(const char *mname, char cols[7][64])
{
	char *buf = mp_slurp(MP_DBG_DIR "/pools"), *line, *next;
	int n = -1;

	if (!buf)
		return -1;
	line = strchr(buf, '\n');
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		n = sscanf(line, "%63s %63s %63s %63s %63s %63s %63s", cols[0], cols[1],
			   cols[2], cols[3], cols[4], cols[5], cols[6]);
		if (n == 7 && !strcmp(cols[0], mname))
			break;
		n = -1;
	}
	free(buf);
	return n;
}

TEST_F(agree, stats_ioctl_and_debugfs_agree_after_a_script)
{
	struct mpool_pool_stats st, st2;
	struct mpool_pool_attach at;
	__u32 ids[16], ids2[2], got, now;
	char path[300], mname[64], cols[7][64], *text;
	long long v;
	size_t i;
	int n = 0;

	/* The script: what the counters should then say is in the comments. */
	ASSERT_EQ(0, mp_thresholds(self->fd, self->c.pool_id, 3, 0, 500, 1));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 2));		/* 6 free */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids + 2, 4));		/* 2: low #1 */
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &got, 4));	/* failed #1 */
	ASSERT_EQ(-ETIMEDOUT, mp_lease_ex(self->fd, self->c.pool_id, ids + 6, 3,
					  MPOOL_LEASE_F_WAIT, 1000));		/* timed out */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids + 3, 3));	/* 5: re-armed */
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids + 3, 1));		/* 4 */
	ASSERT_EQ(0, mp_resize(self->fd, self->c.pool_id, MAXBUF, &now));	/* 8 of 12 */
	ASSERT_EQ(MAXBUF, now);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids + 4, 8));		/* 0: low #2 */
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));		/* samples hwm 12 */
	ASSERT_EQ(-EAGAIN, mp_lease(self->fd, self->c.pool_id, &got, 1));	/* failed #2 */
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids + 7, 5));	/* 5 */
	self->fd2 = mp_open();
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, mp_attach(self->fd2, self->name, &at));
	ASSERT_EQ(0, mp_lease(self->fd2, at.pool_id, ids2, 2));		/* 3 */
	ASSERT_EQ(0, mp_drain(self->fd, self->c.pool_id, NULL));

	/* The ioctl, twice: a quiet pool reads the same. */
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st));
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st2));
	ASSERT_EQ(0, memcmp(&st, &st2, sizeof(st)));
	EXPECT_EQ(MAXBUF, st.buf_count);
	EXPECT_EQ(3, st.nr_free);
	EXPECT_EQ(9, st.nr_leased);
	EXPECT_EQ(7, st.nr_mine);
	EXPECT_EQ(2, st.nr_sessions);
	EXPECT_EQ(17, st.leases);
	EXPECT_EQ(8, st.releases);
	EXPECT_EQ(2, st.failed_leases);
	EXPECT_EQ(1, st.timed_out_leases);
	EXPECT_LE(3, st.short_leases);
	EXPECT_EQ(2, st.low_events);
	EXPECT_EQ(MAXBUF, st.hwm);
	EXPECT_EQ(MAXBUF * self->page, st.bytes_reserved);
	EXPECT_EQ(3, st.low_watermark);
	EXPECT_EQ(500, st.fail_permille);
	EXPECT_EQ(1, st.hysteresis);

	/* Then debugfs, field by field. */
	snprintf(path, sizeof(path), "%s/stats", self->dir);
	text = mp_slurp(path);
	ASSERT_NE(NULL, text);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (!mp_kv_in(text, pairs[i].key, &v)) {
			EXPECT_FALSE(pairs[i].must) TH_LOG("debugfs has no %s", pairs[i].key);
			continue;
		}
		n++;
		EXPECT_EQ(field(&st, &pairs[i]), (unsigned long long)v)
			TH_LOG("POOL_STATS %s %llu, debugfs %s %lld", pairs[i].field,
			       field(&st, &pairs[i]), pairs[i].key, v);
	}
	TH_LOG("%d counters compared", n);
	if (mp_kv_in(text, "max_objs", &v))
		TH_LOG("debugfs max_objs %lld, POOL_STATS max_buf_count %u", v, st.max_buf_count);
	free(text);
	/* And nothing moved while debugfs was read. */
	ASSERT_EQ(0, mp_stats(self->fd, self->c.pool_id, &st2));
	ASSERT_EQ(0, memcmp(&st, &st2, sizeof(st)));

	/* The summary line: capacity, in use, misses. */
	snprintf(mname, sizeof(mname), "u.%s", self->name);
	ASSERT_EQ(7, summary_line(mname, cols));
	EXPECT_EQ(st.buf_count, strtoull(cols[3], NULL, 10));
	EXPECT_EQ(st.nr_leased + st.nr_quarantined, strtoull(cols[4], NULL, 10));
	EXPECT_EQ(st.misses, strtoull(cols[6], NULL, 10));

	ASSERT_EQ(0, mp_release(self->fd2, at.pool_id, ids2, 2));
}

TEST_HARNESS_MAIN
