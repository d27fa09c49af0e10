// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl list: every user pool on the system.
 *
 * The UAPI has no global listing: a session sees only the pools it created
 * or attached. The pool names come from debugfs instead, where every pool
 * has an entry named after it (user pool "foo" is the kernel pool
 * "u.foo"); each name is then checked and measured through the UAPI, by
 * attaching to it from a fresh session, so the listing does not depend on
 * the layout of the files inside.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/mempool"

static const char usage[] =
	"usage: mempoolctl list [--names] [NAME...]\n"
	"\n"
	"List the pools /dev/mempool users created: name, engine, buffer size and\n"
	"count, buffers free and leased, sessions attached (besides this one).\n"
	"Without NAMEs, every pool: their names come from debugfs\n"
	"(" DEBUGFS_DIR "), which needs debugfs mounted and, usually, root.\n"
	"\n"
	"      --names  print the names only, one per line\n";

struct names {
	char (*v)[MPOOL_POOL_NAME_MAX];
	size_t n, cap;
};

static bool valid_name(const char *s)
{
	size_t len = strlen(s);

	return len && len < MPOOL_POOL_NAME_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == len;
}

static void add_name(struct names *names, const char *s)
{
	size_t i;

	if (!valid_name(s))
		return;
	for (i = 0; i < names->n; i++) {
		if (!strcmp(names->v[i], s))
			return;
	}
	if (names->n == names->cap) {
		names->cap = names->cap ? 2 * names->cap : 16;
		names->v = realloc(names->v, names->cap * sizeof(*names->v));
		if (!names->v) {
			ctl_err("list: out of memory");
			exit(CTL_EXIT_FAIL);
		}
	}
	snprintf(names->v[names->n++], MPOOL_POOL_NAME_MAX, "%s", s);
}

/* Candidate names: the entries of @path and of its subdirectories. */
static int scan(struct names *names, const char *path, int depth)
{
	struct dirent *de;
	char sub[512];
	DIR *d;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		add_name(names, strncmp(de->d_name, "u.", 2) ? de->d_name : de->d_name + 2);
		if (depth && de->d_type == DT_DIR) {
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			scan(names, sub, depth - 1);
		}
	}
	closedir(d);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct names names = { 0 };
	struct mpool_pool_stats st;
	struct mpool_info info;
	unsigned int listed = 0;
	bool names_only = false, explicit = false;
	int ret = CTL_EXIT_OK;
	struct mpl_pool *pool;
	struct mpl_dev *dev;
	int c, err;
	size_t i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return ctl_help(usage);
		if (c == 'n') {
			names_only = true;
			continue;
		}
		return ctl_opt_error(argv[0], argv, c);
	}
	for (i = optind; i < (size_t)argc; i++) {
		if (!valid_name(argv[i]))
			return ctl_bad_usage(argv[0], "'%s' is not a valid pool name", argv[i]);
	}

	/* First the device, so that "module not loaded" is what gets said. */
	dev = ctl_open();
	if (!dev)
		return CTL_EXIT_FAIL;
	if (mpl_info(dev, &info))
		info.nr_pools = 0;
	mpl_close(dev);
	if (optind < argc) {
		explicit = true;
		for (i = optind; i < (size_t)argc; i++)
			add_name(&names, argv[i]);
	} else {
		err = scan(&names, DEBUGFS_DIR, 1);
		if (err) {
			ctl_err("list: %s: %s (the UAPI has no global pool listing: "
				"mount debugfs and run as root, or name the pools)",
				DEBUGFS_DIR, mpl_strerror(err));
			return CTL_EXIT_FAIL;
		}
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	}

	if (!names_only)
		printf("%-23s %-8s %9s %6s %6s %6s %8s\n", "NAME", "ENGINE", "BUF_SIZE",
		       "COUNT", "FREE", "LEASED", "SESSIONS");
	for (i = 0; i < names.n; i++) {
		/* A session per pool: one session may attach only so many. */
		err = mpl_open(ctl_device, &dev);
		if (err) {
			ctl_err("list: %s: %s", ctl_device, mpl_strerror(err));
			ret = CTL_EXIT_FAIL;
			break;
		}
		if (mpl_pool_attach(dev, names.v[i], &pool) || mpl_pool_stats(pool, &st)) {
			/* Not a user pool (a kernel one, a file), or gone since. */
			if (explicit) {
				ctl_err("list: no pool named '%s'", names.v[i]);
				ret = CTL_EXIT_FAIL;
			}
			mpl_close(dev);
			continue;
		}
		if (names_only)
			printf("%s\n", names.v[i]);
		else
			printf("%-23s %-8s %9llu %6u %6u %6u %8u\n", names.v[i],
			       mpl_engine_name(st.engine), (unsigned long long)st.buf_size,
			       st.buf_count, st.nr_free, st.nr_leased, st.nr_sessions - 1);
		listed++;
		mpl_close(dev);
	}
	/* Destroyed pools still in use count too, and cannot be listed. */
	if (!explicit && listed < info.nr_pools)
		fprintf(stderr, "mempoolctl: list: %u pools exist, %u listed: the others are "
			"destroyed but still in use, or missing from debugfs\n",
			info.nr_pools, listed);
	free(names.v);
	return ret;
}
