/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the userspace benchmarks (ubench.c, handoff.c) do alike to a
 * buffer: touch each page, and get a fresh dma-heap buffer written.
 */
#ifndef BENCH_USER_BUFFERS_H
#define BENCH_USER_BUFFERS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>

/*
 * Write one byte per page. Plain stores do: the buffer has escaped to
 * munmap() or ioctl(), which the compiler must assume read it.
 */
static inline void touch(char *p, size_t size, long page)
{
	size_t off;

	for (off = 0; off < size; off += page)
		p[off] = 1;
}

/*
 * DMA_HEAP_IOCTL_ALLOC of @size bytes on @heap_fd, mapped, touched and
 * unmapped: the new dma-buf's descriptor, or -1.
 */
static inline int dma_heap_touched(int heap_fd, size_t size, long page)
{
	struct dma_heap_allocation_data d = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char *p;

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d))
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	if (p == MAP_FAILED) {
		close(d.fd);
		return -1;
	}
	touch(p, size, page);
	if (munmap(p, size)) {
		close(d.fd);
		return -1;
	}
	return d.fd;
}

#endif /* BENCH_USER_BUFFERS_H */
