// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl stats and watch: the pools' statistics, once or live.
 *
 * Both ask the kernel only: MPOOL_IOC_POOL_LIST for the pools the caller
 * may see, then MPOOL_IOC_POOL_ATTACH by name and MPOOL_IOC_POOL_STATS on
 * a read-only session, so they work for any user who may open the device,
 * with no debugfs. The session is closed after each snapshot: an attachment
 * would keep a destroyed pool's memory alive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#define BAR_WIDTH	20

static const char stats_usage[] =
	"usage: mempoolctl stats [--json] [NAME...]\n"
	"\n"
	"The statistics of pools NAME (a missing one is an error), or of every pool\n"
	"you may attach to: engine, buffer size, buffers, free, leased,\n"
	"quarantined, exported as dma-bufs (the four add up to the buffers),\n"
	"high-water mark (most out at once), hit rate, engine misses,\n"
	"failed leases, and LOW while the free buffers are below the pool's low\n"
	"watermark. Asks the kernel (needs only read permission on the device).\n"
	"Kernel pools (mpool_create()) are in /sys/kernel/debug/mempool/pools.\n"
	"\n"
	"  -j, --json   everything the kernel reports, as JSON:\n"
	"               {\"pools\":[{\"name\", \"engine\", \"access\", \"lifetime\", \"hit_rate\",\n"
	"               \"below_low_watermark\", \"stats\":{...}}]}, \"stats\" with the\n"
	"               fields of struct mpool_pool_stats (nr_sessions without this tool)\n";

static const char watch_usage[] =
	"usage: mempoolctl watch [--count N] [--interval SECONDS] [--json] [NAME...]\n"
	"\n"
	"Refresh every second: per pool (NAMEs, or every pool you may attach to),\n"
	"leases + releases per second and the hit rate over the last interval, an\n"
	"occupancy bar (out / buffers), LOW while the free buffers are below the\n"
	"low watermark. Asks the kernel (needs only read permission on the device).\n"
	"\n"
	"  -n, --count N          stop after N refreshes\n"
	"  -i, --interval SECONDS between refreshes (default 1)\n"
	"  -j, --json             one object per refresh and line: {\"frame\", \"pools\":\n"
	"                         [{\"name\", \"engine\", \"ops_per_s\", \"hit_rate\",\n"
	"                         \"in_use\", \"capacity\", \"below_low_watermark\"}]}\n"
	"                         (rates null on the first frame)\n";

struct snapshot {
	struct mpool_pool_stats *pools;
	unsigned int n;
	double t;	/* CLOCK_MONOTONIC, seconds */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The stats of pool @name through session *@devp, into @st; 0, 1 (it is
 * gone: skip it) or -1 (failed, said why). A session holds at most
 * MPOOL_SESSION_POOLS_MAX pools: then it is swapped for a fresh one.
 */
static int pool_stats(const char *cmd, struct mpl_dev **devp, const char *name, bool named,
		      struct mpool_pool_stats *st)
{
	struct mpl_pool *pool;
	int err;

	err = mpl_pool_attach(*devp, name, &pool);
	if (err == -EDQUOT) {
		mpl_close(*devp);
		*devp = ctl_open_ro();
		if (!*devp)
			return -1;
		err = mpl_pool_attach(*devp, name, &pool);
	}
	/* Listed a moment ago but gone, or closed to us since: not an error. */
	if ((err == -ENOENT || err == -EACCES) && !named)
		return 1;
	if (err) {
		ctl_attach_err(name, err);
		return -1;
	}
	err = mpl_pool_stats(pool, st);
	if (err) {
		ctl_pool_err(cmd, name, err);
		return -1;
	}
	/* Ours is no session worth counting. */
	if (st->nr_sessions)
		st->nr_sessions--;
	return 0;
}

/*
 * The stats of @names, or of every pool the caller may see when there is
 * none. 0, or -1 (said why) if anything failed: what could be read is in
 * @s anyway.
 */
static int snapshot_take(const char *cmd, char **names, int nnames, struct snapshot *s)
{
	struct mpool_pool_entry *v = NULL;
	struct mpl_dev *dev;
	unsigned int i, n;
	int err, ret = 0;

	s->pools = NULL;
	s->n = 0;
	dev = ctl_open_ro();
	if (!dev)
		return -1;
	if (!nnames) {
		err = ctl_list_all(dev, &v, &n);
		if (err) {
			ctl_err("%s: %s", cmd, err == -ENOTTY ?
				"the loaded mempool.ko is too old to list pools" : mpl_strerror(err));
			mpl_close(dev);
			return -1;
		}
	} else {
		n = nnames;
	}
	s->pools = calloc(n ? n : 1, sizeof(*s->pools));
	if (!s->pools) {
		ctl_err("%s: out of memory", cmd);
		ret = -1;
		n = 0;
	}
	s->t = now_s();
	for (i = 0; i < n && dev; i++) {
		char name[MPOOL_POOL_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", MPOOL_POOL_NAME_MAX,
			 nnames ? names[i] : v[i].name);
		err = pool_stats(cmd, &dev, name, nnames, &s->pools[s->n]);
		if (err < 0)
			ret = -1;
		else if (!err)
			s->n++;
	}
	free(v);
	mpl_close(dev);
	return ret;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->pools);
	s->pools = NULL;
	s->n = 0;
}

static const struct mpool_pool_stats *snapshot_find(const struct snapshot *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		if (!strncmp(s->pools[i].name, name, MPOOL_POOL_NAME_MAX))
			return &s->pools[i];
	}
	return NULL;
}

/* Hits over every get asked for: buffers leased plus engine misses. < 0: none. */
static double hit_rate(uint64_t hits, uint64_t gets, uint64_t misses)
{
	uint64_t all = gets + misses;

	if (!all)
		return -1;
	if (hits > all)
		hits = all;
	return 100.0 * hits / all;
}

static double pool_hit_rate(const struct mpool_pool_stats *p)
{
	return hit_rate(p->hits, p->leases, p->misses);
}

static bool pool_low(const struct mpool_pool_stats *p)
{
	return p->low_watermark && p->nr_free < p->low_watermark;
}

/* Buffers out of the free list: leased or quarantined. */
static uint32_t pool_out(const struct mpool_pool_stats *p)
{
	return p->buf_count > p->nr_free ? p->buf_count - p->nr_free : 0;
}

static const char *fmt_rate(char *buf, size_t len, double rate)
{
	if (rate < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", rate);
	return buf;
}

/* ---- stats -------------------------------------------------------------- */

static void json_name(const char *key, const char *s)
{
	printf("\"%s\":\"", key);
	/* Pool names are [A-Za-z0-9._-]: nothing to escape. */
	printf("%.*s\"", MPOOL_POOL_NAME_MAX, s);
}

#define JSON_U(st, field) printf(",\"" #field "\":%llu", (unsigned long long)(st)->field)

static void json_stats(const struct mpool_pool_stats *p)
{
	unsigned int i;

	printf("{\"pool_id\":%u", p->pool_id);
	JSON_U(p, buf_size);
	JSON_U(p, buf_count);
	JSON_U(p, max_buf_count);
	JSON_U(p, engine);
	JSON_U(p, nr_free);
	JSON_U(p, nr_leased);
	JSON_U(p, nr_mine);
	JSON_U(p, nr_quarantined);
	JSON_U(p, nr_exported);
	JSON_U(p, nr_sessions);
	JSON_U(p, state);
	JSON_U(p, leases);
	JSON_U(p, releases);
	JSON_U(p, hits);
	JSON_U(p, misses);
	JSON_U(p, short_leases);
	JSON_U(p, failed_leases);
	JSON_U(p, timed_out_leases);
	JSON_U(p, hwm);
	JSON_U(p, bytes_reserved);
	JSON_U(p, mmap_len);
	JSON_U(p, owner_uid);
	JSON_U(p, owner_gid);
	JSON_U(p, create_flags);
	JSON_U(p, access);
	JSON_U(p, low_watermark);
	JSON_U(p, high_watermark);
	JSON_U(p, fail_permille);
	JSON_U(p, hysteresis);
	JSON_U(p, low_events);
	JSON_U(p, high_events);
	JSON_U(p, fail_events);
	JSON_U(p, exports);
	JSON_U(p, imports);
	JSON_U(p, pmd_maps);
	JSON_U(p, pte_misaligned);
	JSON_U(p, pte_disabled);
	JSON_U(p, pte_other);
	/* A kernel without MPOOL_FEAT_NUMA leaves nr_nodes 0. */
	if (p->nr_nodes) {
		printf(",\"node\":%d", p->node);
		JSON_U(p, nr_nodes);
		JSON_U(p, remote_releases);
		printf(",\"node_bytes\":[");
		for (i = 0; i < MPOOL_STATS_MAX_NODES && i < p->nr_nodes; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)p->node_bytes[i]);
		putchar(']');
	}
	putchar('}');
}

static void stats_json(const struct snapshot *s)
{
	unsigned int i;
	double rate;

	printf("{\"pools\":[");
	for (i = 0; i < s->n; i++) {
		const struct mpool_pool_stats *p = &s->pools[i];

		if (i)
			putchar(',');
		putchar('{');
		json_name("name", p->name);
		printf(",\"engine\":\"%s\"", mpl_engine_name(p->engine));
		printf(",\"access\":\"%s\"", mpl_access_name(p->access));
		printf(",\"lifetime\":\"%s\"",
		       p->create_flags & MPOOL_CREATE_F_SESSION ? "session" : "persistent");
		rate = pool_hit_rate(p);
		if (rate < 0)
			printf(",\"hit_rate\":null");
		else
			printf(",\"hit_rate\":%.2f", rate);
		printf(",\"below_low_watermark\":%s", pool_low(p) ? "true" : "false");
		printf(",\"stats\":");
		json_stats(p);
		putchar('}');
	}
	printf("]}\n");
}

static void stats_table(const struct snapshot *s)
{
	unsigned int i;
	char rate[16];

	printf("%-23s %-8s %9s %6s %6s %6s %6s %6s %6s %7s %9s %9s %s\n", "NAME", "ENGINE",
	       "BUF_SIZE", "COUNT", "FREE", "LEASED", "QUAR", "EXP", "HWM", "HIT", "MISSES",
	       "FAILED", "LOW");
	for (i = 0; i < s->n; i++) {
		const struct mpool_pool_stats *p = &s->pools[i];

		printf("%-23.*s %-8s %9llu %6u %6u %6u %6u %6u %6llu %7s %9llu %9llu %s\n",
		       MPOOL_POOL_NAME_MAX, p->name, mpl_engine_name(p->engine),
		       (unsigned long long)p->buf_size, p->buf_count, p->nr_free, p->nr_leased,
		       p->nr_quarantined, p->nr_exported, (unsigned long long)p->hwm,
		       fmt_rate(rate, sizeof(rate), pool_hit_rate(p)),
		       (unsigned long long)p->misses, (unsigned long long)p->failed_leases,
		       pool_low(p) ? "LOW" : "");
	}
}

/* NAMEs after the options: all valid, or a usage error. */
static int check_names(const char *cmd, int argc, char **argv)
{
	int i;

	for (i = optind; i < argc; i++) {
		if (!ctl_valid_name(argv[i]))
			return ctl_bad_usage(cmd, "'%s' is not a valid pool name", argv[i]);
	}
	return CTL_EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct snapshot s;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(stats_usage);
		return ctl_opt_error(argv[0], argv, c);
	}
	ret = check_names(argv[0], argc, argv);
	if (ret)
		return ret;
	ret = snapshot_take(argv[0], argv + optind, argc - optind, &s) ?
		CTL_EXIT_FAIL : CTL_EXIT_OK;
	/* Failed before any pool: the message said it all. */
	if (ret && !s.n) {
		snapshot_free(&s);
		return ret;
	}
	if (ctl_json)
		stats_json(&s);
	else
		stats_table(&s);
	snapshot_free(&s);
	return fflush(stdout) ? CTL_EXIT_FAIL : ret;
}

/* ---- watch -------------------------------------------------------------- */

static void occupancy_bar(char *buf, uint64_t used, uint64_t cap)
{
	int i, fill = cap ? (int)((used * BAR_WIDTH + cap - 1) / cap) : 0;

	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	buf[0] = '[';
	for (i = 0; i < BAR_WIDTH; i++)
		buf[1 + i] = i < fill ? '#' : '.';
	buf[1 + BAR_WIDTH] = ']';
	buf[2 + BAR_WIDTH] = 0;
}

/* ops/s and hit rate of @p over the interval since @q; < 0: no interval. */
static void interval_rates(const struct mpool_pool_stats *p, const struct mpool_pool_stats *q,
			   double dt, double *ops, double *rate)
{
	uint64_t dl, dr;

	*ops = -1;
	*rate = pool_hit_rate(p);
	if (!q || dt <= 0)
		return;
	dl = p->leases - q->leases;
	dr = p->releases - q->releases;
	*ops = (dl + dr) / dt;
	*rate = hit_rate(p->hits - q->hits, dl, p->misses - q->misses);
}

static void json_number(const char *key, double v, const char *fmt)
{
	printf(",\"%s\":", key);
	if (v < 0)
		printf("null");
	else
		printf(fmt, v);
}

static void watch_json(const struct snapshot *cur, const struct snapshot *prev,
		       unsigned int frame)
{
	double dt = prev ? cur->t - prev->t : 0, ops, rate;
	unsigned int i;

	printf("{\"frame\":%u,\"pools\":[", frame);
	for (i = 0; i < cur->n; i++) {
		const struct mpool_pool_stats *p = &cur->pools[i];

		interval_rates(p, prev ? snapshot_find(prev, p->name) : NULL, dt, &ops, &rate);
		printf("%s{", i ? "," : "");
		json_name("name", p->name);
		printf(",\"engine\":\"%s\"", mpl_engine_name(p->engine));
		json_number("ops_per_s", ops, "%.0f");
		json_number("hit_rate", rate, "%.2f");
		printf(",\"in_use\":%u,\"capacity\":%u,\"below_low_watermark\":%s}",
		       pool_out(p), p->buf_count, pool_low(p) ? "true" : "false");
	}
	printf("]}\n");
	fflush(stdout);
}

static void watch_frame(const struct snapshot *cur, const struct snapshot *prev,
			unsigned int frame, bool tty)
{
	char bar[BAR_WIDTH + 3], rate[16], ops[24];
	double dt = prev ? cur->t - prev->t : 0, o, r;
	unsigned int i;

	if (ctl_json) {
		watch_json(cur, prev, frame);
		return;
	}
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("mempool watch: frame %u, %u pools\n", frame, cur->n);
	printf("%-23s %-8s %10s %7s %-22s %9s %9s %s\n", "NAME", "ENGINE", "OPS/S",
	       "HIT", "OCCUPANCY", "IN_USE", "CAPACITY", "LOW");
	for (i = 0; i < cur->n; i++) {
		const struct mpool_pool_stats *p = &cur->pools[i];
		const struct mpool_pool_stats *q = prev ? snapshot_find(prev, p->name) : NULL;

		/* Over the last interval; the hit rate since creation on the first frame. */
		interval_rates(p, q, dt, &o, &r);
		if (o < 0)
			snprintf(ops, sizeof(ops), "-");
		else
			snprintf(ops, sizeof(ops), "%.0f", o);
		fmt_rate(rate, sizeof(rate), r);
		occupancy_bar(bar, pool_out(p), p->buf_count);
		printf("%-23.*s %-8s %10s %7s %-22s %9u %9u %s\n", MPOOL_POOL_NAME_MAX, p->name,
		       mpl_engine_name(p->engine), ops, rate, bar, pool_out(p), p->buf_count,
		       pool_low(p) ? "LOW" : "");
	}
	putchar('\n');
	fflush(stdout);
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct snapshot cur, prev = { 0 };
	bool tty = isatty(STDOUT_FILENO);
	uint32_t count = 0;	/* 0: until interrupted */
	double interval = 1.0;
	struct timespec ts;
	uint32_t frame;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:i:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return ctl_help(watch_usage);
		case 'n':
			if (!ctl_parse_u32("--count", optarg, 1, UINT32_MAX, &count))
				return CTL_EXIT_USAGE;
			break;
		case 'i':
			if (!ctl_parse_seconds("--interval", optarg, &interval))
				return CTL_EXIT_USAGE;
			if (interval <= 0)
				return ctl_bad_usage(argv[0], "--interval must be above 0");
			break;
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	ret = check_names(argv[0], argc, argv);
	if (ret)
		return ret;

	ts.tv_sec = (time_t)interval;
	ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
	for (frame = 1; !count || frame <= count; frame++) {
		/* A named pool that went away ends the watch. */
		if (snapshot_take(argv[0], argv + optind, argc - optind, &cur)) {
			snapshot_free(&cur);
			snapshot_free(&prev);
			return CTL_EXIT_FAIL;
		}
		watch_frame(&cur, frame > 1 ? &prev : NULL, frame, tty);
		snapshot_free(&prev);
		prev = cur;
		if (!count || frame < count)
			nanosleep(&ts, NULL);
	}
	snapshot_free(&prev);
	return CTL_EXIT_OK;
}
