/* SPDX-License-Identifier: GPL-2.0 */
/* The userspace stand-in for /dev/mempool (fake_dev.c). */
#ifndef FAKE_DEV_H
#define FAKE_DEV_H

#define FAKE_DEVICE	"/fake/dev/mempool"

/* Inconsistencies the fake device noticed in its own books. */
unsigned long fake_violations(void);

#endif
