// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl create and destroy. A pool outlives the session that created
 * it, so these are one-shot commands: create leaves the pool behind for
 * others to attach to, destroy removes its name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static const char create_usage[] =
	"usage: mempoolctl create NAME [-e ENGINE] [-s SIZE] [-n COUNT] [--node NODE]\n"
	"                        [--huge] [--access owner|group|all] [--max COUNT]\n"
	"                        [--json]\n"
	"\n"
	"Create pool NAME (1-23 of A-Z a-z 0-9 . _ -). It stays until destroyed.\n"
	"With --json: {\"created\", \"engine\", \"buf_size\", \"buf_count\",\n"
	"\"max_buf_count\", \"access\"}.\n"
	"\n"
	"  -e, --engine ENGINE  percpu (default), ring or lockfree\n"
	"  -s, --size SIZE      bytes per buffer, a multiple of the page size\n"
	"                       (default: one page; K, M suffixes)\n"
	"  -n, --count COUNT    buffers (default 64)\n"
	"      --node NODE      allocate on NUMA node NODE, and nowhere else\n"
	"      --huge           map each buffer 2 MiB at a time (SIZE a multiple\n"
	"                       of 2M)\n"
	"  -a, --access MODE    who may attach: owner (default: your user), group\n"
	"                       (also your group's members) or all (anyone who may\n"
	"                       open the device); root attaches to any\n"
	"  -m, --max COUNT      the most buffers 'mempoolctl resize' may grow it to\n"
	"                       (default: COUNT, no growing)\n";

/* --access MODE: false (after saying why) if MODE is not one. */
static bool parse_access(const char *cmd, const char *s, uint32_t *out)
{
	int a = mpl_access_parse(s);

	if (a < 0) {
		ctl_bad_usage(cmd, "unknown access mode '%s' (owner, group, all)", s);
		return false;
	}
	*out = a;
	return true;
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' },
		{ "huge", no_argument, NULL, 'H' },
		{ "access", required_argument, NULL, 'a' },
		{ "max", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mpl_pool_config cfg = {
		.engine = MPOOL_ENG_PERCPU,
		.buf_size = sysconf(_SC_PAGESIZE),
		.buf_count = 64,
		.node = -1,
	};
	MPL_OPTS(mpl_pool_opts, po);
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	char h1[32], h2[32];
	uint32_t node;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:s:n:a:m:h", opts, NULL)) != -1) {
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
			po.node = node;
			po.flags |= MPL_POOL_NODE;
			break;
		case 'H':
			po.flags |= MPL_POOL_HUGE;
			break;
		case 'a':
			if (!parse_access(argv[0], optarg, &po.access))
				return CTL_EXIT_USAGE;
			break;
		case 'm':
			if (!ctl_parse_u32("--max", optarg, 1, UINT32_MAX, &po.max_buf_count))
				return CTL_EXIT_USAGE;
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
	if (po.max_buf_count && po.max_buf_count < cfg.buf_count)
		return ctl_bad_usage(argv[0], "--max %u is below --count %u", po.max_buf_count,
				     cfg.buf_count);

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	err = mpl_pool_create_opts(dev, cfg.name, cfg.engine, cfg.buf_size, cfg.buf_count, &po,
				   &pool);
	if (err) {
		if (err == -EINVAL)
			ctl_err("create %s: invalid name or shape (size a multiple of %ld, "
				"see 'mempoolctl info' for limits)", cfg.name,
				sysconf(_SC_PAGESIZE));
		else if (err == -EOPNOTSUPP)
			ctl_err("create %s: the loaded mempool.ko knows no --access or --max "
				"(see 'mempoolctl info')", cfg.name);
		else
			ctl_err("create %s: %s", cfg.name, mpl_strerror(err));
		mpl_close(dev);
		return CTL_EXIT_FAIL;
	}
	if (ctl_json) {
		printf("{\"created\":\"%s\",\"engine\":\"%s\",\"buf_size\":%llu,"
		       "\"buf_count\":%u,\"max_buf_count\":%u,\"access\":\"%s\"}\n", cfg.name,
		       mpl_engine_name(cfg.engine), (unsigned long long)cfg.buf_size,
		       cfg.buf_count, mpl_pool_max_buf_count(pool), mpl_access_name(po.access));
		mpl_close(dev);
		return CTL_EXIT_OK;
	}
	printf("created %s: %s engine, %u x %s (%s)", cfg.name, mpl_engine_name(cfg.engine),
	       cfg.buf_count, ctl_human(cfg.buf_size, h1, sizeof(h1)),
	       ctl_human(cfg.buf_size * cfg.buf_count, h2, sizeof(h2)));
	if (po.max_buf_count > cfg.buf_count)
		printf(", up to %u", po.max_buf_count);
	printf(", access %s\n", mpl_access_name(po.access));
	mpl_close(dev);
	return CTL_EXIT_OK;
}

static const char destroy_usage[] =
	"usage: mempoolctl destroy [--json] NAME...\n"
	"\n"
	"Remove each pool's name: nobody can attach to it or lease from it any\n"
	"more. Leases and mappings held stay valid; the memory goes when the\n"
	"last session attached to the pool ends. With --json: {\"destroyed\":[names]}.\n";

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, i, err, ret = CTL_EXIT_OK, done = 0;
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
	if (ctl_json)
		printf("{\"destroyed\":[");
	for (i = optind; i < argc; i++) {
		pool = ctl_attach(dev, argv[i]);
		if (!pool) {
			ret = CTL_EXIT_FAIL;
			continue;
		}
		err = mpl_pool_destroy(pool);
		if (err) {
			ctl_pool_err(argv[0], argv[i], err);
			ret = CTL_EXIT_FAIL;
			continue;
		}
		if (ctl_json)
			printf("%s\"%s\"", done++ ? "," : "", argv[i]);
		else
			printf("destroyed %s\n", argv[i]);
	}
	if (ctl_json)
		printf("]}\n");
	mpl_close(dev);
	return ret;
}

static const char resize_usage[] =
	"usage: mempoolctl resize [--json] NAME COUNT\n"
	"\n"
	"Grow or shrink pool NAME to COUNT buffers, 1 to the --max it was created\n"
	"with. Shrinking takes free buffers only: while more are leased, the pool\n"
	"keeps them and says how many it holds. Growing may stop short when memory\n"
	"is short. Only the pool's creator (or root) may resize it. With --json:\n"
	"{\"pool\", \"requested\", \"buf_count\"} (the buffers it holds now).\n";

static const char drain_usage[] =
	"usage: mempoolctl drain [--json] NAME\n"
	"\n"
	"Gather pool NAME's idle buffers from the CPUs' caches and the quarantine\n"
	"into its shared free list, and say how many. Only the pool's creator (or\n"
	"root) may drain it. With --json: {\"pool\", \"drained\"}.\n";

static const char set_usage[] =
	"usage: mempoolctl set NAME [--low N] [--high N] [--fail-permille N]\n"
	"                           [--hysteresis N] [--access owner|group|all] [--json]\n"
	"\n"
	"Change pool NAME's thresholds or access mode (its creator or root), then\n"
	"print its settings, one \"key value\" per line; without options, only\n"
	"print them (anyone who may attach). A threshold crossed sends one event\n"
	"to 'mempoolctl events' readers, and no more until it re-arms.\n"
	"\n"
	"  -l, --low N            event when the free buffers fall below N (0: off)\n"
	"  -H, --high N           event when the free buffers rise above N (0: off)\n"
	"  -f, --fail-permille N  event when, of 16 leases in a row, N per thousand\n"
	"                         or more fail (1-1000; 0: off)\n"
	"  -y, --hysteresis N     free buffers past a watermark, back on its other\n"
	"                         side, before it fires again (0 counts as 1)\n"
	"  -a, --access MODE      who may attach from now on: owner, group or all\n"
	"\n"
	"Thresholds not given keep their values; setting any re-arms them all.\n"
	"With --json, the settings as one object with the same keys.\n";

/*
 * The one-pool commands take --help only, then NAME and @nargs more. Sets
 * *@done and returns the exit code when there is nothing more to do.
 */
static int one_pool_args(int argc, char **argv, const char *usage, int nargs, bool *done)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, ret;

	*done = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(usage);
		return ctl_opt_error(argv[0], argv, c);
	}
	ret = ctl_name_args(argc, argv, nargs, "COUNT");
	*done = ret != CTL_EXIT_OK;
	return ret;
}

int cmd_resize(int argc, char **argv)
{
	struct mpl_pool *pool;
	uint32_t count, now;
	struct mpl_dev *dev;
	const char *name;
	bool done;
	int err;

	err = one_pool_args(argc, argv, resize_usage, 1, &done);
	if (done)
		return err;
	name = argv[optind];
	if (!ctl_parse_u32("COUNT", argv[optind + 1], 1, UINT32_MAX, &count))
		return CTL_EXIT_USAGE;
	pool = ctl_open_pool(name, false, &dev);
	if (!pool)
		return CTL_EXIT_FAIL;
	err = mpl_pool_resize(pool, count, &now);
	if (err == -EINVAL)
		ctl_err("resize %s: COUNT must be 1 to %u (the pool's --max)", name,
			mpl_pool_max_buf_count(pool));
	else if (err)
		ctl_pool_err(argv[0], name, err);
	else if (ctl_json)
		printf("{\"pool\":\"%s\",\"requested\":%u,\"buf_count\":%u}\n", name, count, now);
	else if (now == count)
		printf("resized %s: %u buffers\n", name, now);
	else if (now > count)
		printf("resized %s: %u buffers, not %u: the others are leased or quarantined\n",
		       name, now, count);
	else
		printf("resized %s: %u buffers, not %u: out of memory or over a cap\n",
		       name, now, count);
	mpl_close(dev);
	return err ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

int cmd_drain(int argc, char **argv)
{
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	const char *name;
	uint32_t drained;
	bool done;
	int err;

	err = one_pool_args(argc, argv, drain_usage, 0, &done);
	if (done)
		return err;
	name = argv[optind];
	pool = ctl_open_pool(name, false, &dev);
	if (!pool)
		return CTL_EXIT_FAIL;
	err = mpl_pool_drain(pool, &drained);
	if (err)
		ctl_pool_err(argv[0], name, err);
	else if (ctl_json)
		printf("{\"pool\":\"%s\",\"drained\":%u}\n", name, drained);
	else
		printf("drained %s: %u buffers gathered\n", name, drained);
	mpl_close(dev);
	return err ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

static void print_settings(const struct mpool_pool_config *c, const struct mpl_pool *pool)
{
	if (ctl_json) {
		printf("{\"pool\":\"%s\",\"buf_count\":%u,\"max_buf_count\":%u,\"access\":\"%s\","
		       "\"low_watermark\":%u,\"high_watermark\":%u,\"fail_permille\":%u,"
		       "\"hysteresis\":%u}\n", mpl_pool_name(pool), c->buf_count,
		       mpl_pool_max_buf_count(pool), mpl_access_name(c->access), c->low_watermark,
		       c->high_watermark, c->fail_permille, c->hysteresis);
		return;
	}
	printf("buf_count %u\n", c->buf_count);
	printf("max_buf_count %u\n", mpl_pool_max_buf_count(pool));
	printf("access %s\n", mpl_access_name(c->access));
	printf("low_watermark %u\n", c->low_watermark);
	printf("high_watermark %u\n", c->high_watermark);
	printf("fail_permille %u\n", c->fail_permille);
	printf("hysteresis %u\n", c->hysteresis);
}

int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "low", required_argument, NULL, 'l' },
		{ "high", required_argument, NULL, 'H' },
		{ "fail-permille", required_argument, NULL, 'f' },
		{ "hysteresis", required_argument, NULL, 'y' },
		{ "access", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	/* The threshold options, in the order of val[] and given[]. */
	static const char thr_short[] = "lHfy";
	static const char *const thr_name[] = {
		"--low", "--high", "--fail-permille", "--hysteresis"
	};
	uint32_t val[4], access = 0, flags = 0;
	bool given[4] = { false };
	struct mpool_pool_config cfg = { 0 };
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	const char *name;
	int c, i, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:H:f:y:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
		case 'H':
		case 'f':
		case 'y':
			i = strchr(thr_short, c) - thr_short;
			if (!ctl_parse_u32(thr_name[i], optarg, 0, c == 'f' ? 1000 : UINT32_MAX,
					   &val[i]))
				return CTL_EXIT_USAGE;
			given[i] = true;
			flags |= MPOOL_CONFIG_F_THRESHOLDS;
			break;
		case 'a':
			if (!parse_access(argv[0], optarg, &access))
				return CTL_EXIT_USAGE;
			flags |= MPOOL_CONFIG_F_ACCESS;
			break;
		case 'h':
			return ctl_help(set_usage);
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	err = ctl_name_args(argc, argv, 0, NULL);
	if (err)
		return err;
	name = argv[optind];

	/* Only reading needs no write permission on the device. */
	pool = ctl_open_pool(name, !flags, &dev);
	if (!pool)
		return CTL_EXIT_FAIL;
	err = mpl_pool_configure(pool, &cfg, sizeof(cfg));
	if (!err && flags) {
		/* The thresholds go together: keep the ones not given. */
		if (given[0])
			cfg.low_watermark = val[0];
		if (given[1])
			cfg.high_watermark = val[1];
		if (given[2])
			cfg.fail_permille = val[2];
		if (given[3])
			cfg.hysteresis = val[3];
		cfg.access = flags & MPOOL_CONFIG_F_ACCESS ? access : cfg.access;
		cfg.flags = flags;
		err = mpl_pool_configure(pool, &cfg, sizeof(cfg));
	}
	if (err)
		ctl_pool_err(argv[0], name, err);
	else
		print_settings(&cfg, pool);
	mpl_close(dev);
	return err ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}
