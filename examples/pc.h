/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What producer.c and consumer.c say to each other over their Unix socket.
 *
 * 1. producer -> consumer: struct pc_hello, with the producer's
 *    /dev/mempool descriptor attached (SCM_RIGHTS). The consumer now holds
 *    the same open file: the same session, its pools and its leases.
 * 2. producer -> consumer: one struct pc_buf per filled buffer; the
 *    consumer reads it where it lies and releases it (the lease is the
 *    session's, so either side may give it back).
 * 3. producer -> consumer: a struct pc_buf with id PC_END.
 * 4. consumer -> producer: a struct pc_buf with id PC_END and len = how
 *    many buffers it read and released, or 0 if any was wrong.
 */
#ifndef EXAMPLES_PC_H
#define EXAMPLES_PC_H

#include <stdint.h>

#define PC_END		UINT32_MAX

struct pc_hello {
	uint32_t pool_id;	/* the pool's handle in the shared session */
	uint32_t count;		/* buffers that will follow */
};

struct pc_buf {
	uint32_t id;		/* buffer id, or PC_END */
	uint32_t len;		/* bytes written at the buffer's start */
};

/* What the producer writes into buffer number @seq (and the consumer expects). */
#define PC_TEXT		"message %u from the producer"

#endif /* EXAMPLES_PC_H */
