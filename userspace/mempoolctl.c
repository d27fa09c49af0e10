// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl: command-line face of /dev/mempool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mempool.h>

static int open_dev(void)
{
	int fd = open(MPOOL_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "mempoolctl: %s not found: is mempool.ko loaded?\n",
				MPOOL_DEVICE);
		else
			fprintf(stderr, "mempoolctl: %s: %s\n", MPOOL_DEVICE, strerror(errno));
	}
	return fd;
}

static int cmd_info(void)
{
	struct mpool_info info = {};
	int fd = open_dev();

	if (fd < 0)
		return 1;
	if (ioctl(fd, MPOOL_IOC_INFO, &info)) {
		fprintf(stderr, "mempoolctl: info: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("api_version %u\nfeatures 0x%llx\nmax_pools %u\n", info.api_version,
	       (unsigned long long)info.features, info.max_pools);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mempoolctl COMMAND\n\n"
		   "commands:\n"
		   "  info    API version, features and limits of the loaded module\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "info"))
		return cmd_info();
	fprintf(stderr, "mempoolctl: unknown command '%s' (see --help)\n", argv[1]);
	return 2;
}
