// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement of user pools, as POOL_STATS and debugfs report it: a pool
 * created for node N (MPOOL_CREATE_F_NODE) has every byte of its buffers on
 * N; a pool created without a node has them on the creating CPU's node (the
 * guests have memory to spare); a buffer of a node-bound percpu pool
 * released on a CPU of another node is counted as sent home, one released
 * at home is not. Needs two NUMA nodes with CPUs and memory (tests/vm/run.sh
 * boots them): skips on one. The debugfs checks need root and debugfs.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NODE_DIR	"/sys/devices/system/node"
#define DBG_DIR		"/sys/kernel/debug/mempool"
#define NBUF		16

/* First number of a sysfs file ("2-3", "0,2"...); -1 if none. */
static long first_num(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Up to @max nodes that have both memory and a CPU, and one CPU of each. */
static int usable_nodes(int *nodes, int *cpus, int max)
{
	char path[128];
	int nid, n = 0;
	long cpu;

	for (nid = 0; nid < MPOOL_STATS_MAX_NODES && n < max; nid++) {
		snprintf(path, sizeof(path), NODE_DIR "/node%d/cpulist", nid);
		cpu = first_num(path);
		snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", nid);
		if (cpu < 0 || access(path, R_OK))
			continue;
		nodes[n] = nid;
		cpus[n++] = cpu;
	}
	return n;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* "nodeN_pages V" in the pool's debugfs stats; -1 if absent. */
static long long dbg_node_pages(const char *name, int nid)
{
	char path[256], key[32], line[128];
	long long v = -1;
	size_t klen;
	FILE *f;

	snprintf(path, sizeof(path), DBG_DIR "/u.%s/stats", name);
	snprintf(key, sizeof(key), "node%d_pages ", nid);
	klen = strlen(key);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen))
			v = strtoll(line + klen, NULL, 10);
	fclose(f);
	return v;
}

FIXTURE(numa) {
	int fd;
	int nr;				/* usable nodes */
	int nodes[MPOOL_STATS_MAX_NODES];
	int cpus[MPOOL_STATS_MAX_NODES];
	cpu_set_t saved;
};

FIXTURE_SETUP(numa)
{
	struct mpool_info info;

	MP_SKIP_WITHOUT_DEVICE();
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mp_info(self->fd, &info));
	if (!(info.features & MPOOL_FEAT_NUMA))
		SKIP(return, "module without MPOOL_FEAT_NUMA");
	self->nr = usable_nodes(self->nodes, self->cpus, MPOOL_STATS_MAX_NODES);
	if (self->nr < 2)
		SKIP(return, "%d NUMA node(s) with CPUs and memory: needs two", self->nr);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(self->saved), &self->saved));
}

FIXTURE_TEARDOWN(numa)
{
	if (self->fd < 0)
		return;
	sched_setaffinity(0, sizeof(self->saved), &self->saved);
	close(self->fd);
}

/* Every byte of the pool on @nid, none elsewhere, in POOL_STATS and debugfs. */
static void expect_all_on(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			  const char *name, int nid)
{
	bool dbg = !access(DBG_DIR, F_OK);
	struct mpool_pool_stats st;
	char path[64];
	int i;

	ASSERT_EQ(0, mp_stats(fd, pool_id, &st));
	EXPECT_LE(2, st.nr_nodes);
	for (i = 0; i < MPOOL_STATS_MAX_NODES; i++) {
		__u64 want = i == nid ? (__u64)NBUF * mp_page() : 0;

		EXPECT_EQ(want, st.node_bytes[i]) TH_LOG("node %d", i);
		/* debugfs has a line for every online node. */
		snprintf(path, sizeof(path), NODE_DIR "/node%d", i);
		if (dbg && !access(path, F_OK))
			EXPECT_EQ((long long)(want / mp_page()), dbg_node_pages(name, i))
				TH_LOG("debugfs, node %d", i);
	}
}

TEST_F(numa, bound_pool_on_its_node)
{
	struct mpool_pool_stats st;
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];
	int i;

	for (i = 0; i < self->nr; i++) {
		/* Created from a CPU of another node: the flag decides, not the CPU. */
		ASSERT_EQ(0, pin(self->cpus[(i + 1) % self->nr]));
		mp_name(name, "nb");
		memset(&c, 0, sizeof(c));
		memcpy(c.name, name, sizeof(c.name));
		c.engine = MPOOL_ENG_PERCPU;
		c.flags = MPOOL_CREATE_F_NODE;
		c.node = self->nodes[i];
		c.buf_size = mp_page();
		c.buf_count = NBUF;
		ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
		ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
		EXPECT_EQ(self->nodes[i], st.node);
		expect_all_on(_metadata, self->fd, c.pool_id, name, self->nodes[i]);
		EXPECT_EQ(0, mp_destroy(self->fd, c.pool_id));
	}
}

TEST_F(numa, unbound_pool_on_creators_node)
{
	struct mpool_pool_stats st;
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];
	int i;

	for (i = 0; i < self->nr; i++) {
		ASSERT_EQ(0, pin(self->cpus[i]));
		mp_name(name, "nu");
		ASSERT_EQ(0, mp_create(self->fd, name, MPOOL_ENG_PERCPU, mp_page(), NBUF, &c));
		ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
		EXPECT_EQ(-1, st.node);
		expect_all_on(_metadata, self->fd, c.pool_id, name, self->nodes[i]);
		EXPECT_EQ(0, mp_destroy(self->fd, c.pool_id));
	}
}

/* Lease and release @n buffers on @cpu; the remote_releases after. */
static __u64 lease_release_on(struct __test_metadata *_metadata, int fd, __u32 pool_id,
			      int cpu, __u32 n)
{
	struct mpool_pool_stats st;
	__u32 ids[NBUF];

	EXPECT_EQ(0, pin(cpu));
	EXPECT_EQ(0, mp_lease(fd, pool_id, ids, n));
	EXPECT_EQ(0, mp_release(fd, pool_id, ids, n));
	EXPECT_EQ(0, mp_stats(fd, pool_id, &st));
	return st.remote_releases;
}

TEST_F(numa, remote_releases_counted)
{
	struct mpool_pool_stats st;
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];
	int home = self->cpus[0], away = self->cpus[1];

	/* Built at home: its buffers enter the home CPU's magazines. */
	ASSERT_EQ(0, pin(home));
	mp_name(name, "nr");
	memset(&c, 0, sizeof(c));
	memcpy(c.name, name, sizeof(c.name));
	c.engine = MPOOL_ENG_PERCPU;
	c.flags = MPOOL_CREATE_F_NODE;
	c.node = self->nodes[0];
	c.buf_size = mp_page();
	c.buf_count = NBUF;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	ASSERT_EQ(0, mp_stats(self->fd, c.pool_id, &st));
	EXPECT_EQ(0, st.remote_releases);

	EXPECT_EQ(0, lease_release_on(_metadata, self->fd, c.pool_id, home, 4));
	EXPECT_EQ(3, lease_release_on(_metadata, self->fd, c.pool_id, away, 3));
	EXPECT_EQ(3, lease_release_on(_metadata, self->fd, c.pool_id, home, 2));
	/* Sent home, not lost: every buffer can still be leased at once. */
	EXPECT_EQ(3, lease_release_on(_metadata, self->fd, c.pool_id, home, NBUF));
	EXPECT_EQ(0, mp_destroy(self->fd, c.pool_id));

	/* A ring pool has no per-CPU cache to keep out of: nothing counted. */
	mp_name(name, "nq");
	memcpy(c.name, name, sizeof(c.name));
	c.engine = MPOOL_ENG_RING;
	ASSERT_EQ(0, mp_ioctl(self->fd, MPOOL_IOC_POOL_CREATE, &c));
	EXPECT_EQ(0, lease_release_on(_metadata, self->fd, c.pool_id, away, 3));
	EXPECT_EQ(0, mp_destroy(self->fd, c.pool_id));
}

TEST_F(numa, unbound_pool_counts_nothing_remote)
{
	struct mpool_pool_create c;
	char name[MPOOL_POOL_NAME_MAX];

	ASSERT_EQ(0, pin(self->cpus[0]));
	mp_name(name, "nl");
	ASSERT_EQ(0, mp_create(self->fd, name, MPOOL_ENG_PERCPU, mp_page(), NBUF, &c));
	EXPECT_EQ(0, lease_release_on(_metadata, self->fd, c.pool_id, self->cpus[1], 3));
	EXPECT_EQ(0, mp_destroy(self->fd, c.pool_id));
}

TEST_HARNESS_MAIN
