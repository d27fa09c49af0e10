// SPDX-License-Identifier: GPL-2.0
/*
 * mpool-hog: the memory hog of the VM's pressure step
 * (tests/vm/guest-pressure.sh).
 *
 *   mpool-hog MAX_MIB STATS:ARENAS...
 *
 * Takes anonymous memory a MiB at a time, writing every byte, until each
 * STATS file (a pool's /sys/kernel/debug/mempool/<pool>/stats) shows at
 * most ARENAS arenas, or until MAX_MIB MiB are taken. The guest has no
 * swap, so the kernel can only make room by reclaim: page cache, slab, and
 * shrinkers such as mempool.ko's. The bytes written are the hog's own, so
 * a page some pool still used would lose its contents to them.
 *
 * It makes itself the OOM killer's first choice: should the shrinker give
 * nothing back, the hog dies, not the test. Prints how far it went on
 * stdout; exits 0 if the arenas came down, 1 if the bound came first, 2 on
 * a usage or read error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HOG_CHUNK	(1UL << 20)
#define HOG_BYTE	0x5a

struct hog_target {
	const char *stats;
	unsigned long max_arenas;
	unsigned long arenas;
};

/* The "arenas N" line of a pool's stats file, or -1. */
static long read_arenas(const char *path)
{
	char line[128];
	long n = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "arenas %ld", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

/* 1 if every target is down to its arenas, 0 if not, -1 on error. */
static int targets_met(struct hog_target *t, int nr)
{
	int i, met = 1;
	long n;

	for (i = 0; i < nr; i++) {
		n = read_arenas(t[i].stats);
		if (n < 0) {
			fprintf(stderr, "mpool-hog: cannot read arenas from %s\n", t[i].stats);
			return -1;
		}
		t[i].arenas = n;
		if ((unsigned long)n > t[i].max_arenas)
			met = 0;
	}
	return met;
}

static void report(const char *what, unsigned long mib, const struct hog_target *t,
		   int nr)
{
	int i;

	printf("mpool-hog: %s after %lu MiB;", what, mib);
	for (i = 0; i < nr; i++)
		printf(" %s: %lu arenas (target %lu)", t[i].stats, t[i].arenas,
		       t[i].max_arenas);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long max_mib, mib = 0;
	struct hog_target *t;
	int i, nr = argc - 2, met;
	char *colon, *end;
	FILE *f;
	void *p;

	if (argc < 3) {
		fprintf(stderr, "usage: mpool-hog MAX_MIB STATS:ARENAS...\n");
		return 2;
	}
	max_mib = strtoul(argv[1], &end, 10);
	if (*end || !max_mib) {
		fprintf(stderr, "mpool-hog: bad MAX_MIB '%s'\n", argv[1]);
		return 2;
	}
	t = calloc(nr, sizeof(*t));
	if (!t)
		return 2;
	for (i = 0; i < nr; i++) {
		colon = strrchr(argv[i + 2], ':');
		if (!colon) {
			fprintf(stderr, "mpool-hog: '%s' is not STATS:ARENAS\n", argv[i + 2]);
			return 2;
		}
		*colon = '\0';
		t[i].stats = argv[i + 2];
		t[i].max_arenas = strtoul(colon + 1, &end, 10);
		if (*end) {
			fprintf(stderr, "mpool-hog: bad ARENAS '%s'\n", colon + 1);
			return 2;
		}
	}

	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "1000\n") < 0 || fclose(f)) {
		fprintf(stderr, "mpool-hog: cannot set oom_score_adj\n");
		return 2;
	}

	/* Memory is never given back: the hog's exit does that at once. */
	while ((met = targets_met(t, nr)) == 0 && mib < max_mib) {
		p = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			report("mmap failed", mib, t, nr);
			return 1;
		}
		memset(p, HOG_BYTE, HOG_CHUNK);
		mib++;
	}
	if (met < 0)
		return 2;
	report(met ? "targets met" : "bound reached", mib, t, nr);
	return met ? 0 : 1;
}
