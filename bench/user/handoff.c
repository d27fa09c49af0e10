// SPDX-License-Identifier: GPL-2.0
/*
 * mpool-handoff: a buffer filled by one process and read by another,
 * timed inside the benchmark VM. The consumer is a forked child at the
 * other end of a Unix socketpair; descriptors travel as SCM_RIGHTS.
 *
 * Workload "handoff": one buffer at a time, the producer waiting for the
 * consumer's word before the next (ns per cycle).
 *   export     mpl_lease(), write one byte per page through the pool's
 *              mapping, mpl_export() (MPOOL_IOC_EXPORT), send the dma-buf,
 *              close it; the consumer maps it, reads one byte per page,
 *              unmaps and closes it (the buffer goes back to the pool)
 *   export_populate  the same, the consumer mapping with MAP_POPULATE
 *   dma_heap   DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system, map, write
 *              one byte per page, unmap, send the dma-buf, close it; the
 *              consumer as above (the pages are freed)
 *
 * Workload "stream": STREAM_BYTES from producer to consumer, buffers of
 * one size, as fast as they go (ns per buffer; bytes/s = size / ns).
 *   dmabuf     the producer leases (waiting for a free buffer: the pool of
 *              STREAM_BUFS is the flow control), fills the whole buffer,
 *              exports and sends it; the consumer maps it, reads every
 *              byte where it lies, unmaps and closes it
 *   dmabuf_populate  the same, the consumer mapping with MAP_POPULATE
 *   pipe       the producer fills a buffer of its own and write()s it to a
 *              pipe (sized to the buffer where the kernel allows); the
 *              consumer read()s it into a buffer of its own and reads
 *              every byte there: two copies
 *
 *   mpool-handoff KERNEL INIT_ON_ALLOC [OPS]
 *
 * prints BENCH lines in the format of mempool_bench.ko (threads = 2: two
 * processes); a subject that cannot run here (no dma-heap, a module
 * without MPOOL_FEAT_EXPORT) gets a BENCH-SKIP line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mempool.h>
#include <mempool.h>

#include "buffers.h"
/* The socket plumbing of the examples, SCM_RIGHTS included. */
#include "../../examples/unix-socket.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define REPS		5
#define STREAM_BUFS	8
#define STREAM_BYTES	(64UL << 20)
#define WAIT_NS		10000000000ULL

static const size_t handoff_sizes[] = { 4096, 65536 };
static const size_t stream_sizes[] = { 65536, 1 << 20 };

/* What travels on the socket; a dma-buf rides along with MSG_BUF. */
enum { MSG_BUF, MSG_END };

struct msg {
	uint32_t op;
	uint32_t len;
};

struct ctx {
	size_t size;
	long page;
	int heap_fd;
	struct mpl_dev *dev;
	struct mpl_pool *pool;
	int sock;		/* producer's end */
	int pipe_wr;		/* stream over a pipe: producer's end */
	char *priv;		/* the pipe producer's own buffer */
};

static int send_msg(int sock, uint32_t op, uint32_t len, int fd)
{
	struct msg m = { .op = op, .len = len };

	return ex_send(sock, &m, sizeof(m), fd);
}

static int recv_msg(int sock, struct msg *m, int *fdp)
{
	return ex_recv(sock, m, sizeof(*m), fdp);
}

/* Read [p, p + len): every @step-th byte (a page's worth of touching) or all. */
static uint64_t read_bytes(const unsigned char *p, size_t len, size_t step)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t sum = 0;
	size_t i;

	if (step > 1) {
		for (i = 0; i < len; i += step)
			sum += p[i];
		return sum;
	}
	for (i = 0; i < len / sizeof(*w); i++)
		sum += w[i];
	return sum;
}

static volatile uint64_t sink;

/*
 * The consumer: each dma-buf mapped, read (one byte per page, or all with
 * @all), unmapped, closed; after each (@ack) or only at the end, a word
 * back. Runs in the child; its exit status says whether all went well.
 */
static int consume_dmabufs(int sock, long page, int all, int ack, int populate)
{
	struct msg m;
	void *p;
	int fd;

	for (;;) {
		if (recv_msg(sock, &m, &fd))
			return 1;
		if (m.op == MSG_END)
			return send_msg(sock, MSG_END, 0, -1) ? 1 : 0;
		if (fd < 0)
			return 1;
		p = mmap(NULL, m.len, PROT_READ,
			 MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);
		if (p == MAP_FAILED)
			return 1;
		sink += read_bytes(p, m.len, all ? 1 : page);
		if (munmap(p, m.len) || close(fd))
			return 1;
		if (ack && send_msg(sock, MSG_BUF, 0, -1))
			return 1;
	}
}

/* The pipe consumer: read() @total bytes in @size chunks into its own buffer. */
static int consume_pipe(int sock, int rd, size_t size, size_t total)
{
	char *buf = malloc(size);
	size_t got, done;
	ssize_t n;

	if (!buf)
		return 1;
	for (done = 0; done < total; done += size) {
		for (got = 0; got < size; got += n) {
			n = read(rd, buf + got, size - got);
			if (n <= 0)
				return 1;
		}
		sink += read_bytes((unsigned char *)buf, size, 1);
	}
	free(buf);
	return send_msg(sock, MSG_END, 0, -1) ? 1 : 0;
}

static int wait_word(struct ctx *c)
{
	struct msg m;
	int fd;

	if (recv_msg(c->sock, &m, &fd))
		return -1;
	if (fd >= 0)
		close(fd);
	return 0;
}

/* handoff/export: one cycle. */
static int cycle_export(struct ctx *c)
{
	uint32_t id;
	int fd, err;

	if (mpl_lease(c->pool, &id, 1, 0, 0))
		return -1;
	touch(mpl_buf(c->pool, id), c->size, c->page);
	if (mpl_export(c->pool, id, 0, &fd))
		return -1;
	err = send_msg(c->sock, MSG_BUF, c->size, fd);
	return close(fd) || err || wait_word(c);
}

/* handoff/dma_heap: one cycle. */
static int cycle_dma_heap(struct ctx *c)
{
	int fd = dma_heap_touched(c->heap_fd, c->size, c->page), err;

	if (fd < 0)
		return -1;
	err = send_msg(c->sock, MSG_BUF, c->size, fd);
	return close(fd) || err || wait_word(c);
}

/* stream/dmabuf: one buffer. */
static int stream_dmabuf(struct ctx *c)
{
	uint32_t id;
	int fd, err;

	if (mpl_lease(c->pool, &id, 1, MPL_WAIT, WAIT_NS))
		return -1;
	memset(mpl_buf(c->pool, id), 0x6d, c->size);
	if (mpl_export(c->pool, id, MPL_EXPORT_RDONLY, &fd))
		return -1;
	err = send_msg(c->sock, MSG_BUF, c->size, fd);
	return close(fd) || err;
}

/* stream/pipe: one buffer. */
static int stream_pipe(struct ctx *c)
{
	size_t done;
	ssize_t n;

	memset(c->priv, 0x6d, c->size);
	for (done = 0; done < c->size; done += n) {
		n = write(c->pipe_wr, c->priv + done, c->size - done);
		if (n <= 0)
			return -1;
	}
	return 0;
}

struct subject {
	const char *workload;
	const char *name;
	int (*one)(struct ctx *c);
	int all;		/* the consumer reads every byte */
	int ack;		/* and answers each buffer */
	int populate;		/* and maps dma-bufs with MAP_POPULATE */
};

static const struct subject subjects[] = {
	{ "handoff", "export", cycle_export, 0, 1, 0 },
	{ "handoff", "export_populate", cycle_export, 0, 1, 1 },
	{ "handoff", "dma_heap", cycle_dma_heap, 0, 1, 0 },
	{ "stream", "dmabuf", stream_dmabuf, 1, 0, 0 },
	{ "stream", "dmabuf_populate", stream_dmabuf, 1, 0, 1 },
	{ "stream", "pipe", stream_pipe, 1, 0, 0 },
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One run: fork the consumer, send @ops buffers, wait for its end. ns per buffer or < 0. */
static double run_once(const struct subject *s, struct ctx *c, unsigned long ops)
{
	int sv[2], pfd[2] = { -1, -1 }, ok = 0;
	unsigned long i;
	double t0, t;
	pid_t pid;
	int status;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (s->one == stream_pipe) {
		if (pipe2(pfd, O_CLOEXEC)) {
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		/* As large as the buffer, where the kernel allows it. */
		fcntl(pfd[1], F_SETPIPE_SZ, (int)c->size);
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (!pid) {
		close(sv[0]);
		if (s->one == stream_pipe) {
			close(pfd[1]);
			_exit(consume_pipe(sv[1], pfd[0], c->size, ops * c->size));
		}
		_exit(consume_dmabufs(sv[1], c->page, s->all, s->ack, s->populate));
	}
	close(sv[1]);
	if (pfd[0] >= 0)
		close(pfd[0]);
	c->sock = sv[0];
	c->pipe_wr = pfd[1];
	for (i = 0; i < ops; i++) {
		if (s->one(c))
			break;
	}
	if (i == ops && (s->one == stream_pipe || !send_msg(c->sock, MSG_END, 0, -1)) &&
	    !wait_word(c))
		ok = 1;
	t = now_ns() - t0;
	close(sv[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		ok = 0;
	return ok ? t / ops : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over REPS runs, after a warm-up run. */
static int measure(const struct subject *s, struct ctx *c, unsigned long ops, double *ns)
{
	double t[REPS];
	int r;

	for (r = -1; r < REPS; r++) {
		double one = run_once(s, c, ops);

		if (one < 0)
			return -1;
		if (r >= 0)
			t[r] = one;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_double);
	*ns = t[REPS / 2];
	return 0;
}

static int pool_setup(struct ctx *c, uint32_t bufs)
{
	MPL_OPTS(mpl_pool_opts, opts, .flags = MPL_POOL_SESSION);
	char name[MPOOL_POOL_NAME_MAX];

	snprintf(name, sizeof(name), "handoff%zu", c->size);
	if (mpl_pool_create_opts(c->dev, name, MPOOL_ENG_PERCPU, c->size, bufs, &opts,
				 &c->pool))
		return -1;
	if (mpl_map(c->pool, NULL)) {
		mpl_pool_destroy(c->pool);
		c->pool = NULL;
		return -1;
	}
	return 0;
}

static void bench_size(const char *kernel, const char *ioa, long cpus, const char *workload,
		       size_t size, unsigned long ops, int heap_fd, struct mpl_dev *dev,
		       int can_export)
{
	struct ctx c = {
		.size = size, .page = sysconf(_SC_PAGESIZE), .heap_fd = heap_fd, .dev = dev,
		.pipe_wr = -1,
	};
	const char *why;
	unsigned int s;
	double ns = 0;

	if (can_export && pool_setup(&c, STREAM_BUFS))
		can_export = 0;
	c.priv = malloc(size);
	for (s = 0; s < ARRAY_SIZE(subjects); s++) {
		const struct subject *sj = &subjects[s];

		if (strcmp(sj->workload, workload))
			continue;
		why = NULL;
		if (sj->one == cycle_dma_heap && heap_fd < 0)
			why = "no /dev/dma_heap/system";
		if ((sj->one == cycle_export || sj->one == stream_dmabuf) && !can_export)
			why = dev ? "no MPOOL_FEAT_EXPORT" : "no /dev/mempool";
		if (!why && !c.priv)
			why = "out of memory";
		if (!why && measure(sj, &c, ops, &ns))
			why = strerror(errno ? errno : EIO);
		if (why) {
			printf("BENCH-SKIP,%s,%s,%zu,%s\n", workload, sj->name, size, why);
			continue;
		}
		printf("BENCH,%s,%ld,%s,%s,%s,%zu,%.1f,%.3f,2,%d,0\n", kernel, cpus, ioa,
		       workload, sj->name, size, ns, 1e3 / ns, REPS);
		fflush(stdout);
	}
	free(c.priv);
	if (c.pool)
		mpl_pool_destroy(c.pool);
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct mpool_info info = {};
	struct mpl_dev *dev = NULL;
	unsigned long ops = 1000;
	int heap_fd, can_export;
	unsigned int z;

	if (argc < 3)
		return fprintf(stderr, "usage: mpool-handoff KERNEL INIT_ON_ALLOC [OPS]\n"), 2;
	if (argc > 3)
		ops = strtoul(argv[3], NULL, 0);
	if (!ops)
		ops = 1;
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (mpl_open(NULL, &dev))
		dev = NULL;
	can_export = dev && !mpl_info(dev, &info) && (info.features & MPOOL_FEAT_EXPORT);
	for (z = 0; z < ARRAY_SIZE(handoff_sizes); z++)
		bench_size(argv[1], argv[2], cpus, "handoff", handoff_sizes[z], ops, heap_fd,
			   dev, can_export);
	for (z = 0; z < ARRAY_SIZE(stream_sizes); z++)
		bench_size(argv[1], argv[2], cpus, "stream", stream_sizes[z],
			   STREAM_BYTES / stream_sizes[z], heap_fd, dev, can_export);
	if (dev)
		mpl_close(dev);
	if (heap_fd >= 0)
		close(heap_fd);
	return 0;
}
