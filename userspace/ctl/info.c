// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl info: what the loaded module supports, one "key value" per
 * line so that scripts can pick fields with awk.
 */
#define _GNU_SOURCE
#include <getopt.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl info [--json]\n"
	"\n"
	"Print the API version, features and limits of the loaded mempool.ko,\n"
	"one \"key value\" per line (with --json, one object with the same keys;\n"
	"\"features\" is a list of names there, \"features_mask\" the bits).\n";

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ MPOOL_FEAT_POOLS, "pools" },
	{ MPOOL_FEAT_WAIT, "wait" },
	{ MPOOL_FEAT_NODE, "node" },
	{ MPOOL_FEAT_USER_LIMITS, "user_limits" },
	{ MPOOL_FEAT_LIFETIME, "lifetime" },
	{ MPOOL_FEAT_LIST, "list" },
	{ MPOOL_FEAT_FULL_STATS, "full_stats" },
	{ MPOOL_FEAT_ACCESS, "access" },
	{ MPOOL_FEAT_CONFIG, "config" },
	{ MPOOL_FEAT_EVENTS, "events" },
	{ MPOOL_FEAT_NUMA, "numa" },
};

/* One value: "key value\n", or ",\"key\":value" in JSON. */
static void field(const char *key, unsigned long long v)
{
	if (ctl_json)
		printf(",\"%s\":%llu", key, v);
	else
		printf("%s %llu\n", key, v);
}

static void print_features(uint64_t f)
{
	unsigned int i, n = 0;

	if (ctl_json)
		printf(",\"features_mask\":%llu,\"features\":[", (unsigned long long)f);
	else
		printf("features 0x%llx", (unsigned long long)f);
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (!(f & features[i].bit))
			continue;
		if (ctl_json)
			printf("%s\"%s\"", n++ ? "," : "", features[i].name);
		else
			printf(" %s", features[i].name);
	}
	printf(ctl_json ? "]" : "\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mpool_info info;
	struct mpl_dev *dev;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(usage);
		return ctl_opt_error(argv[0], argv, c);
	}
	if (optind < argc)
		return ctl_bad_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	dev = ctl_open_ro();
	if (!dev)
		return CTL_EXIT_FAIL;
	err = mpl_info(dev, &info);
	mpl_close(dev);
	if (err) {
		ctl_err("info: %s", mpl_strerror(err));
		return CTL_EXIT_FAIL;
	}
	if (ctl_json)
		printf("{\"api_version\":%u", info.api_version);
	else
		printf("api_version %u\n", info.api_version);
	print_features(info.features);
	field("max_pools", info.max_pools);
	field("nr_pools", info.nr_pools);
	field("max_bytes", info.max_bytes);
	field("bytes_used", info.bytes_used);
	field("max_buf_size", info.max_buf_size);
	field("max_buf_count", info.max_buf_count);
	field("max_batch", info.max_batch);
	field("max_session_leases", info.max_session_leases);
	if (info.features & MPOOL_FEAT_USER_LIMITS) {
		/* Yours: the user who runs this, as the module counts it. */
		field("max_user_pools", info.max_user_pools);
		field("user_pools", info.user_pools);
		field("max_user_bytes", info.max_user_bytes);
		field("user_bytes", info.user_bytes);
		field("max_user_leases", info.max_user_leases);
		field("user_leases", info.user_leases);
	}
	if (ctl_json)
		printf("}\n");
	return fflush(stdout) ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}
