// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lease-and-fill: the whole life of a /dev/mempool lease through libmempool.
 *
 *   lease-and-fill          create a session-scoped pool of our own
 *   lease-and-fill POOL     attach to POOL (e.g. made by `mempoolctl create`)
 *
 * Open a session, get a pool, lease a few buffers with one system call,
 * map them, check that they arrive zeroed, fill them, release them, and
 * ask the kernel what the session still holds (nothing). Every call is
 * checked: libmempool returns 0 or a negative errno, which mpl_strerror()
 * turns into a message. Exit status 0 on success, 1 on any failure.
 *
 * Build: cc lease-and-fill.c $(pkg-config --cflags --libs mempool)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mempool.h>

#define NBUF		4	/* buffers leased at once */
#define POOL_BUFS	16	/* buffers in a pool we create */

/* Print "lease-and-fill: WHAT: why" for a libmempool error code; return 1. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "lease-and-fill: %s: %s\n", what, mpl_strerror(err));
	return 1;
}

/* Every byte of [p, p + len) is zero. */
static bool all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/* Lease, fill, check and release NBUF buffers of @pool. */
static int lease_and_fill(struct mpl_pool *pool)
{
	uint64_t size = mpl_pool_buf_size(pool);
	struct mpool_pool_stats st;
	uint32_t ids[NBUF];
	unsigned char *buf;
	char line[64];
	int err, i;

	/*
	 * One system call, all or nothing: -EAGAIN if fewer than NBUF are
	 * free (MPL_WAIT would sleep for them instead).
	 */
	err = mpl_lease(pool, ids, NBUF, 0, 0);
	if (err)
		return fail("lease", err);

	for (i = 0; i < NBUF; i++) {
		/* Maps the whole pool on first use; NULL and errno on failure. */
		buf = mpl_buf(pool, ids[i]);
		if (!buf) {
			err = fail("map", -errno);
			goto release;
		}
		/* A fresh lease always reads as zeros: nobody's old data. */
		if (!all_zero(buf, size)) {
			fprintf(stderr, "lease-and-fill: buffer %u not zeroed\n", ids[i]);
			err = 1;
			goto release;
		}
		/* The bytes are the kernel's pages: write straight into them. */
		memset(buf, 0xa5, size);
		snprintf(line, sizeof(line), "buffer %u of pid %d", ids[i], (int)getpid());
		memcpy(buf, line, strlen(line) + 1);
	}
	for (i = 0; i < NBUF; i++) {
		buf = mpl_buf(pool, ids[i]);
		snprintf(line, sizeof(line), "buffer %u of pid %d", ids[i], (int)getpid());
		if (strcmp((char *)buf, line) || buf[size - 1] != 0xa5) {
			fprintf(stderr, "lease-and-fill: buffer %u lost its contents\n", ids[i]);
			err = 1;
			goto release;
		}
	}
	err = 0;

release:
	/*
	 * Give them back with one system call. From here on, touching them
	 * raises SIGBUS: the kernel revoked our view before anyone else could
	 * lease them. (Had we exited without this, the kernel would take them
	 * back when the session ended.)
	 */
	i = mpl_release(pool, ids, NBUF);
	if (i)
		return fail("release", i);
	if (err)
		return err;

	/* The kernel's view: this session holds no buffer of the pool now. */
	err = mpl_pool_stats(pool, &st);
	if (err)
		return fail("stats", err);
	if (st.nr_mine) {
		fprintf(stderr, "lease-and-fill: session still holds %u buffers\n", st.nr_mine);
		return 1;
	}
	printf("lease-and-fill: leased, filled and released %d buffers of %llu bytes of pool %s (%u free of %u)\n",
	       NBUF, (unsigned long long)size, mpl_pool_name(pool), st.nr_free, st.buf_count);
	return 0;
}

int main(int argc, char **argv)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = MPL_POOL_SESSION);
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	char name[MPOOL_POOL_NAME_MAX];
	int err, ret;

	if (argc > 2) {
		fprintf(stderr, "usage: lease-and-fill [POOL]\n");
		return 2;
	}

	/*
	 * A session: one open file of /dev/mempool. -ENOENT: the module is
	 * not loaded; -EACCES: not root and not in the node's group (see
	 * udev/60-mempool.rules).
	 */
	err = mpl_open(NULL, &dev);
	if (err)
		return fail("open " MPOOL_DEVICE, err);

	if (argc == 2) {
		/* -ENOENT: no such pool; -EACCES: its access mode keeps us out. */
		err = mpl_pool_attach(dev, argv[1], &pool);
		if (err) {
			ret = fail("attach", err);
			goto out;
		}
	} else {
		/*
		 * Session-scoped: the pool goes away with the session, however
		 * the program ends. Names are global: make ours unique.
		 */
		snprintf(name, sizeof(name), "lease-fill-%d", (int)getpid());
		err = mpl_pool_create_opts(dev, name, MPOOL_ENG_PERCPU, sysconf(_SC_PAGESIZE),
					   POOL_BUFS, &opts, &pool);
		if (err) {
			ret = fail("create", err);
			goto out;
		}
	}

	ret = lease_and_fill(pool);
out:
	/* Ends the session: unmaps, and the kernel takes back any lease left. */
	err = mpl_close(dev);
	if (err && !ret)
		ret = fail("close", err);
	return ret;
}
