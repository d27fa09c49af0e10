// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl events: print a pool's threshold events as they come, from
 * the descriptor MPOOL_IOC_POOL_EVENTS gives. The descriptor holds nothing
 * of the pool, so the session that asked for it is closed at once: the
 * tool neither counts as an attached session nor keeps a destroyed pool's
 * memory alive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <unistd.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl events NAME [--json] [--count N]\n"
	"\n"
	"Print pool NAME's threshold events (see 'mempoolctl set') as they come,\n"
	"one line each, until interrupted, N events, or the pool is destroyed\n"
	"(its \"destroyed\" event is printed, then the command exits 0). The first\n"
	"line, printed once the tool is listening, gives the thresholds. Needs only\n"
	"read permission on the device and access to the pool.\n"
	"\n"
	"  -j, --json     one JSON object per line: first {\"pool\", \"thresholds\"},\n"
	"                 then each event's fields (struct mpool_event)\n"
	"  -n, --count N  exit after N events\n";

static void print_event(const struct mpool_event *e, bool json)
{
	if (json) {
		printf("{\"seq\":%llu,\"type\":\"%s\",\"threshold\":%u,\"value\":%u,"
		       "\"nr_free\":%u,\"buf_count\":%u,\"lost\":%u,\"leases\":%llu,"
		       "\"failed_leases\":%llu,\"time_ns\":%llu}\n",
		       (unsigned long long)e->seq, mpl_event_name(e->type), e->threshold,
		       e->value, e->nr_free, e->buf_count, e->lost,
		       (unsigned long long)e->leases, (unsigned long long)e->failed_leases,
		       (unsigned long long)e->time_ns);
		return;
	}
	printf("[%llu.%06llu] #%llu %s", (unsigned long long)(e->time_ns / 1000000000),
	       (unsigned long long)(e->time_ns % 1000000000 / 1000),
	       (unsigned long long)e->seq, mpl_event_name(e->type));
	switch (e->type) {
	case MPOOL_EVENT_LOW:
		printf(": %u free, below %u", e->value, e->threshold);
		break;
	case MPOOL_EVENT_HIGH:
		printf(": %u free, above %u", e->value, e->threshold);
		break;
	case MPOOL_EVENT_FAIL:
		printf(": %u per thousand of the last %d leases failed (threshold %u)",
		       e->value, MPOOL_FAIL_WINDOW, e->threshold);
		break;
	}
	printf(" (%u of %u buffers free, %llu leases, %llu failed", e->nr_free, e->buf_count,
	       (unsigned long long)e->leases, (unsigned long long)e->failed_leases);
	if (e->lost)
		printf(", %u events lost before this one", e->lost);
	printf(")\n");
}

static void print_start(const char *name, const struct mpool_pool_config *c, bool json)
{
	if (json)
		printf("{\"pool\":\"%s\",\"thresholds\":{\"low_watermark\":%u,"
		       "\"high_watermark\":%u,\"fail_permille\":%u,\"hysteresis\":%u}}\n",
		       name, c->low_watermark, c->high_watermark, c->fail_permille,
		       c->hysteresis);
	else
		printf("events of %s: low_watermark %u high_watermark %u fail_permille %u "
		       "hysteresis %u\n", name, c->low_watermark, c->high_watermark,
		       c->fail_permille, c->hysteresis);
	fflush(stdout);
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mpool_pool_config cfg = { 0 };
	struct mpool_event ev[16];
	uint32_t count = 0, seen = 0, want;
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	const char *name;
	bool json = ctl_json;
	int c, i, n, err, fd;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!ctl_parse_u32("--count", optarg, 1, UINT32_MAX, &count))
				return CTL_EXIT_USAGE;
			break;
		case 'h':
			return ctl_help(usage);
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	err = ctl_name_args(argc, argv, 0, NULL);
	if (err)
		return err;
	name = argv[optind];

	pool = ctl_open_pool(name, true, &dev);
	if (!pool)
		return CTL_EXIT_FAIL;
	err = mpl_pool_configure(pool, &cfg, sizeof(cfg));
	if (!err)
		err = mpl_pool_events(pool, &fd);
	mpl_close(dev);
	if (err) {
		ctl_pool_err(argv[0], name, err);
		return CTL_EXIT_FAIL;
	}
	print_start(name, &cfg, json);

	for (;;) {
		want = sizeof(ev) / sizeof(ev[0]);
		if (count && count - seen < want)
			want = count - seen;
		n = mpl_event_read(fd, ev, sizeof(ev[0]), want);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			ctl_err("events %s: %s", name, mpl_strerror(n));
			close(fd);
			return CTL_EXIT_FAIL;
		}
		/* End of file: the pool is gone and every record was read. */
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			print_event(&ev[i], json);
			seen++;
			if (ev[i].type == MPOOL_EVENT_DESTROYED)
				count = seen;
		}
		fflush(stdout);
		if (count && seen >= count)
			break;
	}
	close(fd);
	return CTL_EXIT_OK;
}
