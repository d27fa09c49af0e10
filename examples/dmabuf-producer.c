// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-producer: fills /dev/mempool buffers and hands each to another
 * process as a dma-buf (see dmabuf-consumer.c; the messages are in
 * dmabuf.h).
 *
 *   dmabuf-consumer /tmp/db.sock &  dmabuf-producer /tmp/db.sock [COUNT]
 *
 * It leases one buffer at a time from a small session-scoped pool, fills
 * it, and exports it (mpl_export(), MPOOL_IOC_EXPORT): the lease passes to
 * a read-only dma-buf, this session's mapping of the buffer is revoked,
 * and the dma-buf descriptor goes to the consumer over the Unix socket
 * (SCM_RIGHTS). The consumer needs no access to /dev/mempool: it maps the
 * dma-buf, reads the bytes where they lie, and closes it, and with the
 * last reference gone the buffer returns to the pool, zeroed for its next
 * lessee. The pool has fewer buffers than there are messages, so the
 * producer's MPL_WAIT leases wait for the consumer's closes.
 *
 * Exit status 0 once the consumer has confirmed every buffer and all of
 * them are back in the pool, 1 otherwise; 77 (and a SKIP line) if the
 * loaded module cannot export (no MPOOL_FEAT_EXPORT).
 *
 * Build: cc dmabuf-producer.c $(pkg-config --cflags --libs mempool)
 */
#define _GNU_SOURCE		/* unix-socket.h: accept4() */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mempool.h>

#include "dmabuf.h"
#include "unix-socket.h"

#define POOL_BUFS	4			/* fewer than the messages */
#define BUF_SIZE	(64 * 1024)
#define WAIT_NS		5000000000ULL		/* for a buffer: 5 s at most */
#define EXIT_SKIP	77

static int fail(const char *what, int err)
{
	fprintf(stderr, "dmabuf-producer: %s: %s\n", what, mpl_strerror(err));
	return 1;
}

/* Send message @seq, with the dma-buf @fd attached unless @fd < 0. */
static int send_msg(int sock, uint32_t seq, uint32_t len, int fd)
{
	struct db_msg m = { .seq = seq, .len = len };

	return ex_send(sock, &m, sizeof(m), fd);
}

static int produce(struct mpl_dev *dev, int sock, unsigned int count)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = MPL_POOL_SESSION);
	char name[MPOOL_POOL_NAME_MAX];
	struct mpool_pool_stats st;
	struct mpl_pool *pool;
	struct db_msg reply;
	unsigned char *buf;
	unsigned int seq;
	int err, fd;
	uint32_t id;
	size_t i;

	snprintf(name, sizeof(name), "db-%d", (int)getpid());
	err = mpl_pool_create_opts(dev, name, MPOOL_ENG_RING, BUF_SIZE, POOL_BUFS, &opts, &pool);
	if (err)
		return fail("create", err);

	for (seq = 0; seq < count; seq++) {
		/* Sleeps while the consumer holds every buffer. */
		err = mpl_lease(pool, &id, 1, MPL_WAIT, WAIT_NS);
		if (err)
			return fail("lease", err);
		buf = mpl_buf(pool, id);
		if (!buf)
			return fail("map", -errno);
		for (i = 0; i < BUF_SIZE; i++)
			buf[i] = db_byte(seq, i);
		/*
		 * The lease passes to the dma-buf: from here on this session
		 * cannot touch the buffer (its pages raise SIGBUS) nor release
		 * it; the buffer comes back when the dma-buf's last reference
		 * goes.
		 */
		err = mpl_export(pool, id, MPL_EXPORT_RDONLY, &fd);
		if (err)
			return fail("export", err);
		err = send_msg(sock, seq, BUF_SIZE, fd);
		/* The consumer has its own reference now (or none: then it is back). */
		close(fd);
		if (err)
			return fail("send", err);
	}
	err = send_msg(sock, DB_END, 0, -1);
	if (err)
		return fail("send", err);
	if (recv(sock, &reply, sizeof(reply), 0) != (ssize_t)sizeof(reply))
		return fail("no word from the consumer", errno ? -errno : -EPIPE);
	if (reply.seq != DB_END || reply.len != count) {
		fprintf(stderr, "dmabuf-producer: the consumer confirmed %u of %u buffers\n",
			reply.len, count);
		return 1;
	}

	/* The kernel agrees: every buffer is back in the pool. */
	err = mpl_pool_stats(pool, &st);
	if (err)
		return fail("stats", err);
	if (st.nr_free != POOL_BUFS || st.nr_exported || st.nr_mine || st.leases < count) {
		fprintf(stderr, "dmabuf-producer: %u of %u buffers free, %u exported, %u held, %llu leased\n",
			st.nr_free, POOL_BUFS, st.nr_exported, st.nr_mine,
			(unsigned long long)st.leases);
		return 1;
	}
	printf("dmabuf-producer: %u buffers of %u KiB filled, exported as dma-bufs and passed on through a pool of %u; all came back\n",
	       count, BUF_SIZE / 1024, POOL_BUFS);
	return 0;
}

int main(int argc, char **argv)
{
	struct mpool_info info;
	unsigned int count = 16;
	struct mpl_dev *dev;
	int sock, err, ret;

	if (argc < 2 || argc > 3 || (argc == 3 && (count = atoi(argv[2])) < 1)) {
		fprintf(stderr, "usage: dmabuf-producer SOCKET [COUNT]\n");
		return 2;
	}
	err = mpl_open(NULL, &dev);
	if (err)
		return fail("open " MPOOL_DEVICE, err);
	err = mpl_info(dev, &info);
	if (err) {
		mpl_close(dev);
		return fail("info", err);
	}
	/* The consumer is waiting either way: connect, so that it hears the end. */
	sock = ex_connect(argv[1]);
	if (sock < 0) {
		mpl_close(dev);
		return fail(argv[1], sock);
	}
	if (!(info.features & MPOOL_FEAT_EXPORT)) {
		printf("dmabuf-producer: SKIP: this mempool.ko cannot export dma-bufs\n");
		send_msg(sock, DB_END, 0, -1);
		ret = EXIT_SKIP;
	} else {
		ret = produce(dev, sock, count);
	}
	err = mpl_close(dev);
	if (err && !ret)
		ret = fail("close", err);
	close(sock);
	return ret;
}
