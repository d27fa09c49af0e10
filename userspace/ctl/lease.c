// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl lease: lease buffers from a pool, write into them, and hold
 * them for a while or until a signal; then check that what was written is
 * still there and give them back.
 *
 * Each line of progress is flushed as it is printed, so that a script can
 * wait for "holding" on a pipe instead of sleeping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static const char usage[] =
	"usage: mempoolctl lease POOL [-n COUNT] [--fill TEXT] [--hold | --hold-for SECONDS]\n"
	"                       [--wait]\n"
	"\n"
	"Lease COUNT buffers (default 1) of POOL, all or none, and print their ids.\n"
	"Then, by default, give them back at once.\n"
	"\n"
	"  -n, --count COUNT      how many buffers\n"
	"  -f, --fill TEXT        write TEXT, repeated, over every buffer (after\n"
	"                         checking that each arrived zeroed), and check it\n"
	"                         is intact before giving them back\n"
	"      --hold             hold the buffers until SIGINT, SIGTERM or SIGHUP\n"
	"      --hold-for SECONDS hold them that long (or until one of those signals)\n"
	"  -w, --wait             wait for free buffers instead of failing\n"
	"\n"
	"Killed while holding (even by SIGKILL), the process's buffers go back to\n"
	"the pool when the kernel closes its session.\n";

struct lease_args {
	const char *pool;
	uint32_t count;
	const char *fill;
	bool hold;
	double hold_for;	/* seconds; < 0: no limit */
	bool wait;
};

/* Say it now: a script may be reading us through a pipe. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void fill_buf(char *buf, uint64_t size, const char *text)
{
	size_t len = strlen(text);
	uint64_t off;

	for (off = 0; off < size; off += len)
		memcpy(buf + off, text, size - off < len ? size - off : len);
}

static bool buf_holds(const char *buf, uint64_t size, const char *text)
{
	size_t len = strlen(text);
	uint64_t off;

	for (off = 0; off < size; off += len) {
		if (memcmp(buf + off, text, size - off < len ? size - off : len))
			return false;
	}
	return true;
}

static bool buf_zero(const char *buf, uint64_t size)
{
	uint64_t i;

	for (i = 0; i < size; i++) {
		if (buf[i])
			return false;
	}
	return true;
}

/* Lease @n ids in batches the kernel accepts; all or none. */
static int lease_all(struct mpl_pool *pool, uint32_t *ids, uint32_t n, bool wait)
{
	uint32_t done = 0, chunk;
	int err = 0;

	while (done < n) {
		chunk = n - done < MPOOL_BATCH_MAX ? n - done : MPOOL_BATCH_MAX;
		err = mpl_lease(pool, ids + done, chunk, wait ? MPL_WAIT : 0, 0);
		if (err)
			break;
		done += chunk;
	}
	if (err) {
		while (done) {
			chunk = done < MPOOL_BATCH_MAX ? done : MPOOL_BATCH_MAX;
			done -= chunk;
			mpl_release(pool, ids + done, chunk);
		}
	}
	return err;
}

static int release_all(struct mpl_pool *pool, uint32_t *ids, uint32_t n)
{
	uint32_t done = 0, chunk;
	int err;

	while (done < n) {
		chunk = n - done < MPOOL_BATCH_MAX ? n - done : MPOOL_BATCH_MAX;
		err = mpl_release(pool, ids + done, chunk);
		if (err)
			return err;
		done += chunk;
	}
	return 0;
}

/* Wait for one of the signals in @set, or @secs (< 0: forever). */
static int hold(const sigset_t *set, double secs)
{
	struct timespec ts;
	int sig;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - ts.tv_sec) * 1e9);
	/* EINTR: a stop and continue, or a signal we do not wait for. */
	do {
		sig = secs < 0 ? sigwaitinfo(set, NULL) : sigtimedwait(set, NULL, &ts);
	} while (sig < 0 && errno == EINTR);
	return sig;
}

static int run(const struct lease_args *a)
{
	uint32_t i, nzero = 0, nbad = 0;
	int ret = CTL_EXIT_FAIL, err, sig;
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	uint64_t size;
	uint32_t *ids;
	sigset_t set;
	char *buf;

	/*
	 * Blocked from the start, so that a signal arriving before we wait
	 * for it is kept, not fatal with the buffers half-filled.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (a->hold)
		sigprocmask(SIG_BLOCK, &set, NULL);

	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	pool = ctl_attach(dev, a->pool);
	if (!pool)
		goto out_close;
	if (a->count > mpl_pool_buf_count(pool)) {
		ctl_err("lease: %s has only %u buffers", a->pool, mpl_pool_buf_count(pool));
		goto out_close;
	}
	size = mpl_pool_buf_size(pool);
	ids = calloc(a->count, sizeof(*ids));
	if (!ids) {
		ctl_err("lease: out of memory");
		goto out_close;
	}
	err = lease_all(pool, ids, a->count, a->wait);
	if (err) {
		ctl_err("lease %u from %s: %s", a->count, a->pool, mpl_strerror(err));
		goto out_free;
	}
	say("leased %u buffer%s of %s:", a->count, a->count == 1 ? "" : "s", a->pool);
	for (i = 0; i < a->count; i++)
		say(" %u", ids[i]);
	say("\n");

	if (a->fill) {
		for (i = 0; i < a->count; i++) {
			buf = mpl_buf(pool, ids[i]);
			if (!buf) {
				ctl_err("lease: mmap %s: %s", a->pool, strerror(errno));
				goto out_release;
			}
			nzero += buf_zero(buf, size);
			fill_buf(buf, size, a->fill);
		}
		say("%u of %u arrived zeroed; wrote \"%s\" over each\n", nzero, a->count, a->fill);
	}

	if (a->hold) {
		say("holding them (pid %d) until %s\n", (int)getpid(),
		    a->hold_for < 0 ? "SIGINT, SIGTERM or SIGHUP" : "time is up or a signal");
		sig = hold(&set, a->hold_for);
		if (sig > 0)
			say("%s: ", strsignal(sig));
	}
	ret = CTL_EXIT_OK;
	if (a->fill) {
		for (i = 0; i < a->count; i++)
			nbad += !buf_holds(mpl_buf(pool, ids[i]), size, a->fill);
		if (nbad) {
			ctl_err("lease: %u buffers lost \"%s\"", nbad, a->fill);
			ret = CTL_EXIT_FAIL;
		} else {
			say("all %u still hold \"%s\"; ", a->count, a->fill);
		}
	}
out_release:
	err = release_all(pool, ids, a->count);
	if (err) {
		ctl_err("release: %s", mpl_strerror(err));
		ret = CTL_EXIT_FAIL;
	} else {
		say("released %u\n", a->count);
	}
out_free:
	free(ids);
out_close:
	mpl_close(dev);
	return ret;
}

int cmd_lease(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "fill", required_argument, NULL, 'f' },
		{ "hold", no_argument, NULL, 'H' },
		{ "hold-for", required_argument, NULL, 'T' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct lease_args a = { .count = 1, .hold_for = -1 };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:f:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!ctl_parse_u32("--count", optarg, 1, UINT32_MAX, &a.count))
				return CTL_EXIT_USAGE;
			break;
		case 'f':
			if (!*optarg)
				return ctl_bad_usage(argv[0], "--fill needs a non-empty TEXT");
			a.fill = optarg;
			break;
		case 'H':
			a.hold = true;
			break;
		case 'T':
			if (!ctl_parse_seconds("--hold-for", optarg, &a.hold_for))
				return CTL_EXIT_USAGE;
			a.hold = true;
			break;
		case 'w':
			a.wait = true;
			break;
		case 'h':
			return ctl_help(usage);
		default:
			return ctl_opt_error(argv[0], argv, c);
		}
	}
	if (optind != argc - 1)
		return ctl_bad_usage(argv[0], optind < argc ? "one POOL only" : "POOL missing");
	if (ctl_no_json(argv[0]))
		return CTL_EXIT_USAGE;
	a.pool = argv[optind];
	return run(&a);
}
