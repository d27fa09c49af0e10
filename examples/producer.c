// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * producer: fills /dev/mempool buffers for another process to read where
 * they lie (see consumer.c; the messages are in pc.h).
 *
 *   consumer /tmp/pc.sock &  producer /tmp/pc.sock [COUNT]
 *
 * It opens a session with libmempool, creates a small session-scoped pool,
 * and hands its /dev/mempool descriptor to the consumer over the Unix
 * socket (SCM_RIGHTS): both processes then hold one open file, one
 * session, and its leases. It leases one buffer at a time, writes a message
 * into it and sends only its id; the consumer maps the same pages, reads
 * the bytes without a copy and releases the buffer. The pool has fewer
 * buffers than there are messages, so the producer's MPL_WAIT leases wait
 * for the consumer's releases: the pool is the flow control.
 *
 * Every call is checked; exit status 0 once the consumer has confirmed
 * every message and the session holds no buffer, 1 otherwise.
 *
 * Build: cc producer.c $(pkg-config --cflags --libs mempool)
 */
#define _GNU_SOURCE		/* unix-socket.h: accept4() */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mempool.h>

#include "pc.h"
#include "unix-socket.h"

#define POOL_BUFS	4			/* fewer than the messages */
#define WAIT_NS		5000000000ULL		/* for a buffer: 5 s at most */

static int fail(const char *what, int err)
{
	fprintf(stderr, "producer: %s: %s\n", what, mpl_strerror(err));
	return 1;
}

static int send_buf(int sock, uint32_t id, uint32_t len)
{
	struct pc_buf m = { .id = id, .len = len };

	return ex_send(sock, &m, sizeof(m), -1);
}

static int produce(struct mpl_dev *dev, int sock, unsigned int count)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = MPL_POOL_SESSION);
	struct mpool_pool_stats st;
	struct pc_hello hello;
	struct mpl_pool *pool;
	struct pc_buf reply;
	char name[MPOOL_POOL_NAME_MAX];
	unsigned int seq;
	uint32_t id;
	char *buf;
	int err, len;

	snprintf(name, sizeof(name), "pc-%d", (int)getpid());
	err = mpl_pool_create_opts(dev, name, MPOOL_ENG_RING, sysconf(_SC_PAGESIZE), POOL_BUFS,
				   &opts, &pool);
	if (err)
		return fail("create", err);
	/* The pool's id in the session: what the consumer passes to ioctl(). */
	err = mpl_pool_stats(pool, &st);
	if (err)
		return fail("stats", err);

	hello.pool_id = st.pool_id;
	hello.count = count;
	err = ex_send(sock, &hello, sizeof(hello), mpl_fd(dev));
	if (err)
		return fail("send the session", err);

	for (seq = 0; seq < count; seq++) {
		/* Sleeps while the consumer holds every buffer. */
		err = mpl_lease(pool, &id, 1, MPL_WAIT, WAIT_NS);
		if (err)
			return fail("lease", err);
		buf = mpl_buf(pool, id);
		if (!buf)
			return fail("map", -errno);
		len = snprintf(buf, mpl_pool_buf_size(pool), PC_TEXT, seq) + 1;
		/*
		 * Only the id travels. The buffer is the consumer's to release
		 * now: the producer must not touch it again.
		 */
		err = send_buf(sock, id, len);
		if (err)
			return fail("send", err);
	}
	err = send_buf(sock, PC_END, 0);
	if (err)
		return fail("send", err);
	if (recv(sock, &reply, sizeof(reply), 0) != (ssize_t)sizeof(reply))
		return fail("no word from the consumer", errno ? -errno : -EPIPE);
	if (reply.id != PC_END || reply.len != count) {
		fprintf(stderr, "producer: the consumer confirmed %u of %u buffers\n",
			reply.len, count);
		return 1;
	}

	/* The kernel agrees: the consumer released every buffer we leased. */
	err = mpl_pool_stats(pool, &st);
	if (err)
		return fail("stats", err);
	if (st.nr_mine || st.releases < count) {
		fprintf(stderr, "producer: session holds %u, %llu released\n", st.nr_mine,
			(unsigned long long)st.releases);
		return 1;
	}
	printf("producer: %u buffers filled in place and handed over by id through a pool of %u; the consumer released them all\n",
	       count, POOL_BUFS);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int count = 16;
	struct mpl_dev *dev;
	int sock, err, ret;

	if (argc < 2 || argc > 3 || (argc == 3 && (count = atoi(argv[2])) < 1)) {
		fprintf(stderr, "usage: producer SOCKET [COUNT]\n");
		return 2;
	}
	sock = ex_connect(argv[1]);
	if (sock < 0)
		return fail(argv[1], sock);
	err = mpl_open(NULL, &dev);
	if (err) {
		close(sock);
		return fail("open " MPOOL_DEVICE, err);
	}
	ret = produce(dev, sock, count);
	/*
	 * Our end of the session. It lives on while the consumer holds its
	 * copy of the descriptor (or a mapping); the pool goes with it.
	 */
	err = mpl_close(dev);
	if (err && !ret)
		ret = fail("close", err);
	close(sock);
	return ret;
}
