// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-consumer: reads, without copying them, the buffers that
 * dmabuf-producer.c exports as dma-bufs (the messages are in dmabuf.h).
 *
 *   dmabuf-consumer /tmp/db.sock &  dmabuf-producer /tmp/db.sock [COUNT]
 *
 * It listens on the Unix socket and receives one dma-buf descriptor per
 * buffer (SCM_RIGHTS). It never opens /dev/mempool: a dma-buf is all it
 * needs. For each, it asks the dma-buf its size (lseek to the end), maps
 * it read-only, brackets its reads with DMA_BUF_IOCTL_SYNC as any CPU
 * user of a dma-buf must, checks every byte where it lies, and unmaps and
 * closes it: the last reference gone, the buffer returns to the producer's
 * pool.
 *
 * Exit status 0 once every buffer read as expected, 1 otherwise.
 *
 * Build: cc dmabuf-consumer.c (the kernel's UAPI headers only)
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

#include <linux/dma-buf.h>

#include "dmabuf.h"
#include "unix-socket.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "dmabuf-consumer: %s: %s\n", what, strerror(err));
	return 1;
}

static int sync_read(int fd, uint64_t how)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_READ | how };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/* Map dma-buf @fd, check message @m in place, unmap: 0 or -errno (-EBADMSG: wrong bytes). */
static int check_buf(int fd, const struct db_msg *m)
{
	const unsigned char *p;
	off_t size;
	int err, err2;
	size_t i;

	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (!m->len || (uint64_t)size < m->len)
		return -EPROTO;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	err = sync_read(fd, DMA_BUF_SYNC_START);
	for (i = 0; !err && i < m->len; i++) {
		if (p[i] != db_byte(m->seq, i)) {
			fprintf(stderr, "dmabuf-consumer: buffer %u, byte %zu: %#x, not %#x\n",
				m->seq, i, p[i], db_byte(m->seq, i));
			err = -EBADMSG;
		}
	}
	err2 = sync_read(fd, DMA_BUF_SYNC_END);
	if (munmap((void *)p, size) && !err)
		err = -errno;
	return err ? err : err2;
}

/* Read every buffer the producer sends; how many were right, or -1. */
static long consume(int sock)
{
	struct db_msg m;
	long good = 0;
	int err, fd;

	for (;;) {
		err = ex_recv(sock, &m, sizeof(m), &fd);
		if (err) {
			fail("recv", -err);
			return -1;
		}
		if (m.seq == DB_END && fd < 0)
			return good;
		if (fd < 0 || m.seq != good) {
			fprintf(stderr, "dmabuf-consumer: bad message %u (expected %ld)\n",
				m.seq, good);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		err = check_buf(fd, &m);
		/* The last reference: the buffer goes back to the producer's pool. */
		if (close(fd) && !err)
			err = -errno;
		if (err) {
			fail("dma-buf", -err);
			return -1;
		}
		good++;
	}
}

int main(int argc, char **argv)
{
	struct db_msg reply = { .seq = DB_END };
	long good;
	int sock;

	if (argc != 2) {
		fprintf(stderr, "usage: dmabuf-consumer SOCKET\n");
		return 2;
	}
	sock = ex_accept_one(argv[1]);
	if (sock < 0)
		return fail(argv[1], -sock);

	good = consume(sock);
	if (good > 0)
		reply.len = good;
	/* Tell the producer how it went, whatever happened. */
	if (send(sock, &reply, sizeof(reply), MSG_NOSIGNAL) != (ssize_t)sizeof(reply))
		return fail("send", errno);
	close(sock);
	if (good < 0)
		return 1;
	printf("dmabuf-consumer: read %ld dma-bufs in place, closed each\n", good);
	return 0;
}
