// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl helpers: opening the device, messages, argument parsing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

const char *ctl_device = MPOOL_DEVICE;
bool ctl_json;

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("mempoolctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Say why opening the device failed, naming the real cause: only the
 * module's own node missing means the module is not loaded; a --device
 * path of the user's that does not exist is just that.
 */
static void ctl_open_err(int err)
{
	bool ours = !strcmp(ctl_device, MPOOL_DEVICE);

	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		if (ours)
			ctl_err("%s not found: is mempool.ko loaded? (modprobe mempool)",
				ctl_device);
		else
			ctl_err("%s: no such file (check --device)", ctl_device);
		break;
	case -EACCES:
	case -EPERM:
		ctl_err("%s: permission denied: run as root, or as a member of the 'mempool' "
			"group, which the udev rule 60-mempool.rules gives the device to "
			"(log in again after joining)", ctl_device);
		break;
	case -ENXIO:
	case -ENODEV:
		ctl_err("%s: no device behind the node%s", ctl_device,
			ours ? ": is mempool.ko loaded?" : " (is it mempool's?)");
		break;
	case -ENOTTY:
		ctl_err("%s is not a mempool device (check --device)", ctl_device);
		break;
	case -EISDIR:
		ctl_err("%s is a directory, not a mempool device (check --device)", ctl_device);
		break;
	default:
		ctl_err("%s: %s", ctl_device, mpl_strerror(err));
	}
}

static struct mpl_dev *ctl_open_flags(unsigned int flags)
{
	struct mpool_info info;
	struct mpl_dev *dev;
	int err = mpl_open_flags(ctl_device, flags, &dev);

	/* Something that opens but is not the device answers no ioctl of ours. */
	if (!err) {
		err = mpl_info(dev, &info);
		if (err == -ENOTTY || err == -EINVAL) {
			mpl_close(dev);
			err = -ENOTTY;
		} else {
			return dev;
		}
	}
	ctl_open_err(err);
	return NULL;
}

int ctl_no_json(const char *cmd)
{
	return ctl_json ? ctl_bad_usage(cmd, "prints no JSON (--json)") : CTL_EXIT_OK;
}

struct mpl_dev *ctl_open(void)
{
	return ctl_open_flags(0);
}

struct mpl_dev *ctl_open_ro(void)
{
	return ctl_open_flags(MPL_OPEN_RDONLY);
}

struct mpl_pool *ctl_attach(struct mpl_dev *dev, const char *name)
{
	struct mpl_pool *pool;
	int err = mpl_pool_attach(dev, name, &pool);

	if (!err)
		return pool;
	ctl_attach_err(name, err);
	return NULL;
}

void ctl_attach_err(const char *name, int err)
{
	if (err == -ENOENT)
		ctl_err("no pool named '%s'", name);
	else if (err == -EACCES)
		ctl_err("%s: its access mode keeps you out (its owner can open it: "
			"mempoolctl set %s --access group|all)", name, name);
	else if (err == -EINVAL)
		ctl_err("'%s' is not a valid pool name (1-%d of A-Z a-z 0-9 . _ -)", name,
			MPOOL_POOL_NAME_MAX - 1);
	else
		ctl_err("%s: %s", name, mpl_strerror(err));
}

struct mpl_pool *ctl_open_pool(const char *name, bool ro, struct mpl_dev **devp)
{
	struct mpl_pool *pool;

	*devp = ro ? ctl_open_ro() : ctl_open();
	if (!*devp)
		return NULL;
	pool = ctl_attach(*devp, name);
	if (!pool) {
		mpl_close(*devp);
		*devp = NULL;
	}
	return pool;
}

int ctl_name_args(int argc, char **argv, int nargs, const char *what)
{
	if (optind == argc)
		return ctl_bad_usage(argv[0], "NAME missing");
	if (argc - optind < 1 + nargs)
		return ctl_bad_usage(argv[0], "%s missing", what);
	if (argc - optind > 1 + nargs)
		return ctl_bad_usage(argv[0], "unexpected argument '%s'", argv[optind + 1 + nargs]);
	return CTL_EXIT_OK;
}

void ctl_pool_err(const char *cmd, const char *name, int err)
{
	switch (err) {
	case -EPERM:
		ctl_err("%s %s: not your pool (only its creator's user or root may change it)",
			cmd, name);
		break;
	case -EBADF:
		ctl_err("%s %s: %s is open read-only (you need write permission on it)",
			cmd, name, ctl_device);
		break;
	case -ENOTTY:
		ctl_err("%s %s: the loaded mempool.ko is too old for this (see 'mempoolctl info')",
			cmd, name);
		break;
	default:
		ctl_err("%s %s: %s", cmd, name, mpl_strerror(err));
	}
}

static int cmp_entries(const void *a, const void *b)
{
	const struct mpool_pool_entry *x = a, *y = b;

	return strncmp(x->name, y->name, MPOOL_POOL_NAME_MAX);
}

int ctl_list_all(struct mpl_dev *dev, struct mpool_pool_entry **out, unsigned int *n)
{
	struct mpool_pool_entry *v = NULL, *nv;
	unsigned int room = 64, count, total;
	int err;

	for (;;) {
		nv = realloc(v, room * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		count = room;
		err = mpl_pool_list(dev, v, sizeof(*v), &count, &total);
		if (err) {
			free(v);
			return err;
		}
		if (total <= room)
			break;
		room = total;
	}
	qsort(v, count, sizeof(*v), cmp_entries);
	*out = v;
	*n = count;
	return 0;
}

bool ctl_valid_name(const char *s)
{
	size_t len = strlen(s);

	return len && len < MPOOL_POOL_NAME_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == len;
}

bool ctl_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		ctl_err("%s: '%s' is not a number from %u to %u", opt, s, min, max);
		return false;
	}
	*out = v;
	return true;
}

bool ctl_parse_size(const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!errno && end != s && *s != '-') {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
		if (shift && (*end == 'i' || *end == 'I'))
			end++;
		if (shift && (*end == 'b' || *end == 'B'))
			end++;
		if (!*end && v && v <= (~0ULL >> shift)) {
			*out = v << shift;
			return true;
		}
	}
	ctl_err("%s: '%s' is not a size (bytes, or with K, M, G)", opt, s);
	return false;
}

bool ctl_parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9) {
		ctl_err("%s: '%s' is not a number of seconds", opt, s);
		return false;
	}
	*out = v;
	return true;
}

const char *ctl_human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	unsigned int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0 || v == (uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, unit[i]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

int ctl_help(const char *usage)
{
	fputs(usage, stdout);
	return CTL_EXIT_OK;
}

int ctl_bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mempoolctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'mempoolctl %s --help')\n", cmd);
	return CTL_EXIT_USAGE;
}

int ctl_opt_error(const char *cmd, char **argv, int c)
{
	/* getopt_long() has moved optind past the word it choked on. */
	const char *word = argv[optind - 1];

	if (c == ':')
		return ctl_bad_usage(cmd, "option '%s' needs an argument", word);
	if (optopt && word[0] == '-' && word[1] != '-')
		return ctl_bad_usage(cmd, "unknown option '-%c'", optopt);
	return ctl_bad_usage(cmd, "unknown option '%s'", word);
}
