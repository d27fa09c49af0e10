/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mempoolctl's commands share: how they open the device, report
 * errors and read arguments, so that every command behaves the same way.
 *
 * Exit codes, for every command: 0 success, 1 the operation failed (module
 * not loaded, no access, kernel said no), 2 bad usage.
 */
#ifndef MEMPOOLCTL_CTL_H
#define MEMPOOLCTL_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <mempool.h>

#define CTL_EXIT_OK	0
#define CTL_EXIT_FAIL	1
#define CTL_EXIT_USAGE	2

/* The project's version (../VERSION, passed in by the Makefile). */
#define CTL_VERSION	MPL_BUILD_VERSION

/* The device every command opens (--device). */
extern const char *ctl_device;

/* --json: every command that prints data prints it as JSON. */
extern bool ctl_json;

/*
 * For the commands without JSON output: a usage error if --json was given
 * (CTL_EXIT_USAGE), else CTL_EXIT_OK.
 */
int ctl_no_json(const char *cmd);

/* "mempoolctl: <message>\n" on stderr. */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Open a session; on failure print the one line that says why (module not
 * loaded, no permission...) and return NULL.
 */
struct mpl_dev *ctl_open(void);

/*
 * The same, read-only: enough to list, attach, read stats and settings and
 * get events, and all a user with read permission on the node can open.
 */
struct mpl_dev *ctl_open_ro(void);

/* Attach to pool @name; on failure print why and return NULL. */
struct mpl_pool *ctl_attach(struct mpl_dev *dev, const char *name);

/* Print why attaching to pool @name failed with @err. */
void ctl_attach_err(const char *name, int err);

/*
 * A session of its own (read-only if @ro) attached to pool @name, in
 * *@devp; on failure print why and return NULL.
 */
struct mpl_pool *ctl_open_pool(const char *name, bool ro, struct mpl_dev **devp);

/*
 * The words after the options (argv[optind...]) must be NAME and @nargs
 * more, called @what in messages: CTL_EXIT_OK, or a usage error said.
 */
int ctl_name_args(int argc, char **argv, int nargs, const char *what);

/*
 * Print why command @cmd failed on pool @name with @err, naming the causes
 * every pool command shares (not the creator, a module too old, destroyed).
 */
void ctl_pool_err(const char *cmd, const char *name, int err);

/*
 * Every pool the caller may see (POOL_LIST), sorted by name, in an array
 * the caller frees; 0 or a negative errno.
 */
int ctl_list_all(struct mpl_dev *dev, struct mpool_pool_entry **out, unsigned int *n);

/* 1-23 of A-Z a-z 0-9 . _ - */
bool ctl_valid_name(const char *s);

/* Arguments: false (after printing why) if @s is not valid. */
bool ctl_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool ctl_parse_size(const char *opt, const char *s, uint64_t *out);	/* 4096, 4K, 2M */
bool ctl_parse_seconds(const char *opt, const char *s, double *out);

/* "4 KiB", "1.5 MiB": into @buf. */
const char *ctl_human(uint64_t bytes, char *buf, size_t len);

/* --help: @usage on stdout; returns CTL_EXIT_OK. */
int ctl_help(const char *usage);

/*
 * A usage error of command @cmd: one line on stderr that says what is wrong
 * and where help is; returns CTL_EXIT_USAGE.
 */
int ctl_bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The same for what getopt_long() (opterr = 0, ':' leading the short
 * options) returned @c = '?' or ':' about.
 */
int ctl_opt_error(const char *cmd, char **argv, int c);

/* Command entry points: argv[0] is the command's name. */
int cmd_info(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_lease(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_resize(int argc, char **argv);
int cmd_drain(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_events(int argc, char **argv);

#endif /* MEMPOOLCTL_CTL_H */
