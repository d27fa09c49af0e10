// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * consumer: reads, without copying them, the buffers that producer.c fills
 * (the messages are in pc.h).
 *
 *   consumer /tmp/pc.sock &  producer /tmp/pc.sock [COUNT]
 *
 * It listens on the Unix socket, receives the producer's /dev/mempool
 * descriptor (SCM_RIGHTS), and so shares the producer's session: the pool
 * and the leases are as much its own as the producer's. It has no library
 * handle, only the descriptor, so it speaks the UAPI (<linux/mempool.h>)
 * directly: MPOOL_IOC_POOL_STATS for where the pool lies in the mapping,
 * mmap() of those pages, MPOOL_IOC_RELEASE to give each buffer back.
 *
 * Exit status 0 once every message read as expected and was released,
 * 1 otherwise.
 *
 * Build: cc consumer.c $(pkg-config --cflags mempool)
 */
#define _GNU_SOURCE		/* accept4(), MSG_CMSG_CLOEXEC */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/mempool.h>

#include "pc.h"
#include "unix-socket.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "consumer: %s: %s\n", what, strerror(err));
	return 1;
}

/* Receive the hello and the descriptor attached to it; fd or -errno. */
static int recv_fd(int sock, struct pc_hello *hello)
{
	int err, fd;

	err = ex_recv(sock, hello, sizeof(*hello), &fd);
	if (err)
		return err;
	return fd >= 0 ? fd : -EPROTO;
}

/* Give buffer @id back: the lease is the shared session's. 0 or errno. */
static int release(int dev, uint32_t pool_id, uint32_t id)
{
	struct mpool_release r = {
		.pool_id = pool_id, .count = 1, .ids = (uintptr_t)&id,
	};

	return ioctl(dev, MPOOL_IOC_RELEASE, &r) ? errno : 0;
}

/* Read every buffer the producer announces; how many were right, or -1. */
static long consume(int sock, int dev, const struct pc_hello *hello)
{
	struct mpool_pool_stats st = { .pool_id = hello->pool_id };
	char want[64];
	struct pc_buf m;
	long good = 0;
	const char *map, *buf;
	int err;

	/* Where the pool lies in the session's mapping, and its shape. */
	if (ioctl(dev, MPOOL_IOC_POOL_STATS, &st)) {
		fail("pool stats", errno);
		return -1;
	}
	/*
	 * The same pages the producer writes to: no copy is ever made. Only
	 * the buffers the session leases can be touched (others: SIGBUS).
	 */
	map = mmap(NULL, st.mmap_len, PROT_READ, MAP_SHARED, dev, st.mmap_offset);
	if (map == MAP_FAILED) {
		fail("mmap", errno);
		return -1;
	}

	for (;;) {
		if (recv(sock, &m, sizeof(m), 0) != (ssize_t)sizeof(m)) {
			good = -1;
			fail("recv", errno ? errno : EPROTO);
			break;
		}
		if (m.id == PC_END)
			break;
		if ((uint64_t)m.id * st.buf_size >= st.mmap_len || !m.len || m.len > st.buf_size) {
			fprintf(stderr, "consumer: bad message: id %u len %u\n", m.id, m.len);
			good = -1;
			break;
		}
		buf = map + (size_t)m.id * st.buf_size;
		snprintf(want, sizeof(want), PC_TEXT, (unsigned int)good);
		if (buf[m.len - 1] || strcmp(buf, want)) {
			fprintf(stderr, "consumer: buffer %u: \"%.*s\", not \"%s\"\n", m.id,
				(int)m.len, buf, want);
			good = -1;
			break;
		}
		/* Done with it: from now on it is anybody's, and not ours to read. */
		err = release(dev, hello->pool_id, m.id);
		if (err) {
			fail("release", err);
			good = -1;
			break;
		}
		good++;
	}
	if (munmap((void *)map, st.mmap_len)) {
		fail("munmap", errno);
		return -1;
	}
	return good;
}

int main(int argc, char **argv)
{
	struct pc_hello hello;
	struct pc_buf reply = { .id = PC_END };
	int sock, dev;
	long good;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer SOCKET\n");
		return 2;
	}
	sock = ex_accept_one(argv[1]);
	if (sock < 0)
		return fail(argv[1], -sock);

	dev = recv_fd(sock, &hello);
	if (dev < 0)
		return fail("receive the session", -dev);
	good = consume(sock, dev, &hello);
	if (good == hello.count)
		reply.len = good;
	/* Tell the producer how it went, whatever happened. */
	if (send(sock, &reply, sizeof(reply), MSG_NOSIGNAL) != (ssize_t)sizeof(reply))
		return fail("send", errno);
	/*
	 * Our reference to the session. Buffers left unreleased would go back
	 * to the pool when the producer's reference goes too.
	 */
	if (close(dev))
		return fail("close", errno);
	close(sock);
	if (good != hello.count) {
		if (good >= 0)
			fprintf(stderr, "consumer: %ld of %u buffers\n", good, hello.count);
		return 1;
	}
	printf("consumer: read %ld buffers in place through the producer's session, released each\n",
	       good);
	return 0;
}
