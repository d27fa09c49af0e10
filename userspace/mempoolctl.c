// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl: command-line face of /dev/mempool. This file only dispatches;
 * each command lives in ctl/ and follows ctl/ctl.h's rules (--help, one-line
 * errors, exit 0/1/2).
 */
#include <stdbool.h>
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
	{ "stats", cmd_stats, "pools' statistics" },
	{ "watch", cmd_watch, "live view: ops/s, hit rate, occupancy, low watermark" },
	{ "resize", cmd_resize, "grow or shrink a pool" },
	{ "drain", cmd_drain, "gather a pool's idle buffers from CPU caches" },
	{ "set", cmd_set, "thresholds and access mode of a pool; print its settings" },
	{ "events", cmd_events, "print a pool's threshold events as they come" },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: mempoolctl [OPTIONS] COMMAND [ARGS]\n"
		   "       mempoolctl help [COMMAND]\n\n"
		   "commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\noptions (anywhere on the line, before a '--'):\n"
		   "  -d, --device PATH  the device (default " MPOOL_DEVICE ")\n"
		   "  -j, --json         print data as JSON (every command but lease)\n"
		   "  -V, --version      print the version and exit\n"
		   "  -h, --help         this text; after a COMMAND, that command's\n"
		   "\n'mempoolctl help COMMAND' describes each.\n"
		   "Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

static int find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(name, commands[i].name))
			return i;
	}
	return -1;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "mempoolctl: unknown command '%s' (see 'mempoolctl help')\n", name);
	return CTL_EXIT_USAGE;
}

/*
 * Take the global options out of argv, wherever they are (up to a "--"),
 * so that the command sees only its own. 0 to go on, or an exit code.
 */
static int global_options(int *argcp, char **argv, bool *version)
{
	int argc = *argcp, i, n = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--device") || !strcmp(a, "-d")) {
			if (i + 1 == argc) {
				fprintf(stderr, "mempoolctl: option '%s' needs a PATH\n", a);
				return CTL_EXIT_USAGE;
			}
			ctl_device = argv[++i];
		} else if (!strncmp(a, "--device=", 9)) {
			ctl_device = a + 9;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			ctl_json = true;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			*version = true;
		} else {
			argv[n++] = argv[i];
			continue;
		}
	}
	if (!*ctl_device) {
		fprintf(stderr, "mempoolctl: --device: empty PATH\n");
		return CTL_EXIT_USAGE;
	}
	argv[n] = NULL;
	*argcp = n;
	return 0;
}

static int print_version(void)
{
	unsigned int major, minor;
	const char *lib = mpl_version(&major, &minor);

	if (ctl_json)
		printf("{\"mempoolctl\":\"%s\",\"libmempool\":\"%s\"}\n", CTL_VERSION, lib);
	else
		printf("mempoolctl %s (libmempool %s)\n", CTL_VERSION, lib);
	/* A library older than the header this tool was built with. */
	if (major != MPL_VERSION_MAJOR || minor < MPL_VERSION_MINOR) {
		ctl_err("libmempool %s is older than the %d.%d this tool needs", lib,
			MPL_VERSION_MAJOR, MPL_VERSION_MINOR);
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	char *help_argv[3];
	bool version = false;
	int i, ret;

	argc--, argv++;
	ret = global_options(&argc, argv, &version);
	if (ret)
		return ret;
	if (argc && !strcmp(argv[0], "--"))
		argc--, argv++;
	if (version)
		return print_version();
	if (argc < 1) {
		fprintf(stderr, "mempoolctl: COMMAND missing (see 'mempoolctl help')\n");
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc == 1) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		if (argc > 2) {
			fprintf(stderr, "mempoolctl: help: one COMMAND only\n");
			return CTL_EXIT_USAGE;
		}
		i = find_command(argv[1]);
		if (i < 0)
			return unknown_command(argv[1]);
		help_argv[0] = argv[1];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return commands[i].fn(2, help_argv);
	}
	i = find_command(argv[0]);
	if (i < 0)
		return unknown_command(argv[0]);
	return commands[i].fn(argc, argv);
}
