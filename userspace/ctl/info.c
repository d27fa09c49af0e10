// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl info: what the loaded module supports, one "key value" per
 * line so that scripts can pick fields with awk.
 */
#define _GNU_SOURCE
#include <getopt.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl info\n"
	"\n"
	"Print the API version, features and limits of the loaded mempool.ko,\n"
	"one \"key value\" per line.\n";

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

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	err = mpl_info(dev, &info);
	mpl_close(dev);
	if (err) {
		ctl_err("info: %s", mpl_strerror(err));
		return CTL_EXIT_FAIL;
	}
	printf("api_version %u\n", info.api_version);
	printf("features 0x%llx%s%s%s%s%s\n", (unsigned long long)info.features,
	       info.features & MPOOL_FEAT_POOLS ? " pools" : "",
	       info.features & MPOOL_FEAT_WAIT ? " wait" : "",
	       info.features & MPOOL_FEAT_NODE ? " node" : "",
	       info.features & MPOOL_FEAT_USER_LIMITS ? " user_limits" : "",
	       info.features & MPOOL_FEAT_LIFETIME ? " lifetime" : "");
	printf("max_pools %u\n", info.max_pools);
	printf("nr_pools %u\n", info.nr_pools);
	printf("max_bytes %llu\n", (unsigned long long)info.max_bytes);
	printf("bytes_used %llu\n", (unsigned long long)info.bytes_used);
	printf("max_buf_size %llu\n", (unsigned long long)info.max_buf_size);
	printf("max_buf_count %u\n", info.max_buf_count);
	printf("max_batch %u\n", info.max_batch);
	printf("max_session_leases %u\n", info.max_session_leases);
	if (info.features & MPOOL_FEAT_USER_LIMITS) {
		/* Yours: the user who runs this, as the module counts it. */
		printf("max_user_pools %u\n", info.max_user_pools);
		printf("user_pools %u\n", info.user_pools);
		printf("max_user_bytes %llu\n", (unsigned long long)info.max_user_bytes);
		printf("user_bytes %llu\n", (unsigned long long)info.user_bytes);
		printf("max_user_leases %u\n", info.max_user_leases);
		printf("user_leases %u\n", info.user_leases);
	}
	return CTL_EXIT_OK;
}
