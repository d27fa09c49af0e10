/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What dmabuf-producer.c and dmabuf-consumer.c say to each other over their
 * Unix socket.
 *
 * 1. producer -> consumer: one struct db_msg per filled buffer, with the
 *    buffer's dma-buf descriptor attached (SCM_RIGHTS). The dma-buf owns
 *    the buffer now; the consumer maps it, reads it and closes it, and the
 *    buffer goes back to the producer's pool.
 * 2. producer -> consumer: a struct db_msg with seq DB_END, no descriptor.
 * 3. consumer -> producer: a struct db_msg with seq DB_END and len = how
 *    many buffers it read, or 0 if any was wrong.
 */
#ifndef EXAMPLES_DMABUF_H
#define EXAMPLES_DMABUF_H

#include <stddef.h>
#include <stdint.h>

#define DB_END		UINT32_MAX

struct db_msg {
	uint32_t seq;		/* message number, or DB_END */
	uint32_t len;		/* bytes the producer wrote (the whole buffer) */
};

/* Byte @i of message @seq: what the producer writes, the consumer expects. */
static inline unsigned char db_byte(uint32_t seq, size_t i)
{
	return (unsigned char)(seq * 131 + i * 7 + (i >> 8) + 1);
}

#endif /* EXAMPLES_DMABUF_H */
