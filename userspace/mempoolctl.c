// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl: command-line face of /dev/mempool. This file only dispatches;
 * each command lives in ctl/ and follows ctl/ctl.h's rules (--help, one-line
 * errors, exit 0/1/2).
 */
#include <string.h>

#include "ctl/ctl.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "info", cmd_info, "API version, features and limits of the loaded module" },
	{ "create", cmd_create, "create a pool" },
	{ "destroy", cmd_destroy, "remove a pool's name" },
	{ "list", cmd_list, "list the pools you may attach to" },
	{ "lease", cmd_lease, "lease buffers, fill them, hold them" },
	{ "bench", cmd_bench, "time lease+release: single, batch, magazine" },
	{ "stats", cmd_stats, "pools' statistics (--json)" },
	{ "watch", cmd_watch, "live view: ops/s, hit rate, occupancy, low watermark" },
	{ "resize", cmd_resize, "grow or shrink a pool" },
	{ "drain", cmd_drain, "gather a pool's idle buffers from CPU caches" },
	{ "set", cmd_set, "thresholds and access mode of a pool; print its settings" },
	{ "events", cmd_events, "print a pool's threshold events as they come" },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: mempoolctl [--device PATH] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'mempoolctl COMMAND --help' describes each.\n"
		   "Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	unsigned int i;

	argc--, argv++;
	if (argc >= 2 && !strcmp(argv[0], "--device")) {
		ctl_device = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc < 1) {
		fprintf(stderr, "mempoolctl: COMMAND missing (see 'mempoolctl --help')\n");
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].fn(argc, argv);
	}
	fprintf(stderr, "mempoolctl: unknown command '%s' (see 'mempoolctl --help')\n", argv[0]);
	return CTL_EXIT_USAGE;
}
