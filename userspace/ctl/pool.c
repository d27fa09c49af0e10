// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl create and destroy. A pool outlives the session that created
 * it, so these are one-shot commands: create leaves the pool behind for
 * others to attach to, destroy removes its name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <unistd.h>

#include "ctl.h"

static const char create_usage[] =
	"usage: mempoolctl create NAME [-e ENGINE] [-s SIZE] [-n COUNT] [--node NODE]\n"
	"\n"
	"Create pool NAME (1-23 of A-Z a-z 0-9 . _ -). It stays until destroyed.\n"
	"\n"
	"  -e, --engine ENGINE  percpu (default), ring or lockfree\n"
	"  -s, --size SIZE      bytes per buffer, a multiple of the page size\n"
	"                       (default: one page; K, M suffixes)\n"
	"  -n, --count COUNT    buffers (default 64)\n"
	"      --node NODE      allocate on NUMA node NODE\n";

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mpl_pool_config cfg = {
		.engine = MPOOL_ENG_PERCPU,
		.buf_size = sysconf(_SC_PAGESIZE),
		.buf_count = 64,
		.node = -1,
	};
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	char h1[32], h2[32];
	uint32_t node;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:s:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			err = mpl_engine_parse(optarg);
			if (err < 0)
				return ctl_bad_usage(argv[0], "unknown engine '%s' "
						     "(percpu, ring, lockfree)", optarg);
			cfg.engine = err;
			break;
		case 's':
			if (!ctl_parse_size("--size", optarg, &cfg.buf_size))
				return CTL_EXIT_USAGE;
			break;
		case 'n':
			if (!ctl_parse_u32("--count", optarg, 1, UINT32_MAX, &cfg.buf_count))
				return CTL_EXIT_USAGE;
			break;
		case 'N':
			if (!ctl_parse_u32("--node", optarg, 0, INT32_MAX, &node))
				return CTL_EXIT_USAGE;
			cfg.node = node;
			break;
		case 'h':
			return ctl_help(create_usage);
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	if (optind != argc - 1)
		return ctl_bad_usage(argv[0], optind < argc ? "one NAME only" : "NAME missing");
	cfg.name = argv[optind];

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	err = mpl_pool_create(dev, &cfg, &pool);
	if (err) {
		if (err == -EINVAL)
			ctl_err("create %s: invalid name or shape (size a multiple of %ld, "
				"see 'mempoolctl info' for limits)", cfg.name,
				sysconf(_SC_PAGESIZE));
		else
			ctl_err("create %s: %s", cfg.name, mpl_strerror(err));
		mpl_close(dev);
		return CTL_EXIT_FAIL;
	}
	printf("created %s: %s engine, %u x %s (%s)\n", cfg.name, mpl_engine_name(cfg.engine),
	       cfg.buf_count, ctl_human(cfg.buf_size, h1, sizeof(h1)),
	       ctl_human(cfg.buf_size * cfg.buf_count, h2, sizeof(h2)));
	mpl_close(dev);
	return CTL_EXIT_OK;
}

static const char destroy_usage[] =
	"usage: mempoolctl destroy NAME...\n"
	"\n"
	"Remove each pool's name: nobody can attach to it or lease from it any\n"
	"more. Leases and mappings held stay valid; the memory goes when the\n"
	"last session attached to the pool ends.\n";

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, i, err, ret = CTL_EXIT_OK;
	struct mpl_pool *pool;
	struct mpl_dev *dev;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(destroy_usage);
		return ctl_opt_error(argv[0], argv, c);
	}
	if (optind == argc)
		return ctl_bad_usage(argv[0], "NAME missing");

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	for (i = optind; i < argc; i++) {
		pool = ctl_attach(dev, argv[i]);
		if (!pool) {
			ret = CTL_EXIT_FAIL;
			continue;
		}
		err = mpl_pool_destroy(pool);
		if (err) {
			ctl_err("destroy %s: %s", argv[i],
				err == -EPERM ? "not your pool (created by another user)" :
				mpl_strerror(err));
			ret = CTL_EXIT_FAIL;
			continue;
		}
		printf("destroyed %s\n", argv[i]);
	}
	mpl_close(dev);
	return ret;
}
