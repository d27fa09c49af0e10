/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Unix socket plumbing the example pairs share: connect (waiting for
 * the other side to listen), listen and accept one peer, and one message
 * with or without a descriptor attached (SCM_RIGHTS). Every function
 * returns a descriptor or 0, or -errno.
 */
#ifndef EXAMPLES_UNIX_SOCKET_H
#define EXAMPLES_UNIX_SOCKET_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Connect to @path, waiting up to 5 s for the other side to listen. */
static inline int ex_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int fd, i;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	for (i = 0; i < 100; i++) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		if (errno != ENOENT && errno != ECONNREFUSED)
			return -errno;
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

/* Listen at @path, accept one peer, and take the name away again. */
static inline int ex_accept_one(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lsock, sock, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lsock < 0)
		return -errno;
	unlink(path);
	if (bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) || listen(lsock, 1)) {
		err = -errno;
		close(lsock);
		return err;
	}
	sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	err = -errno;
	close(lsock);
	unlink(path);
	return sock < 0 ? err : sock;
}

/* Send @len bytes of @msg, with descriptor @fd attached unless @fd < 0. */
static inline int ex_send(int sock, const void *msg, size_t len, int fd)
{
	union {		/* aligned room for one control message */
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		return errno ? -errno : -EPIPE;
	return 0;
}

/*
 * Receive exactly @len bytes into @msg, and the descriptor attached to
 * them into *@fdp (-1 if none; close-on-exec).
 */
static inline int ex_recv(int sock, void *msg, size_t len, int *fdp)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*fdp = -1;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -EPROTO;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm)
		return 0;
	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(fdp, CMSG_DATA(cm), sizeof(int));
	return 0;
}

#endif /* EXAMPLES_UNIX_SOCKET_H */
