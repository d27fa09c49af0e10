// SPDX-License-Identifier: GPL-2.0
/*
 * Pool statistics as operators see them: the debugfs files under
 * /sys/kernel/debug/mempool/ parse and agree with the leases this test
 * just made, a file held open across a destroy reads -EIO and nothing
 * worse, the mempool trace events fire with the right fields, and
 * mempoolctl's "stats --json" and "watch --count" (which ask the kernel,
 * not debugfs) print the same counts. Needs root, debugfs, tracefs for the
 * trace test and mempoolctl in PATH for the last two; skips what is
 * missing.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sys/stat.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define DBG_DIR		"/sys/kernel/debug/mempool"
#define NBUF		8
#define BIG		65536

/* The whole of a (small, pseudo) file, NUL-terminated; NULL and errno set on failure. */
static char *slurp(const char *path)
{
	char *buf = malloc(BIG);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < BIG - 1 && (n = read(fd, buf + len, BIG - 1 - len)) > 0)
		len += n;
	if (n < 0) {
		int err = errno;

		close(fd);
		free(buf);
		errno = err;
		return NULL;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* "key value" file: the value of @key as a number; -1 if absent or unreadable. */
static long long kv(const char *dir, const char *file, const char *key)
{
	char path[256], *buf, *line, *next;
	size_t klen = strlen(key);
	long long val = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf = slurp(path);
	if (!buf)
		return -1;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			val = strtoll(line + klen + 1, NULL, 0);
			break;
		}
	}
	free(buf);
	return val;
}

/* The string value of @key, copied to @out; false if absent. */
static bool kv_str(const char *dir, const char *file, const char *key, char *out, size_t len)
{
	char path[256], *buf, *line, *next;
	size_t klen = strlen(key);
	bool found = false;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf = slurp(path);
	if (!buf)
		return false;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			snprintf(out, len, "%s", line + klen + 1);
			found = true;
			break;
		}
	}
	free(buf);
	return found;
}

FIXTURE(stats) {
	int fd;
	char name[MPOOL_POOL_NAME_MAX];
	char mname[64];		/* the mpool behind it: "u.<name>" */
	char dir[256];
	struct mpool_pool_create c;
	bool destroyed;
};

FIXTURE_VARIANT(stats) {
	__u32 engine;
};

FIXTURE_VARIANT_ADD(stats, percpu) { .engine = MPOOL_ENG_PERCPU };
FIXTURE_VARIANT_ADD(stats, ring) { .engine = MPOOL_ENG_RING };
FIXTURE_VARIANT_ADD(stats, lockfree) { .engine = MPOOL_ENG_LOCKFREE };

FIXTURE_SETUP(stats)
{
	struct stat st;

	MP_SKIP_WITHOUT_DEVICE();
	if (stat(DBG_DIR, &st))
		SKIP(return, "%s: %s (needs root and debugfs)", DBG_DIR, strerror(errno));
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	mp_name(self->name, "st");
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, mp_page(), NBUF,
			       &self->c));
	snprintf(self->mname, sizeof(self->mname), "u.%s", self->name);
	snprintf(self->dir, sizeof(self->dir), "%s/%s", DBG_DIR, self->mname);
	if (kv(self->dir, "stats", "stats_enabled") == 0)
		SKIP(return, "mempool.ko loaded with stats=0");
}

FIXTURE_TEARDOWN(stats)
{
	if (self->fd < 0)
		return;
	if (!self->destroyed)
		mp_destroy(self->fd, self->c.pool_id);
	close(self->fd);
}

static void expect_counts(struct __test_metadata *_metadata, const char *dir,
			  long long gets, long long puts)
{
	EXPECT_EQ(gets, kv(dir, "stats", "gets"));
	EXPECT_EQ(puts, kv(dir, "stats", "puts"));
	EXPECT_EQ(gets - puts, kv(dir, "stats", "in_use"));
	EXPECT_EQ(NBUF - (gets - puts), kv(dir, "stats", "idle"));
	EXPECT_EQ(NBUF, kv(dir, "stats", "capacity"));
	EXPECT_EQ(0, kv(dir, "stats", "misses"));
	EXPECT_EQ(0, kv(dir, "stats", "quarantined"));
}

/* The pool's line in the summary file, split into its seven columns. */
static int summary_line(const char *mname, char cols[7][64])
{
	char *buf = slurp(DBG_DIR "/pools"), *line, *next;
	int n = -1;

	if (!buf)
		return -1;
	line = strchr(buf, '\n');	/* past the header */
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

TEST_F(stats, files_match_operations)
{
	__u32 ids[NBUF];
	char s[64], cols[7][64];
	char *buf, *line, *next, path[300];
	long long gets = 0, puts = 0, hits = 0;
	int cpus = 0;

	/* A fresh pool: filled at creation, nothing handed out yet. */
	expect_counts(_metadata, self->dir, 0, 0);
	EXPECT_EQ(NBUF, kv(self->dir, "stats", "max_objs"));
	EXPECT_EQ(0, kv(self->dir, "stats", "high_water"));
	EXPECT_EQ(kv(self->dir, "stats", "arenas"), kv(self->dir, "stats", "grows"));
	EXPECT_LT(0, kv(self->dir, "stats", "grows"));

	ASSERT_TRUE(kv_str(self->dir, "config", "name", s, sizeof(s)));
	EXPECT_STREQ(self->mname, s);
	ASSERT_TRUE(kv_str(self->dir, "config", "engine", s, sizeof(s)));
	EXPECT_STREQ(mp_engine_name(variant->engine), s);
	EXPECT_EQ(mp_page(), kv(self->dir, "config", "obj_size"));
	EXPECT_EQ(NBUF, kv(self->dir, "config", "max_objs"));
	EXPECT_EQ(1, kv(self->dir, "config", "page_aligned"));
	EXPECT_EQ(0, kv(self->dir, "config", "low_watermark"));

	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
	expect_counts(_metadata, self->dir, 3, 0);
	/* A read samples: the mark is exactly the most ever out. */
	EXPECT_EQ(3, kv(self->dir, "stats", "high_water"));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	expect_counts(_metadata, self->dir, 3, 1);
	EXPECT_EQ(3, kv(self->dir, "stats", "high_water"));

	/* Per CPU: the columns add up to the totals. */
	snprintf(path, sizeof(path), "%s/percpu", self->dir);
	buf = slurp(path);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, strncmp(buf, "cpu ", 4));
	line = strchr(buf, '\n');
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		long long g, p, h, r, f, m;
		char cpu[16], cached[16];

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		ASSERT_EQ(8, sscanf(line, "%15s %15s %lld %lld %lld %lld %lld %lld", cpu,
				    cached, &g, &p, &h, &r, &f, &m)) TH_LOG("'%s'", line);
		if (variant->engine == MPOOL_ENG_PERCPU) {
			EXPECT_TRUE(isdigit(cached[0]));
		} else {
			EXPECT_STREQ("-", cached);
		}
		gets += g;
		puts += p;
		hits += h;
		cpus++;
	}
	free(buf);
	EXPECT_LE(sysconf(_SC_NPROCESSORS_ONLN), cpus);
	EXPECT_EQ(3, gets);
	EXPECT_EQ(1, puts);
	EXPECT_EQ(kv(self->dir, "stats", "hits"), hits);

	/* The summary: one aligned line per pool. */
	ASSERT_EQ(7, summary_line(self->mname, cols));
	EXPECT_STREQ(mp_engine_name(variant->engine), cols[1]);
	EXPECT_EQ(mp_page(), atoll(cols[2]));
	EXPECT_EQ(NBUF, atoll(cols[3]));
	EXPECT_EQ(2, atoll(cols[4]));
	EXPECT_EQ('%', cols[5][strlen(cols[5]) - 1]);
	EXPECT_EQ(0, atoll(cols[6]));

	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &ids[1], 2));
	expect_counts(_metadata, self->dir, 3, 3);

	/* The folder and the summary line go with the name. */
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	EXPECT_NE(0, access(self->dir, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, summary_line(self->mname, cols));
}

/* Nothing in the files looks like a kernel address. */
TEST_F(stats, no_kernel_addresses)
{
	static const char *const files[] = { "stats", "config", "percpu" };
	char path[300], *buf;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, files[i]);
		buf = slurp(path);
		ASSERT_NE(NULL, buf);
		EXPECT_EQ(NULL, strstr(buf, "ffff")) TH_LOG("%s: %s", files[i], buf);
		EXPECT_EQ(NULL, strstr(buf, "0x")) TH_LOG("%s: %s", files[i], buf);
		free(buf);
	}
}

/*
 * A stats file open while its pool is destroyed, with a buffer still out:
 * reads fail with EIO, the lease stays good, and closing the file (which
 * holds the pool) lets it go. The debug kernel's KASAN watches.
 */
TEST_F(stats, open_file_survives_destroy)
{
	char path[300], buf[4096];
	__u32 id;
	int sfd;

	snprintf(path, sizeof(path), "%s/stats", self->dir);
	sfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, sfd);
	ASSERT_LT(0, read(sfd, buf, sizeof(buf)));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, &id, 1));

	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	EXPECT_NE(0, access(self->dir, F_OK));
	/* debugfs refuses every operation on a removed file but release. */
	EXPECT_EQ(-1, lseek(sfd, 0, SEEK_SET));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &id, 1));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(0, close(sfd));
	/* A pool of the same name gets a fresh folder. */
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, mp_page(), NBUF,
			       &self->c));
	self->destroyed = false;
	EXPECT_EQ(0, kv(self->dir, "stats", "gets"));
}

/* Hooks the /dev/mempool code calls; skips until they are wired in. */
static bool hooks_wired(const char *dir)
{
	return kv(dir, "stats", "sessions") > 0 || kv(dir, "stats", "reserved_bytes") > 0;
}

TEST_F(stats, lease_counters)
{
	struct mpool_pool_attach a;
	__u32 ids[NBUF];
	int fd2;

	if (!hooks_wired(self->dir))
		SKIP(return, "mpool_stats_session/_reserved/_leased not called by /dev/mempool yet");
	EXPECT_EQ(1, kv(self->dir, "stats", "sessions"));
	EXPECT_EQ(NBUF * mp_page(), kv(self->dir, "stats", "reserved_bytes"));
	EXPECT_EQ(0, kv(self->dir, "stats", "leased"));

	fd2 = mp_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mp_attach(fd2, self->name, &a));
	EXPECT_EQ(2, kv(self->dir, "stats", "sessions"));
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
	ASSERT_EQ(0, mp_lease(fd2, a.pool_id, &ids[3], 2));
	EXPECT_EQ(5, kv(self->dir, "stats", "leased"));
	EXPECT_EQ(5, kv(self->dir, "stats", "leases"));
	EXPECT_LE(kv(self->dir, "stats", "leased"), kv(self->dir, "stats", "in_use"));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 1));
	EXPECT_EQ(4, kv(self->dir, "stats", "leased"));
	EXPECT_EQ(1, kv(self->dir, "stats", "releases"));

	/* A session's end returns its leases. */
	close(fd2);
	EXPECT_EQ(1, kv(self->dir, "stats", "sessions"));
	EXPECT_EQ(2, kv(self->dir, "stats", "leased"));
	EXPECT_EQ(kv(self->dir, "stats", "in_use"), kv(self->dir, "stats", "leased"));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, &ids[1], 2));
	EXPECT_EQ(0, kv(self->dir, "stats", "leased"));
	EXPECT_EQ(0, kv(self->dir, "stats", "in_use"));
}

/* ---- trace events ----------------------------------------------------- */

static const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, R_OK))
			return dirs[i];
	}
	return NULL;
}

static int write_str(const char *dir, const char *file, const char *val, int flags)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (*val && write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* The first line of @buf with " @event: " and name=@name, or NULL. */
static const char *find_event(const char *buf, const char *event, const char *name)
{
	char ev[64], nm[80];
	const char *p;

	snprintf(ev, sizeof(ev), " %s: ", event);
	snprintf(nm, sizeof(nm), "name=%s ", name);
	for (p = buf; (p = strstr(p, ev)); p++) {
		const char *eol = strchr(p, '\n'), *n = strstr(p, nm);

		if (n && (!eol || n < eol))
			return p;
	}
	return NULL;
}

/* Does the event line at @line carry " @field" (e.g. "capacity=8")? */
static bool has_field(const char *line, const char *field)
{
	const char *eol = strchr(line, '\n');
	char want[96];
	const char *f;

	snprintf(want, sizeof(want), " %s", field);
	f = strstr(line, want);
	if (!f || (eol && f > eol))
		return false;
	f += strlen(want);
	return *f == ' ' || *f == '\n' || !*f;
}

TEST_F(stats, trace_events_fire)
{
	const char *tr = tracefs();
	char path[256], field[64], *buf;
	const char *l;
	__u32 ids[2];
	bool wired;

	if (!tr)
		SKIP(return, "no tracefs");
	snprintf(path, sizeof(path), "%s/events/mempool/enable", tr);
	ASSERT_EQ(0, access(path, W_OK)) TH_LOG("mempool trace events missing in %s", tr);

	/* A pool made while the events are on, leased from, released, destroyed. */
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	ASSERT_EQ(0, write_str(tr, "tracing_on", "1", 0));
	ASSERT_EQ(0, write_str(tr, "trace", "", O_TRUNC));
	ASSERT_EQ(0, write_str(tr, "events/mempool/enable", "1", 0));
	mp_name(self->name, "tr");
	snprintf(self->mname, sizeof(self->mname), "u.%s", self->name);
	snprintf(self->dir, sizeof(self->dir), "%s/%s", DBG_DIR, self->mname);
	ASSERT_EQ(0, mp_create(self->fd, self->name, variant->engine, mp_page(), NBUF,
			       &self->c));
	wired = hooks_wired(self->dir);
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 2));
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 2));
	ASSERT_EQ(0, mp_destroy(self->fd, self->c.pool_id));
	self->destroyed = true;
	ASSERT_EQ(0, write_str(tr, "events/mempool/enable", "0", 0));

	snprintf(path, sizeof(path), "%s/trace", tr);
	buf = slurp(path);
	ASSERT_NE(NULL, buf);

	l = find_event(buf, "mpool_create", self->mname);
	ASSERT_NE(NULL, l) TH_LOG("no mpool_create in:\n%s", buf);
	snprintf(field, sizeof(field), "engine=%s", mp_engine_name(variant->engine));
	EXPECT_TRUE(has_field(l, field));
	snprintf(field, sizeof(field), "obj_size=%ld", mp_page());
	EXPECT_TRUE(has_field(l, field));
	EXPECT_TRUE(has_field(l, "max_objs=8"));
	EXPECT_TRUE(has_field(l, "low_watermark=0"));

	/* /dev/mempool fills its pools after creating them. */
	l = find_event(buf, "mpool_grow", self->mname);
	ASSERT_NE(NULL, l) TH_LOG("no mpool_grow in:\n%s", buf);
	EXPECT_TRUE(has_field(l, "old_capacity=0"));
	EXPECT_TRUE(has_field(l, "capacity=8"));
	EXPECT_TRUE(has_field(l, "on_demand=0"));

	l = find_event(buf, "mpool_destroy", self->mname);
	ASSERT_NE(NULL, l) TH_LOG("no mpool_destroy in:\n%s", buf);
	EXPECT_TRUE(has_field(l, "capacity=8"));
	EXPECT_TRUE(has_field(l, "in_use=0"));

	/* Nothing ran dry. */
	EXPECT_EQ(NULL, find_event(buf, "mpool_exhausted", self->mname));
	EXPECT_EQ(NULL, find_event(buf, "mpool_low_watermark", self->mname));

	if (wired) {
		l = find_event(buf, "mpool_lease", self->mname);
		ASSERT_NE(NULL, l) TH_LOG("no mpool_lease in:\n%s", buf);
		EXPECT_TRUE(has_field(l, "count=2"));
		EXPECT_TRUE(has_field(l, "leased=2"));
		l = find_event(buf, "mpool_release", self->mname);
		ASSERT_NE(NULL, l) TH_LOG("no mpool_release in:\n%s", buf);
		EXPECT_TRUE(has_field(l, "count=2"));
		EXPECT_TRUE(has_field(l, "leased=0"));
	} else {
		TH_LOG("lease hooks not wired yet: mpool_lease/mpool_release not checked");
	}
	/* No kernel pointers in any mempool event. */
	for (l = buf; (l = strstr(l, " mpool_")); l++) {
		const char *eol = strchr(l, '\n');
		const char *ff = strstr(l, "ffff");

		EXPECT_TRUE(!ff || (eol && ff > eol));
	}
	free(buf);
}

/* ---- mempoolctl --------------------------------------------------------- */

static bool have_mempoolctl(void)
{
	return !system("command -v mempoolctl >/dev/null 2>&1");
}

/* Output and exit status of a shell command. */
static char *run(const char *cmd, int *status)
{
	char *buf = malloc(BIG);
	size_t len = 0, n;
	FILE *f;

	if (!buf)
		return NULL;
	f = popen(cmd, "r");
	if (!f) {
		free(buf);
		return NULL;
	}
	while (len < BIG - 1 && (n = fread(buf + len, 1, BIG - 1 - len, f)) > 0)
		len += n;
	buf[len] = 0;
	*status = pclose(f);
	return buf;
}

/* A strict little JSON reader: returns the end of the value at @p, or NULL. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (!isxdigit(p[1]) || !isxdigit(p[2]) || !isxdigit(p[3]) ||
				    !isxdigit(p[4]))
					return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (!isdigit(*p))
		return NULL;
	if (*p == '0' && isdigit(p[1]))
		return NULL;
	while (isdigit(*p))
		p++;
	if (*p == '.') {
		if (!isdigit(*++p))
			return NULL;
		while (isdigit(*p))
			p++;
	}
	return p > s ? p : NULL;
}

static const char *json_seq(const char *p, char close, bool members)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (members) {
			p = json_string(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	switch (*p) {
	case '{':
		return json_seq(p, '}', true);
	case '[':
		return json_seq(p, ']', false);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json_number(p);
	}
}

/* "key":value inside [obj, end), value followed by ',' or '}'. */
static bool json_has(const char *obj, const char *end, const char *key, const char *val)
{
	char want[128];
	const char *p;
	size_t n;

	n = snprintf(want, sizeof(want), "\"%s\":%s", key, val);
	for (p = obj; (p = strstr(p, want)) && p < end; p++) {
		if (p + n < end && (p[n] == ',' || p[n] == '}'))
			return true;
	}
	return false;
}

TEST_F(stats, mempoolctl_stats_json)
{
	const char *obj, *end;
	char want[96];
	__u32 ids[3];
	char *out;
	int status;

	if (!have_mempoolctl())
		SKIP(return, "mempoolctl not in PATH");
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 3));
	out = run("mempoolctl stats --json", &status);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, status);
	end = json_value(out);
	ASSERT_NE(NULL, end) TH_LOG("not JSON:\n%s", out);
	EXPECT_EQ(0, *json_ws(end)) TH_LOG("trailing text:\n%s", out);

	/* Our pool's object, and its counters (POOL_STATS, not debugfs). */
	snprintf(want, sizeof(want), "{\"name\":\"%s\"", self->name);
	obj = strstr(out, want);
	ASSERT_NE(NULL, obj) TH_LOG("%s not in:\n%s", self->name, out);
	end = json_value(obj);
	ASSERT_NE(NULL, end);
	snprintf(want, sizeof(want), "\"%s\"", mp_engine_name(variant->engine));
	EXPECT_TRUE(json_has(obj, end, "engine", want));
	EXPECT_TRUE(json_has(obj, end, "nr_leased", "3"));
	EXPECT_TRUE(json_has(obj, end, "leases", "3"));
	EXPECT_TRUE(json_has(obj, end, "buf_count", "8"));
	EXPECT_TRUE(json_has(obj, end, "nr_free", "5"));
	EXPECT_TRUE(json_has(obj, end, "below_low_watermark", "false"));
	snprintf(want, sizeof(want), "%ld", mp_page());
	EXPECT_TRUE(json_has(obj, end, "buf_size", want));
	free(out);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 3));

	/* A pool that is not there: one line on stderr and a failure. */
	out = run("mempoolctl stats no-such-pool 2>&1", &status);
	ASSERT_NE(NULL, out);
	EXPECT_NE(0, status);
	EXPECT_NE(NULL, strstr(out, "no pool named"));
	EXPECT_EQ(strlen(out) - 1, (size_t)(strchr(out, '\n') - out));
	free(out);
}

TEST_F(stats, mempoolctl_watch_count)
{
	char *out, *line, *next, cols[8][64];
	int status, frames = 0, rows = 0;
	__u32 ids[2];

	if (!have_mempoolctl())
		SKIP(return, "mempoolctl not in PATH");
	ASSERT_EQ(0, mp_lease(self->fd, self->c.pool_id, ids, 2));
	out = run("mempoolctl watch --count 2 --interval 0.05", &status);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, status);
	for (line = out; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, "mempool watch: frame ", 21)) {
			EXPECT_EQ(++frames, atoi(line + 21));
			continue;
		}
		if (strncmp(line, self->name, strlen(self->name)) ||
		    line[strlen(self->name)] != ' ')
			continue;
		rows++;
		ASSERT_EQ(7, sscanf(line, "%63s %63s %63s %63s %63s %63s %63s", cols[0],
				    cols[1], cols[2], cols[3], cols[4], cols[5], cols[6]))
			TH_LOG("'%s'", line);
		EXPECT_STREQ(mp_engine_name(variant->engine), cols[1]);
		/* ops/s needs two frames; nothing happened between them. */
		EXPECT_STREQ(frames == 1 ? "-" : "0", cols[2]);
		/* 2 of 8 in use: 5 of the 20 marks. */
		EXPECT_STREQ("[#####...............]", cols[4]);
		EXPECT_EQ(2, atoi(cols[5]));
		EXPECT_EQ(NBUF, atoi(cols[6]));
		/* No low watermark, so never marked LOW. */
		EXPECT_EQ(NULL, strstr(line, "LOW"));
	}
	EXPECT_EQ(2, frames);
	EXPECT_EQ(2, rows);
	free(out);
	ASSERT_EQ(0, mp_release(self->fd, self->c.pool_id, ids, 2));
}

TEST_HARNESS_MAIN
