// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl bench: what a lease and release of one buffer costs, three
 * ways: one system call per buffer each way, one per batch, and through
 * libmempool's per-thread magazine. The system calls per buffer come from
 * the library's counters, checked against the kernel's lease totals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl bench [-e ENGINE] [-n BUFFERS] [-b BATCH] [--pool NAME] [--json]\n"
	"\n"
	"Time leasing and releasing BUFFERS buffers (default 20000), BATCH (default\n"
	"32) at a time, three ways:\n"
	"  single    one MPOOL_IOC_LEASE and one MPOOL_IOC_RELEASE per buffer\n"
	"  batch     one of each per BATCH buffers\n"
	"  magazine  mpl_get()/mpl_put() one buffer at a time, through libmempool's\n"
	"            per-thread magazine of BATCH buffers\n"
	"and print nanoseconds and system calls per buffer.\n"
	"\n"
	"  -e, --engine ENGINE  engine of the temporary pool (default percpu)\n"
	"  -n, --buffers N      buffers leased and released per mode\n"
	"  -b, --batch BATCH    1 to 256\n"
	"      --pool NAME      use pool NAME instead of a temporary one (it needs\n"
	"                       BATCH free buffers)\n"
	"  -j, --json           {\"pool\", \"engine\", \"buf_count\", \"buf_size\", \"buffers\",\n"
	"                       \"batch\", \"modes\":[{\"mode\", \"ns_per_buffer\",\n"
	"                       \"syscalls_per_buffer\"}]}\n";

struct mode_result {
	double ns;
	uint64_t calls;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t calls(const struct mpl_counters *c)
{
	return c->lease_calls + c->release_calls;
}

/* Each mode holds up to @batch buffers at a time, and moves @n in all. */
static int run_single(struct mpl_pool *pool, uint32_t n, uint32_t batch, uint32_t *ids)
{
	uint32_t done, i, k;
	int err;

	for (done = 0; done < n; done += k) {
		k = n - done < batch ? n - done : batch;
		for (i = 0; i < k; i++) {
			err = mpl_lease(pool, &ids[i], 1, 0, 0);
			if (err)
				return err;
		}
		for (i = 0; i < k; i++) {
			err = mpl_release(pool, &ids[i], 1);
			if (err)
				return err;
		}
	}
	return 0;
}

static int run_batch(struct mpl_pool *pool, uint32_t n, uint32_t batch, uint32_t *ids)
{
	uint32_t done, k;
	int err;

	for (done = 0; done < n; done += k) {
		k = n - done < batch ? n - done : batch;
		err = mpl_lease(pool, ids, k, 0, 0);
		if (!err)
			err = mpl_release(pool, ids, k);
		if (err)
			return err;
	}
	return 0;
}

static int run_magazine(struct mpl_pool *pool, uint32_t n, uint32_t batch, uint32_t *ids)
{
	uint32_t done, i, k;
	int err;

	for (done = 0; done < n; done += k) {
		k = n - done < batch ? n - done : batch;
		for (i = 0; i < k; i++) {
			err = mpl_get(pool, &ids[i], 0);
			if (err)
				return err;
		}
		for (i = 0; i < k; i++) {
			err = mpl_put(pool, ids[i]);
			if (err)
				return err;
		}
	}
	/* What the magazine still holds is part of the cost. */
	return mpl_flush(pool);
}

/*
 * Run one mode. The kernel must have seen every buffer the library says it
 * leased and released (exactly, on a pool nobody else uses), and the
 * session must hold what it held before.
 */
static int measure(struct mpl_pool *pool, int (*fn)(struct mpl_pool *, uint32_t, uint32_t,
						     uint32_t *),
		   uint32_t n, uint32_t batch, uint32_t *ids, bool exact, struct mode_result *r)
{
	struct mpool_pool_stats before, after;
	struct mpl_counters c0, c1;
	uint64_t kl, kr, ll, lr;
	double t0;
	int err;

	err = mpl_pool_stats(pool, &before);
	if (err)
		return err;
	mpl_pool_counters(pool, &c0);
	t0 = now_ns();
	err = fn(pool, n, batch, ids);
	r->ns = now_ns() - t0;
	mpl_pool_counters(pool, &c1);
	r->calls = calls(&c1) - calls(&c0);
	if (err)
		return err;
	err = mpl_pool_stats(pool, &after);
	if (err)
		return err;
	kl = after.leases - before.leases;
	kr = after.releases - before.releases;
	ll = c1.leased - c0.leased;
	lr = c1.released - c0.released;
	if (kl < ll || kr < lr || (exact && (kl != ll || kr != lr)) ||
	    after.nr_mine != before.nr_mine)
		return -EPROTO;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "buffers", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "pool", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const struct {
		const char *name;
		int (*fn)(struct mpl_pool *, uint32_t, uint32_t, uint32_t *);
	} modes[] = {
		{ "single", run_single },
		{ "batch", run_batch },
		{ "magazine", run_magazine },
	};
	uint32_t n = 20000, batch = 32, engine = MPOOL_ENG_PERCPU;
	int c, err, ret = CTL_EXIT_FAIL;
	const char *use_pool = NULL;
	bool created = false;
	struct mpl_pool_config cfg;
	struct mode_result r;
	struct mpl_pool *pool;
	char name[MPOOL_POOL_NAME_MAX];
	struct mpl_dev *dev;
	uint32_t ids[MPL_BATCH_MAX];
	unsigned int m;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:n:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			err = mpl_engine_parse(optarg);
			if (err < 0)
				return ctl_bad_usage(argv[0], "unknown engine '%s' "
						     "(percpu, ring, lockfree)", optarg);
			engine = err;
			break;
		case 'n':
			if (!ctl_parse_u32("--buffers", optarg, 1, UINT32_MAX, &n))
				return CTL_EXIT_USAGE;
			break;
		case 'b':
			if (!ctl_parse_u32("--batch", optarg, 1, MPL_BATCH_MAX, &batch))
				return CTL_EXIT_USAGE;
			break;
		case 'p':
			use_pool = optarg;
			break;
		case 'h':
			return ctl_help(usage);
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	if (optind < argc)
		return ctl_bad_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	if (use_pool) {
		pool = ctl_attach(dev, use_pool);
		if (!pool)
			goto out;
	} else {
		/* Room for the magazine's two halves. */
		snprintf(name, sizeof(name), "bench-%d", (int)getpid());
		cfg = (struct mpl_pool_config){
			.name = name, .engine = engine, .buf_size = sysconf(_SC_PAGESIZE),
			.buf_count = 4 * batch, .node = -1,
		};
		err = mpl_pool_create(dev, &cfg, &pool);
		if (err) {
			ctl_err("bench: create %s: %s", name, mpl_strerror(err));
			goto out;
		}
		created = true;
	}
	err = mpl_set_batch(pool, batch);
	if (err) {
		ctl_err("bench: batch %u: %s", batch, err == -EINVAL ?
			"larger than the pool" : mpl_strerror(err));
		goto out;
	}

	if (ctl_json)
		printf("{\"pool\":\"%s\",\"engine\":\"%s\",\"buf_count\":%u,\"buf_size\":%llu,"
		       "\"buffers\":%u,\"batch\":%u,\"modes\":[", mpl_pool_name(pool),
		       mpl_engine_name(mpl_pool_engine(pool)), mpl_pool_buf_count(pool),
		       (unsigned long long)mpl_pool_buf_size(pool), n, batch);
	else
		printf("pool %s: %s engine, %u buffers of %llu B; %u buffers per mode, "
		       "batch %u\n%-9s %12s %16s\n", mpl_pool_name(pool),
		       mpl_engine_name(mpl_pool_engine(pool)), mpl_pool_buf_count(pool),
		       (unsigned long long)mpl_pool_buf_size(pool), n, batch, "mode",
		       "ns/buffer", "syscalls/buffer");
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		err = measure(pool, modes[m].fn, n, batch, ids, created, &r);
		if (err) {
			ctl_err("bench: %s: %s", modes[m].name, err == -EPROTO ?
				"the kernel's counts disagree with ours" : mpl_strerror(err));
			goto out;
		}
		if (ctl_json)
			printf("%s{\"mode\":\"%s\",\"ns_per_buffer\":%.1f,"
			       "\"syscalls_per_buffer\":%.4f}", m ? "," : "", modes[m].name,
			       r.ns / n, (double)r.calls / n);
		else
			printf("%-9s %12.1f %16.4f\n", modes[m].name, r.ns / n,
			       (double)r.calls / n);
		fflush(stdout);
	}
	if (ctl_json)
		printf("]}\n");
	ret = CTL_EXIT_OK;
out:
	if (created)
		mpl_pool_destroy(pool);
	mpl_close(dev);
	return ret;
}
