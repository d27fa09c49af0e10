// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl list: the user pools the caller may attach to, from
 * MPOOL_IOC_POOL_LIST on a read-only session, so that any user who may open
 * the device sees them (debugfs needs root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl list [--names] [--json] [NAME...]\n"
	"\n"
	"List the pools /dev/mempool users created that you may attach to (root:\n"
	"all): name, engine, buffer size and count, buffers free, leased (those\n"
	"exported as dma-bufs included) and quarantined, sessions attached, the\n"
	"owner's uid, the lifetime (persistent, or session-scoped) and who may\n"
	"attach (owner, group, all). Without NAMEs, every such pool; with them,\n"
	"those pools (a missing one is an error).\n"
	"Needs only read permission on the device.\n"
	"\n"
	"      --names  print the names only, one per line\n"
	"  -j, --json   {\"pools\":[{\"name\", \"engine\", \"buf_size\", \"buf_count\",\n"
	"               \"nr_free\", \"nr_leased\", \"nr_quarantined\", \"nr_sessions\",\n"
	"               \"owner_uid\", \"lifetime\", \"access\"}]} (--names: the names only)\n";

static void print_entry(const struct mpool_pool_entry *e, bool names_only, bool first)
{
	unsigned int out = e->buf_count - e->nr_free - e->nr_quarantined;

	if (ctl_json) {
		/* Pool names are [A-Za-z0-9._-]: nothing to escape. */
		printf("%s{\"name\":\"%.*s\"", first ? "" : ",", MPOOL_POOL_NAME_MAX, e->name);
		if (!names_only)
			printf(",\"engine\":\"%s\",\"buf_size\":%llu,\"buf_count\":%u,"
			       "\"nr_free\":%u,\"nr_leased\":%u,\"nr_quarantined\":%u,"
			       "\"nr_sessions\":%u,\"owner_uid\":%u,\"lifetime\":\"%s\","
			       "\"access\":\"%s\"", mpl_engine_name(e->engine),
			       (unsigned long long)e->buf_size, e->buf_count, e->nr_free, out,
			       e->nr_quarantined, e->nr_sessions, e->owner_uid,
			       e->create_flags & MPOOL_CREATE_F_SESSION ? "session" : "persistent",
			       mpl_access_name(e->access));
		putchar('}');
		return;
	}
	if (names_only) {
		printf("%.*s\n", MPOOL_POOL_NAME_MAX, e->name);
		return;
	}
	printf("%-23.*s %-8s %9llu %6u %6u %6u %6u %8u %6u %-10s %s\n", MPOOL_POOL_NAME_MAX,
	       e->name, mpl_engine_name(e->engine), (unsigned long long)e->buf_size,
	       e->buf_count, e->nr_free, out, e->nr_quarantined, e->nr_sessions, e->owner_uid,
	       e->create_flags & MPOOL_CREATE_F_SESSION ? "session" : "persistent",
	       mpl_access_name(e->access));
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mpool_pool_entry *v;
	bool names_only = false;
	int ret = CTL_EXIT_OK;
	struct mpl_dev *dev;
	unsigned int n, j, printed = 0;
	int c, err, i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(usage);
		if (c == 'n') {
			names_only = true;
			continue;
		}
		return ctl_opt_error(argv[0], argv, c);
	}
	for (i = optind; i < argc; i++) {
		if (!ctl_valid_name(argv[i]))
			return ctl_bad_usage(argv[0], "'%s' is not a valid pool name", argv[i]);
	}

	dev = ctl_open_ro();
	if (!dev)
		return CTL_EXIT_FAIL;
	err = ctl_list_all(dev, &v, &n);
	mpl_close(dev);
	if (err) {
		ctl_err("list: %s", err == -ENOTTY ? "the module is too old to list pools" :
			mpl_strerror(err));
		return CTL_EXIT_FAIL;
	}

	if (ctl_json)
		printf("{\"pools\":[");
	else if (!names_only)
		printf("%-23s %-8s %9s %6s %6s %6s %6s %8s %6s %-10s %s\n", "NAME", "ENGINE",
		       "BUF_SIZE", "COUNT", "FREE", "LEASED", "QUAR", "SESSIONS", "OWNER",
		       "LIFETIME", "ACCESS");
	if (optind == argc) {
		for (j = 0; j < n; j++)
			print_entry(&v[j], names_only, !printed++);
	}
	for (i = optind; i < argc; i++) {
		for (j = 0; j < n; j++) {
			if (!strncmp(v[j].name, argv[i], MPOOL_POOL_NAME_MAX))
				break;
		}
		if (j == n) {
			ctl_err("list: no pool named '%s'", argv[i]);
			ret = CTL_EXIT_FAIL;
			continue;
		}
		print_entry(&v[j], names_only, !printed++);
	}
	if (ctl_json)
		printf("]}\n");
	free(v);
	return ret;
}
