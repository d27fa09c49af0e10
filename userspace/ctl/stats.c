// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl stats and watch: every pool's statistics, once or live.
 *
 * Both read the debugfs files of mempool.ko (see kmod/debugfs.c): one
 * folder per pool, named after it (user pool "foo" is "u.foo"), with
 * "stats" and "config" files of "key value" lines. Unlike list, they show
 * kernel pools too, and need no session. The environment variable
 * MEMPOOL_DEBUGFS names another folder of the same layout (for tests).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/mempool"
#define MAX_KEYS	64
#define KEY_LEN		32
#define VAL_LEN		64
#define NAME_LEN	64
#define BAR_WIDTH	20

static const char stats_usage[] =
	"usage: mempoolctl stats [--json]\n"
	"\n"
	"One line per pool, kernel pools included: engine, object size, capacity,\n"
	"objects in use and idle, high-water mark, hit rate, failed gets, buffers\n"
	"leased to userspace, LOW when idle objects are below the low watermark.\n"
	"Reads " DEBUGFS_DIR " (debugfs mounted; root).\n"
	"\n"
	"      --json   everything in each pool's stats and config files, as JSON:\n"
	"               {\"pools\":[{\"name\", \"engine\", \"hit_rate\", \"below_low_watermark\",\n"
	"               \"stats\":{...}, \"config\":{...}}]}\n";

static const char watch_usage[] =
	"usage: mempoolctl watch [--count N] [--interval SECONDS]\n"
	"\n"
	"Refresh every second: per pool, gets + puts per second and the hit rate\n"
	"over the last interval, an occupancy bar (in use / capacity), LOW when\n"
	"idle objects are below the low watermark. Reads " DEBUGFS_DIR "\n"
	"(debugfs mounted; root).\n"
	"\n"
	"  -n, --count N          stop after N refreshes\n"
	"  -i, --interval SECONDS between refreshes (default 1)\n";

/* One "key value" file. */
struct kv {
	int n;
	char key[MAX_KEYS][KEY_LEN];
	char val[MAX_KEYS][VAL_LEN];
};

struct pool {
	char name[NAME_LEN];
	struct kv stats;
	struct kv config;
};

struct snapshot {
	struct pool *pools;
	int n;
	double t;	/* CLOCK_MONOTONIC, seconds */
};

static const char *debugfs_dir(void)
{
	const char *dir = getenv("MEMPOOL_DEBUGFS");

	return dir && *dir ? dir : DEBUGFS_DIR;
}

static int kv_read(const char *dir, const char *pool, const char *file, struct kv *kv)
{
	char path[512], line[256], *sp, *nl;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, pool, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	kv->n = 0;
	while (kv->n < MAX_KEYS && fgets(line, sizeof(line), f)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		snprintf(kv->key[kv->n], KEY_LEN, "%.*s", KEY_LEN - 1, line);
		snprintf(kv->val[kv->n], VAL_LEN, "%.*s", VAL_LEN - 1, sp + 1);
		kv->n++;
	}
	/* A pool destroyed while we read: its files fail with EIO. */
	if (ferror(f))
		err = -EIO;
	fclose(f);
	return err;
}

static const char *kv_get(const struct kv *kv, const char *key)
{
	int i;

	for (i = 0; i < kv->n; i++) {
		if (!strcmp(kv->key[i], key))
			return kv->val[i];
	}
	return NULL;
}

static long long kv_num(const struct kv *kv, const char *key)
{
	const char *v = kv_get(kv, key);

	return v ? strtoll(v, NULL, 10) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_pool(const void *a, const void *b)
{
	return strcmp(((const struct pool *)a)->name, ((const struct pool *)b)->name);
}

/* Every pool folder; pools that vanish while we read are left out. */
static int snapshot_take(const char *cmd, struct snapshot *s)
{
	const char *dir = debugfs_dir();
	struct dirent *de;
	struct stat st;
	char path[512];
	int cap = 0;
	DIR *d;

	s->pools = NULL;
	s->n = 0;
	d = opendir(dir);
	if (!d) {
		ctl_err("%s: %s: %s (needs debugfs mounted, root, and mempool.ko loaded)",
			cmd, dir, strerror(errno));
		return -1;
	}
	s->t = now_s();
	while ((de = readdir(d))) {
		struct pool *p;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (s->n == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(s->pools, cap * sizeof(*p));
			if (!p) {
				closedir(d);
				ctl_err("%s: out of memory", cmd);
				return -1;
			}
			s->pools = p;
		}
		p = &s->pools[s->n];
		snprintf(p->name, sizeof(p->name), "%.*s", NAME_LEN - 1, de->d_name);
		if (kv_read(dir, p->name, "stats", &p->stats) ||
		    kv_read(dir, p->name, "config", &p->config))
			continue;
		s->n++;
	}
	closedir(d);
	qsort(s->pools, s->n, sizeof(*s->pools), cmp_pool);
	return 0;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->pools);
	s->pools = NULL;
	s->n = 0;
}

static const struct pool *snapshot_find(const struct snapshot *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->pools[i].name, name))
			return &s->pools[i];
	}
	return NULL;
}

/*
 * Hits over every get asked for: objects handed out plus gets that failed
 * (what kmod/debugfs.c's summary shows). < 0: no get.
 */
static double hit_rate(long long hits, long long gets, long long misses)
{
	long long all = gets + misses;

	if (all <= 0)
		return -1;
	if (hits > all)
		hits = all;
	return 100.0 * hits / all;
}

static double pool_hit_rate(const struct pool *p)
{
	if (!kv_num(&p->stats, "stats_enabled"))
		return -1;
	return hit_rate(kv_num(&p->stats, "hits"), kv_num(&p->stats, "gets"),
			kv_num(&p->stats, "misses"));
}

/* Below the low watermark now, or when the kernel last looked. */
static bool pool_low(const struct pool *p)
{
	long long wm = kv_num(&p->stats, "low_watermark");

	return kv_num(&p->stats, "below_low_watermark") ||
	       (wm && kv_num(&p->stats, "idle") < wm);
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

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* An integer stays a number; anything else becomes a string. */
static void json_val(const char *v)
{
	const char *p = v + (*v == '-');

	if (*p && strspn(p, "0123456789") == strlen(p) && (p[0] != '0' || !p[1]))
		fputs(v, stdout);
	else
		json_str(v);
}

static void json_kv(const struct kv *kv)
{
	int i;

	putchar('{');
	for (i = 0; i < kv->n; i++) {
		if (i)
			putchar(',');
		json_str(kv->key[i]);
		putchar(':');
		json_val(kv->val[i]);
	}
	putchar('}');
}

static void stats_json(const struct snapshot *s)
{
	double rate;
	int i;

	printf("{\"pools\":[");
	for (i = 0; i < s->n; i++) {
		const struct pool *p = &s->pools[i];

		if (i)
			putchar(',');
		printf("{\"name\":");
		json_str(p->name);
		printf(",\"engine\":");
		json_str(kv_get(&p->config, "engine") ?: "?");
		rate = pool_hit_rate(p);
		if (rate < 0)
			printf(",\"hit_rate\":null");
		else
			printf(",\"hit_rate\":%.2f", rate);
		printf(",\"below_low_watermark\":%s", pool_low(p) ? "true" : "false");
		printf(",\"stats\":");
		json_kv(&p->stats);
		printf(",\"config\":");
		json_kv(&p->config);
		putchar('}');
	}
	printf("]}\n");
}

static void stats_table(const struct snapshot *s)
{
	char rate[16];
	int i;

	printf("%-24s %-8s %9s %9s %9s %9s %9s %7s %9s %7s %s\n", "NAME", "ENGINE",
	       "OBJ_SIZE", "CAPACITY", "IN_USE", "IDLE", "HIGH", "HIT", "MISSES",
	       "LEASED", "LOW");
	for (i = 0; i < s->n; i++) {
		const struct pool *p = &s->pools[i];

		printf("%-24s %-8s %9lld %9lld %9lld %9lld %9lld %7s %9lld %7lld %s\n",
		       p->name, kv_get(&p->config, "engine") ?: "?",
		       kv_num(&p->config, "obj_size"), kv_num(&p->stats, "capacity"),
		       kv_num(&p->stats, "in_use"), kv_num(&p->stats, "idle"),
		       kv_num(&p->stats, "high_water"),
		       fmt_rate(rate, sizeof(rate), pool_hit_rate(p)),
		       kv_num(&p->stats, "misses"), kv_num(&p->stats, "leased"),
		       pool_low(p) ? "LOW" : "");
	}
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct snapshot s;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(stats_usage);
		if (c == 'j') {
			json = true;
			continue;
		}
		return ctl_opt_error(argv[0], argv, c);
	}
	if (optind < argc)
		return ctl_bad_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (snapshot_take(argv[0], &s))
		return CTL_EXIT_FAIL;
	if (json)
		stats_json(&s);
	else
		stats_table(&s);
	snapshot_free(&s);
	return fflush(stdout) ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

/* ---- watch -------------------------------------------------------------- */

static void occupancy_bar(char *buf, long long used, long long cap)
{
	int i, fill = cap > 0 ? (int)((used * BAR_WIDTH + cap - 1) / cap) : 0;

	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	buf[0] = '[';
	for (i = 0; i < BAR_WIDTH; i++)
		buf[1 + i] = i < fill ? '#' : '.';
	buf[1 + BAR_WIDTH] = ']';
	buf[2 + BAR_WIDTH] = 0;
}

static void watch_frame(const struct snapshot *cur, const struct snapshot *prev,
			int frame, bool tty)
{
	char bar[BAR_WIDTH + 3], rate[16], ops[24];
	int i;

	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("mempool watch: frame %d, %d pools\n", frame, cur->n);
	printf("%-24s %-8s %10s %7s %-22s %9s %9s %s\n", "NAME", "ENGINE", "OPS/S",
	       "HIT", "OCCUPANCY", "IN_USE", "CAPACITY", "LOW");
	for (i = 0; i < cur->n; i++) {
		const struct pool *p = &cur->pools[i];
		const struct pool *q = prev ? snapshot_find(prev, p->name) : NULL;
		long long used = kv_num(&p->stats, "in_use");
		long long cap = kv_num(&p->stats, "capacity");
		double dt = prev ? cur->t - prev->t : 0;

		/* Over the last interval; since creation on the first frame. */
		if (q && dt > 0) {
			long long dg = kv_num(&p->stats, "gets") - kv_num(&q->stats, "gets");
			long long dp = kv_num(&p->stats, "puts") - kv_num(&q->stats, "puts");
			long long dh = kv_num(&p->stats, "hits") - kv_num(&q->stats, "hits");
			long long dm = kv_num(&p->stats, "misses") - kv_num(&q->stats, "misses");

			snprintf(ops, sizeof(ops), "%.0f", (dg + dp) / dt);
			fmt_rate(rate, sizeof(rate), hit_rate(dh, dg, dm));
		} else {
			snprintf(ops, sizeof(ops), "-");
			fmt_rate(rate, sizeof(rate), pool_hit_rate(p));
		}
		occupancy_bar(bar, used, cap);
		printf("%-24s %-8s %10s %7s %-22s %9lld %9lld %s\n", p->name,
		       kv_get(&p->config, "engine") ?: "?", ops, rate, bar, used, cap,
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
	int c;

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
	if (optind < argc)
		return ctl_bad_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	ts.tv_sec = (time_t)interval;
	ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
	for (frame = 1; !count || frame <= count; frame++) {
		if (snapshot_take(argv[0], &cur)) {
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
