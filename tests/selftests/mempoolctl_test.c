// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl as a user meets it: --help on every command, exit codes 0/1/2
 * with one line on stderr for each failure (module not loaded, device not
 * accessible, bad argument, kernel refusal), and what create, lease,
 * destroy, list, stats, watch, resize, drain, set, events and bench really
 * do, checked through a session of our own; list, stats, watch, set and
 * events also as users without root, through nodes of our own that they
 * may open (read-only, or read-write as the udev rule's group can).
 * Runs the mempoolctl on PATH (or $MEMPOOLCTL).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <sys/stat.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NOBODY	65534
#define UID_A	4001
#define UID_B	4002
#define GID_AB	4100	/* the group A and B share, as the udev rule's */
#define NODE_RO	"/tmp/mempoolctl-ro"
#define NODE_RW	"/tmp/mempoolctl-rw"

struct out {
	int status;		/* exit code, or 128 + signal */
	char out[8192];
	char err[4096];
};

static const char *ctl_path(void)
{
	const char *p = getenv("MEMPOOLCTL");

	return p ? p : "mempoolctl";
}

/* Start mempoolctl ARGS... with stdout and stderr on pipes, as @uid:@gid unless 0. */
static pid_t spawn(const char *const argv[], int *outfd, int *errfd, uid_t uid, gid_t gid)
{
	const char *args[32] = { "mempoolctl" };
	int po[2], pe[2], i;
	pid_t pid;

	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (uid && (setgroups(0, NULL) || setgid(gid) || setuid(uid)))
			_exit(120);
		execvp(ctl_path(), (char *const *)args);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	*outfd = po[0];
	*errfd = pe[0];
	return pid;
}

/* Read both pipes to their end, then reap. */
static void collect(pid_t pid, int outfd, int errfd, struct out *o, size_t have_out)
{
	struct pollfd p[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	size_t have_err = 0;
	ssize_t n;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0)
			break;
		if (p[0].revents) {
			n = read(outfd, o->out + have_out, sizeof(o->out) - 1 - have_out);
			if (n <= 0)
				p[0].fd = -1;
			else
				have_out += n;
		}
		if (p[1].revents) {
			n = read(errfd, o->err + have_err, sizeof(o->err) - 1 - have_err);
			if (n <= 0)
				p[1].fd = -1;
			else
				have_err += n;
		}
	}
	o->out[have_out] = 0;
	o->err[have_err] = 0;
	close(outfd);
	close(errfd);
	o->status = mp_wait(pid);
}

static void run_ids(struct out *o, uid_t uid, gid_t gid, const char *const argv[])
{
	int of, ef;
	pid_t pid = spawn(argv, &of, &ef, uid, gid);

	memset(o, 0, sizeof(*o));
	if (pid < 0) {
		o->status = -1;
		return;
	}
	collect(pid, of, ef, o, 0);
}

static void run_as(struct out *o, uid_t uid, const char *const argv[])
{
	run_ids(o, uid, uid, argv);
}

#define RUN(o, ...) run_as(o, 0, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_AS(o, uid, gid, ...) run_ids(o, uid, gid, (const char *const[]){ __VA_ARGS__, NULL })

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Failure the conventional way: status @code, exactly one line on stderr. */
#define EXPECT_FAILS(o, code, what) do { \
	EXPECT_EQ(code, (o)->status) TH_LOG("stderr: %s", (o)->err); \
	EXPECT_EQ(1, lines((o)->err)) TH_LOG("stderr: %s", (o)->err); \
	EXPECT_NE(NULL, strstr((o)->err, what)) TH_LOG("stderr: %s", (o)->err); \
} while (0)

FIXTURE(ctl) {
	char name[MPOOL_POOL_NAME_MAX];
	/* More pools a test may make: the teardown destroys them too. */
	char name2[MPOOL_POOL_NAME_MAX];
	char name3[MPOOL_POOL_NAME_MAX];
	int fd;
	struct out o;
};

FIXTURE_SETUP(ctl)
{
	MP_SKIP_WITHOUT_DEVICE();
	mp_name(self->name, "ctl");
	mp_name(self->name2, "ctl");
	mp_name(self->name3, "ctl");
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
}

/* Root destroys pool @name, whoever made it; ENOENT is fine. */
static void destroy_any(int fd, const char *name)
{
	struct mpool_pool_attach a;

	if (!mp_attach(fd, name, &a))
		mp_destroy(fd, a.pool_id);
}

FIXTURE_TEARDOWN(ctl)
{
	destroy_any(self->fd, self->name);
	destroy_any(self->fd, self->name2);
	destroy_any(self->fd, self->name3);
	close(self->fd);
	unlink(NODE_RO);
	unlink(NODE_RW);
}

/* A node of /dev/mempool's device that others may open as @mode says. */
static int make_node(const char *path, mode_t mode)
{
	struct stat st;

	if (stat(MPOOL_DEVICE, &st))
		return -errno;
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, st.st_rdev) || chmod(path, mode))
		return -errno;
	return 0;
}

/* Our session's handle on pool @name (attaching if need be); -errno. */
static int pool_id_of(int fd, const char *name, __u32 *id)
{
	struct mpool_pool_attach a;
	struct mpool_pool_stats st;
	int err = mp_attach(fd, name, &a);

	if (!err) {
		*id = a.pool_id;
		return 0;
	}
	if (err != -EEXIST)
		return err;
	/* Attached already: find its id among ours. */
	for (*id = 0; *id < MPOOL_SESSION_POOLS_MAX; (*id)++) {
		if (!mp_stats(fd, *id, &st) && !strncmp(st.name, name, MPOOL_POOL_NAME_MAX))
			return 0;
	}
	return -ENOENT;
}

/* The line of @out that starts with pool @name and a space, copied to @line. */
static bool pool_line(const char *out, const char *name, char *line, size_t len)
{
	size_t n = strlen(name);
	const char *p, *end;

	for (p = out; p && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '\n');
		if (!strncmp(p, name, n) && p[n] == ' ') {
			snprintf(line, len, "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
			return true;
		}
	}
	return false;
}

/* The pool as the kernel sees it, through a session of its own. */
static int pool_stats(const char name[MPOOL_POOL_NAME_MAX], struct mpool_pool_stats *st)
{
	struct mpool_pool_attach a;
	int fd = mp_open(), err;

	if (fd < 0)
		return -errno;
	err = mp_attach(fd, name, &a);
	if (!err)
		err = mp_stats(fd, a.pool_id, st);
	close(fd);
	return err;
}

TEST_F(ctl, help_everywhere)
{
	static const char *const cmds[] = { "info", "create", "destroy", "list", "lease",
					    "bench", "stats", "watch", "resize", "drain", "set",
					    "events" };
	char want[64], top[sizeof(self->o.out)];
	unsigned int i;

	RUN(&self->o, "--help");
	EXPECT_EQ(0, self->o.status);
	memcpy(top, self->o.out, sizeof(top));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
		EXPECT_NE(NULL, strstr(top, want)) TH_LOG("no %s in --help", cmds[i]);
		RUN(&self->o, cmds[i], "--help");
		EXPECT_EQ(0, self->o.status) TH_LOG("%s --help", cmds[i]);
		snprintf(want, sizeof(want), "usage: mempoolctl %s", cmds[i]);
		EXPECT_EQ(0, strncmp(self->o.out, want, strlen(want))) TH_LOG("%s", self->o.out);
		EXPECT_EQ(0, self->o.err[0]);
		RUN(&self->o, cmds[i], "--no-such-option");
		EXPECT_FAILS(&self->o, 2, "--no-such-option");
	}
}

/* The one line of @o's stdout is a JSON object ("{...}\n"). */
#define EXPECT_JSON_LINE(o) do { \
	EXPECT_EQ('{', (o)->out[0]) TH_LOG("%s", (o)->out); \
	EXPECT_EQ(1, lines((o)->out)) TH_LOG("%s", (o)->out); \
	EXPECT_NE(NULL, strstr((o)->out, "}\n")) TH_LOG("%s", (o)->out); \
} while (0)

TEST_F(ctl, version_and_help_command)
{
	char top[sizeof(self->o.out)], want[96];

	RUN(&self->o, "--version");
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	/* The tool's version and the running library's: the same (VERSION). */
	EXPECT_EQ(0, strncmp(self->o.out, "mempoolctl ", 11)) TH_LOG("%s", self->o.out);
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(self->o.out + 11, " "),
		 self->o.out + 11);
	EXPECT_NE('\0', want[0]);
	EXPECT_NE(NULL, strstr(self->o.out, "(libmempool ")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(strstr(self->o.out, "(libmempool ") ?: "", want));
	RUN(&self->o, "info", "-V");
	EXPECT_EQ(0, self->o.status);
	EXPECT_EQ(0, strncmp(self->o.out, "mempoolctl ", 11));

	RUN(&self->o, "--help");
	memcpy(top, self->o.out, sizeof(top));
	RUN(&self->o, "help");
	EXPECT_EQ(0, self->o.status);
	EXPECT_STREQ(top, self->o.out);
	RUN(&self->o, "stats", "--help");
	memcpy(top, self->o.out, sizeof(top));
	RUN(&self->o, "help", "stats");
	EXPECT_EQ(0, self->o.status);
	EXPECT_STREQ(top, self->o.out);
	RUN(&self->o, "help", "frobnicate");
	EXPECT_FAILS(&self->o, 2, "unknown command 'frobnicate'");
	RUN(&self->o, "--device");
	EXPECT_FAILS(&self->o, 2, "needs a PATH");
}

TEST_F(ctl, global_options_anywhere)
{
	struct mpool_info info;
	char want[64];

	ASSERT_EQ(0, mp_info(self->fd, &info));
	snprintf(want, sizeof(want), "\"max_batch\":%u,", info.max_batch);
	/* --device and --json before the command, after it, as --opt=value. */
	RUN(&self->o, "--device", MPOOL_DEVICE, "--json", "info");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, want)) TH_LOG("%s", self->o.out);
	RUN(&self->o, "info", "--device=" MPOOL_DEVICE, "-j");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, want)) TH_LOG("%s", self->o.out);
	EXPECT_JSON_LINE(&self->o);

	RUN(&self->o, "create", self->name, "--count=4", "--engine=ring");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	RUN(&self->o, "list", self->name, "-d", MPOOL_DEVICE, "--names");
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "%s\n", self->name);
	EXPECT_STREQ(want, self->o.out);
	/* After "--", nothing is an option: a pool may be called --json. */
	RUN(&self->o, "list", "--", "--json");
	EXPECT_FAILS(&self->o, 1, "no pool named '--json'");
}

TEST_F(ctl, json_from_every_command_that_prints_data)
{
	struct mpool_pool_stats st;
	char want[128];

	RUN(&self->o, "-j", "create", self->name, "-n", "8", "--max", "16", "-e", "ring");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_JSON_LINE(&self->o);
	snprintf(want, sizeof(want), "{\"created\":\"%s\",\"engine\":\"ring\",", self->name);
	EXPECT_EQ(0, strncmp(self->o.out, want, strlen(want))) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "\"buf_count\":8,\"max_buf_count\":16,"));

	RUN(&self->o, "list", "-j", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_JSON_LINE(&self->o);
	snprintf(want, sizeof(want), "{\"pools\":[{\"name\":\"%s\",\"engine\":\"ring\",",
		 self->name);
	EXPECT_EQ(0, strncmp(self->o.out, want, strlen(want))) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "\"nr_free\":8,"));

	RUN(&self->o, "resize", self->name, "12", "--json");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "{\"pool\":\"%s\",\"requested\":12,\"buf_count\":12}\n",
		 self->name);
	EXPECT_STREQ(want, self->o.out);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(12, st.buf_count);

	RUN(&self->o, "drain", "-j", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_JSON_LINE(&self->o);
	EXPECT_NE(NULL, strstr(self->o.out, "\"drained\":")) TH_LOG("%s", self->o.out);

	RUN(&self->o, "set", self->name, "--low=3", "-j");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_JSON_LINE(&self->o);
	EXPECT_NE(NULL, strstr(self->o.out, "\"buf_count\":12,\"max_buf_count\":16,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"low_watermark\":3,")) TH_LOG("%s", self->o.out);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(3, st.low_watermark);

	RUN(&self->o, "watch", "-j", "--count", "2", "--interval", "0.05", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_EQ(2, lines(self->o.out)) TH_LOG("%s", self->o.out);
	EXPECT_EQ(0, strncmp(self->o.out, "{\"frame\":1,\"pools\":[{", 21)) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "\"ops_per_s\":null,")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "{\"frame\":2,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"ops_per_s\":0,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"capacity\":12,"));

	RUN(&self->o, "bench", "-j", "-n", "64", "-b", "8");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_JSON_LINE(&self->o);
	EXPECT_NE(NULL, strstr(self->o.out, "{\"mode\":\"single\",")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "\"syscalls_per_buffer\":2.0000}"));

	RUN(&self->o, "lease", self->name, "--json");
	EXPECT_FAILS(&self->o, 2, "prints no JSON");

	RUN(&self->o, "destroy", self->name, "-j");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "{\"destroyed\":[\"%s\"]}\n", self->name);
	EXPECT_STREQ(want, self->o.out);
	EXPECT_EQ(-ENOENT, mp_attach(self->fd, self->name, NULL));
}

TEST_F(ctl, usage_errors_exit_2)
{
	RUN(&self->o, "frobnicate");
	EXPECT_FAILS(&self->o, 2, "unknown command");
	RUN(&self->o, "create");
	EXPECT_FAILS(&self->o, 2, "NAME missing");
	RUN(&self->o, "create", self->name, "-e", "slab");
	EXPECT_FAILS(&self->o, 2, "unknown engine");
	RUN(&self->o, "create", self->name, "-n", "many");
	EXPECT_FAILS(&self->o, 2, "--count");
	RUN(&self->o, "create", self->name, "-s", "1Q");
	EXPECT_FAILS(&self->o, 2, "--size");
	RUN(&self->o, "lease", self->name, "--hold-for", "soon");
	EXPECT_FAILS(&self->o, 2, "--hold-for");
	RUN(&self->o, "lease", self->name, "-n");
	EXPECT_FAILS(&self->o, 2, "needs an argument");
	RUN(&self->o, "bench", "-b", "0");
	EXPECT_FAILS(&self->o, 2, "--batch");
	RUN(&self->o, "info", "extra");
	EXPECT_FAILS(&self->o, 2, "unexpected argument");
	/* Nothing was created by any of it. */
	EXPECT_EQ(-ENOENT, mp_attach(self->fd, self->name, NULL));
}

TEST_F(ctl, module_not_loaded_or_no_access)
{
	uid_t uid = 0;
	gid_t gid = 0;

	/* A wrong --device is that, not a module to load. */
	RUN(&self->o, "--device", "/dev/mempool-not-there", "info");
	EXPECT_FAILS(&self->o, 1, "/dev/mempool-not-there: no such file");
	EXPECT_EQ(NULL, strstr(self->o.err, "mempool.ko"));
	RUN(&self->o, "lease", self->name, "--device=/dev/mempool-not-there");
	EXPECT_FAILS(&self->o, 1, "no such file");
	EXPECT_EQ(NULL, strstr(self->o.err, "mempool.ko"));
	RUN(&self->o, "-d", "/dev/null", "list");
	EXPECT_FAILS(&self->o, 1, "/dev/null is not a mempool device");

	/*
	 * Whoever is neither the node's owner nor in its group is refused,
	 * whatever its mode (0600 as the module makes it, 0660 with the udev
	 * rule), and told so.
	 */
	ASSERT_EQ(0, mp_outsider(MPOOL_DEVICE, &uid, &gid));
	RUN_AS(&self->o, uid, gid, "info");
	EXPECT_FAILS(&self->o, 1, "permission denied");
	RUN_AS(&self->o, uid, gid, "create", self->name);
	EXPECT_FAILS(&self->o, 1, "permission denied");
	EXPECT_EQ(-ENOENT, mp_attach(self->fd, self->name, NULL));
}

TEST_F(ctl, info_matches_the_ioctl)
{
	struct mpool_info info;
	char want[64];

	ASSERT_EQ(0, mp_info(self->fd, &info));
	RUN(&self->o, "info");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "api_version %u\n", info.api_version);
	EXPECT_NE(NULL, strstr(self->o.out, want));
	snprintf(want, sizeof(want), "max_batch %u\n", info.max_batch);
	EXPECT_NE(NULL, strstr(self->o.out, want));
	snprintf(want, sizeof(want), "max_buf_count %u\n", info.max_buf_count);
	EXPECT_NE(NULL, strstr(self->o.out, want));
}

TEST_F(ctl, create_then_destroy)
{
	struct mpool_pool_stats st;
	char size[32];

	snprintf(size, sizeof(size), "%ldK", 2 * mp_page() / 1024);
	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "16", "-s", size);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "ring engine"));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(MPOOL_ENG_RING, st.engine);
	EXPECT_EQ(16, st.buf_count);
	EXPECT_EQ(2 * mp_page(), st.buf_size);
	/* The tool's session is gone; the pool is not. */
	EXPECT_EQ(1, st.nr_sessions);

	RUN(&self->o, "create", self->name);
	EXPECT_FAILS(&self->o, 1, "exists");
	RUN(&self->o, "create", "x-odd-size", "-s", "100");
	EXPECT_FAILS(&self->o, 1, "invalid");

	RUN(&self->o, "destroy", self->name);
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	/* Its name is gone: nobody can attach any more. */
	EXPECT_EQ(-ENOENT, pool_stats(self->name, &st));
	RUN(&self->o, "destroy", self->name);
	EXPECT_FAILS(&self->o, 1, "no pool named");
}

TEST_F(ctl, lease_fills_checks_and_returns)
{
	struct mpool_pool_stats st;

	RUN(&self->o, "create", self->name, "-n", "8");
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "lease", self->name, "-n", "5", "--fill", "hello");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "leased 5 buffers"));
	EXPECT_NE(NULL, strstr(self->o.out, "5 of 5 arrived zeroed"));
	EXPECT_NE(NULL, strstr(self->o.out, "all 5 still hold \"hello\""));
	EXPECT_NE(NULL, strstr(self->o.out, "released 5"));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(5, st.leases);
	EXPECT_EQ(5, st.releases);
	EXPECT_EQ(8, st.nr_free);

	RUN(&self->o, "lease", self->name, "-n", "9");
	EXPECT_FAILS(&self->o, 1, "only 8 buffers");
	RUN(&self->o, "lease", "no-such-pool");
	EXPECT_FAILS(&self->o, 1, "no pool named");
	/* Timed hold: ends by itself. */
	RUN(&self->o, "lease", self->name, "-n", "2", "--hold-for", "0.01");
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "released 2"));
}

/*
 * Start mempoolctl @argv as @uid:@gid and return once its stdout says
 * @ready (how a script knows it is under way, with no sleeping).
 */
static pid_t start_until(struct __test_metadata *_metadata, const char *const argv[],
			 uid_t uid, gid_t gid, const char *ready, int *outfd, int *errfd,
			 struct out *o, size_t *have)
{
	pid_t pid = spawn(argv, outfd, errfd, uid, gid);
	ssize_t r;

	EXPECT_LT(0, pid);
	memset(o, 0, sizeof(*o));
	*have = 0;
	while (!strstr(o->out, ready)) {
		r = read(*outfd, o->out + *have, sizeof(o->out) - 1 - *have);
		if (r <= 0)
			break;
		*have += r;
		o->out[*have] = 0;
	}
	EXPECT_NE(NULL, strstr(o->out, ready)) TH_LOG("%s", o->out);
	return pid;
}

/* Start `lease --hold` and return once it says it holds its buffers. */
static pid_t start_holder(struct __test_metadata *_metadata, const char *name, const char *n,
			  int *outfd, int *errfd, struct out *o, size_t *have)
{
	const char *const argv[] = { "lease", name, "-n", n, "--fill", "held", "--hold", NULL };

	return start_until(_metadata, argv, 0, 0, "holding", outfd, errfd, o, have);
}

TEST_F(ctl, held_leases_return_on_signal_or_kill)
{
	struct mpool_pool_stats st;
	int outfd, errfd;
	size_t have;
	pid_t pid;

	RUN(&self->o, "create", self->name, "-e", "lockfree", "-n", "8");
	ASSERT_EQ(0, self->o.status);

	pid = start_holder(_metadata, self->name, "3", &outfd, &errfd, &self->o, &have);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(3, st.nr_leased);
	ASSERT_EQ(0, kill(pid, SIGTERM));
	collect(pid, outfd, errfd, &self->o, have);
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "all 3 still hold \"held\"; released 3"));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(0, st.nr_leased);

	/* SIGKILL: no chance to release; the kernel takes them back. */
	pid = start_holder(_metadata, self->name, "4", &outfd, &errfd, &self->o, &have);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(4, st.nr_leased);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	collect(pid, outfd, errfd, &self->o, have);
	EXPECT_EQ(128 + SIGKILL, self->o.status);
	EXPECT_EQ(NULL, strstr(self->o.out, "released"));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(0, st.nr_leased);
	EXPECT_EQ(8, st.nr_free);
	EXPECT_EQ(st.leases, st.releases);
}

/*
 * list asks the kernel (POOL_LIST) on a read-only session, so a user who
 * may only read the node sees the pools open to it, with owner, lifetime
 * and access mode, without root or debugfs; an owner-only pool of someone
 * else's stays out of sight.
 */
TEST_F(ctl, list_shows_a_user_the_pools_open_to_it)
{
	char line[160];

	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "8", "--access", "all");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "access all"));
	RUN(&self->o, "create", self->name2, "-n", "2");
	ASSERT_EQ(0, self->o.status);
	ASSERT_EQ(0, make_node(NODE_RO, 0644));

	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "list", "--names");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(line, sizeof(line), "%s\n", self->name);
	EXPECT_NE(NULL, strstr(self->o.out, line)) TH_LOG("%s", self->o.out);
	EXPECT_EQ(NULL, strstr(self->o.out, self->name2)) TH_LOG("%s", self->o.out);
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "list", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(line, sizeof(line), "%-23s %-8s %9ld %6u %6u %6u %6u %8u %6u %-10s all\n",
		 self->name, "ring", sysconf(_SC_PAGESIZE), 8, 8, 0, 0, 0, 0, "persistent");
	EXPECT_NE(NULL, strstr(self->o.out, line)) TH_LOG("%s", self->o.out);
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "list", self->name2);
	EXPECT_FAILS(&self->o, 1, "no pool named");
	/* Root sees both. */
	RUN(&self->o, "list", "--names");
	EXPECT_NE(NULL, strstr(self->o.out, self->name2));

	RUN(&self->o, "destroy", self->name);
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "list", "--names");
	EXPECT_EQ(NULL, strstr(self->o.out, self->name));
	RUN(&self->o, "list", self->name);
	EXPECT_FAILS(&self->o, 1, "no pool named");
}

TEST_F(ctl, stats_by_name_as_a_table_and_as_json)
{
	unsigned int count, nfree, leased, quar, exp;
	char line[256], want[96];
	__u32 id, ids[3];
	int dfd;

	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "8");
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "create", self->name2, "-n", "2");
	ASSERT_EQ(0, self->o.status);
	ASSERT_EQ(0, pool_id_of(self->fd, self->name, &id));
	ASSERT_EQ(0, mp_lease(self->fd, id, ids, 3));
	/* One of them leaves as a dma-buf: no longer leased, but exported. */
	ASSERT_EQ(0, mp_export(self->fd, id, ids[2], 0, &dfd));

	RUN(&self->o, "stats", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	ASSERT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line))) TH_LOG("%s",
										   self->o.out);
	ASSERT_EQ(5, sscanf(line + strlen(self->name), " ring %*u %u %u %u %u %u", &count,
			    &nfree, &leased, &quar, &exp)) TH_LOG("'%s'", line);
	EXPECT_EQ(8, count);
	EXPECT_EQ(5, nfree);
	EXPECT_EQ(2, leased);
	EXPECT_EQ(0, quar);
	EXPECT_EQ(1, exp);
	/* Only the pool asked for. */
	EXPECT_EQ(NULL, strstr(self->o.out, self->name2));
	EXPECT_EQ(NULL, strstr(line, "LOW"));

	RUN(&self->o, "stats", "--json", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "{\"pools\":[{\"name\":\"%s\",\"engine\":\"ring\"",
		 self->name);
	EXPECT_EQ(0, strncmp(self->o.out, want, strlen(want))) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "\"access\":\"owner\""));
	EXPECT_NE(NULL, strstr(self->o.out, "\"below_low_watermark\":false"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"buf_count\":8,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"nr_free\":5,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"nr_leased\":2,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"nr_exported\":1,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"exports\":1,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"imports\":0,"));
	EXPECT_NE(NULL, strstr(self->o.out, "\"leases\":3,"));
	/* The tool's own session is not counted: ours is the only one. */
	EXPECT_NE(NULL, strstr(self->o.out, "\"nr_sessions\":1,"));
	EXPECT_EQ(0, strcmp(self->o.out + strlen(self->o.out) - 4, "}]}\n")) TH_LOG("%s",
										   self->o.out);

	/* No NAME: every pool; a missing NAME fails, the others still print. */
	RUN(&self->o, "stats");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	EXPECT_TRUE(pool_line(self->o.out, self->name2, line, sizeof(line)));
	RUN(&self->o, "stats", self->name, "no-such-pool");
	EXPECT_FAILS(&self->o, 1, "no pool named 'no-such-pool'");
	EXPECT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	RUN(&self->o, "stats", "bad name!");
	EXPECT_FAILS(&self->o, 2, "not a valid pool name");
	ASSERT_EQ(0, mp_release(self->fd, id, ids, 2));
	/* The exported one comes back when its dma-buf goes. */
	ASSERT_EQ(0, close(dfd));
}

TEST_F(ctl, resize_then_stats_shows_the_count)
{
	struct mpool_pool_stats st;
	char line[256], want[96];
	unsigned int count;
	__u32 id, ids[20];

	RUN(&self->o, "create", self->name, "-n", "8", "--max", "32");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "up to 32"));
	RUN(&self->o, "resize", self->name, "20");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "resized %s: 20 buffers\n", self->name);
	EXPECT_STREQ(want, self->o.out);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(20, st.buf_count);
	EXPECT_EQ(32, st.max_buf_count);
	EXPECT_EQ(20, st.nr_free);
	RUN(&self->o, "stats", self->name);
	ASSERT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	ASSERT_EQ(1, sscanf(line + strlen(self->name), " %*s %*u %u", &count));
	EXPECT_EQ(20, count);

	/* Shrinking takes free buffers only. */
	ASSERT_EQ(0, pool_id_of(self->fd, self->name, &id));
	ASSERT_EQ(0, mp_lease(self->fd, id, ids, 20));
	RUN(&self->o, "resize", self->name, "4");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "20 buffers, not 4")) TH_LOG("%s", self->o.out);
	ASSERT_EQ(0, mp_release(self->fd, id, ids + 4, 16));
	RUN(&self->o, "resize", self->name, "4");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(4, st.buf_count);
	EXPECT_EQ(4, st.nr_leased);

	RUN(&self->o, "resize", self->name, "33");
	EXPECT_FAILS(&self->o, 1, "1 to 32");
	RUN(&self->o, "resize", "no-such-pool", "3");
	EXPECT_FAILS(&self->o, 1, "no pool named");
	RUN(&self->o, "resize", self->name);
	EXPECT_FAILS(&self->o, 2, "COUNT missing");
	RUN(&self->o, "create", self->name2, "-n", "8", "--max", "4");
	EXPECT_FAILS(&self->o, 2, "below --count");

	ASSERT_EQ(0, mp_release(self->fd, id, ids, 4));
	RUN(&self->o, "drain", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(want, sizeof(want), "drained %s: ", self->name);
	EXPECT_EQ(0, strncmp(self->o.out, want, strlen(want))) TH_LOG("%s", self->o.out);
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(4, st.nr_free);
}

TEST_F(ctl, set_thresholds_then_events_sees_low)
{
	const char *const text[] = { "events", self->name, "--count", "1", NULL };
	const char *const json[] = { "events", self->name, "--json", "-n", "1", NULL };
	struct out oj;
	int of, ef, ofj, efj;
	size_t have, havej;
	pid_t pid, pidj;
	__u32 id, ids[6];
	struct mpool_pool_stats st;

	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "8");
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "set", self->name, "--low", "3", "--hysteresis", "1");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "low_watermark 3\n")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "hysteresis 1\n"));
	EXPECT_NE(NULL, strstr(self->o.out, "access owner\n"));
	/* Thresholds not given keep their values. */
	RUN(&self->o, "set", self->name, "--high", "7");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "low_watermark 3\n")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "high_watermark 7\n"));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(3, st.low_watermark);
	EXPECT_EQ(7, st.high_watermark);
	EXPECT_EQ(1, st.hysteresis);

	pid = start_until(_metadata, text, 0, 0, "events of ", &of, &ef, &self->o, &have);
	pidj = start_until(_metadata, json, 0, 0, "{\"pool\":", &ofj, &efj, &oj, &havej);
	/* 2 free: below 3. */
	ASSERT_EQ(0, pool_id_of(self->fd, self->name, &id));
	ASSERT_EQ(0, mp_lease(self->fd, id, ids, 6));
	collect(pid, of, ef, &self->o, have);
	collect(pidj, ofj, efj, &oj, havej);
	EXPECT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, " low: 2 free, below 3 (2 of 8 buffers free"))
		TH_LOG("%s", self->o.out);
	EXPECT_EQ(2, lines(self->o.out));
	EXPECT_EQ(0, oj.status) TH_LOG("%s", oj.err);
	/* seq counts the pool's events: setting --high 7 with 8 free made one. */
	EXPECT_NE(NULL, strstr(oj.out, ",\"type\":\"low\",\"threshold\":3,"
				 "\"value\":2,\"nr_free\":2,\"buf_count\":8,")) TH_LOG("%s", oj.out);
	EXPECT_EQ(0, strncmp(strchr(oj.out, '\n'), "\n{\"seq\":", 8));
	EXPECT_EQ(2, lines(oj.out));
	ASSERT_EQ(0, pool_stats(self->name, &st));
	EXPECT_EQ(1, st.low_events);
	RUN(&self->o, "stats", self->name);
	EXPECT_NE(NULL, strstr(self->o.out, " LOW\n")) TH_LOG("%s", self->o.out);
	ASSERT_EQ(0, mp_release(self->fd, id, ids, 6));

	RUN(&self->o, "set", self->name, "--fail-permille", "1001");
	EXPECT_FAILS(&self->o, 2, "--fail-permille");
	RUN(&self->o, "set", self->name, "--access", "world");
	EXPECT_FAILS(&self->o, 2, "unknown access mode");
	RUN(&self->o, "events", "no-such-pool");
	EXPECT_FAILS(&self->o, 1, "no pool named");
}

TEST_F(ctl, events_ends_with_the_pool)
{
	const char *const argv[] = { "events", self->name, NULL };
	struct out ev;
	size_t have;
	pid_t pid;
	int of, ef;

	RUN(&self->o, "create", self->name, "-n", "2");
	ASSERT_EQ(0, self->o.status);
	pid = start_until(_metadata, argv, 0, 0, "events of ", &of, &ef, &ev, &have);
	RUN(&self->o, "destroy", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	collect(pid, of, ef, &ev, have);
	EXPECT_EQ(0, ev.status) TH_LOG("%s", ev.err);
	EXPECT_NE(NULL, strstr(ev.out, "] #1 destroyed (")) TH_LOG("%s", ev.out);
	EXPECT_EQ(2, lines(ev.out));
	EXPECT_EQ(0, ev.err[0]);
}

/*
 * A user who may only read the node: list, stats, watch, the settings and
 * events of a pool open to everyone; nothing of an owner-only one; no
 * changes (the tool opens the node read-write for those).
 */
TEST_F(ctl, read_only_user_watches_but_does_not_touch)
{
	const char *const ev[] = { "--device", NODE_RO, "events", self->name, "-n", "1", NULL };
	struct out heard;
	char line[256];
	__u32 id, ids[7];
	size_t have;
	pid_t pid;
	int of, ef;

	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "8", "--access", "all");
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "create", self->name2, "-n", "2");
	ASSERT_EQ(0, self->o.status);
	ASSERT_EQ(0, make_node(NODE_RO, 0644));

	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "stats", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "stats", self->name2);
	EXPECT_FAILS(&self->o, 1, "access mode keeps you out");
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "stats");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	EXPECT_EQ(NULL, strstr(self->o.out, self->name2));
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "watch", "--count", "1",
	       self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	ASSERT_TRUE(pool_line(self->o.out, self->name, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "[....................]")) TH_LOG("%s", line);
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "set", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "low_watermark 0\n"));
	EXPECT_NE(NULL, strstr(self->o.out, "access all\n"));

	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "set", self->name, "--low", "2");
	EXPECT_FAILS(&self->o, 1, "permission denied");
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RO, "resize", self->name, "4");
	EXPECT_FAILS(&self->o, 1, "permission denied");

	/* Root sets a watermark; the unprivileged listener hears it cross. */
	pid = start_until(_metadata, ev, NOBODY, NOBODY, "events of ", &of, &ef, &heard,
			  &have);
	RUN(&self->o, "set", self->name, "--low", "2");
	ASSERT_EQ(0, self->o.status);
	ASSERT_EQ(0, pool_id_of(self->fd, self->name, &id));
	ASSERT_EQ(0, mp_lease(self->fd, id, ids, 7));
	collect(pid, of, ef, &heard, have);
	EXPECT_EQ(0, heard.status) TH_LOG("%s", heard.err);
	EXPECT_NE(NULL, strstr(heard.out, " low: 1 free, below 2")) TH_LOG("%s", heard.out);
	ASSERT_EQ(0, mp_release(self->fd, id, ids, 7));
}

/*
 * Group access as the udev rule's group uses it: A's group pool is open to
 * B of the same group, not to others; only A changes it.
 */
TEST_F(ctl, group_pool_is_shared_with_the_group_only)
{
	char line[256];

	ASSERT_EQ(0, make_node(NODE_RW, 0666));
	RUN_AS(&self->o, UID_A, GID_AB, "--device", NODE_RW, "create", self->name3, "-n", "2",
	       "--access", "group");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	RUN_AS(&self->o, UID_B, GID_AB, "--device", NODE_RW, "stats", self->name3);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_TRUE(pool_line(self->o.out, self->name3, line, sizeof(line)));
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RW, "stats", self->name3);
	EXPECT_FAILS(&self->o, 1, "access mode keeps you out");
	RUN_AS(&self->o, UID_B, GID_AB, "--device", NODE_RW, "resize", self->name3, "1");
	EXPECT_FAILS(&self->o, 1, "not your pool");
	RUN_AS(&self->o, UID_B, GID_AB, "--device", NODE_RW, "drain", self->name3);
	EXPECT_FAILS(&self->o, 1, "not your pool");

	RUN_AS(&self->o, UID_A, GID_AB, "--device", NODE_RW, "set", self->name3, "--access",
	       "all");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	RUN_AS(&self->o, NOBODY, NOBODY, "--device", NODE_RW, "list", "--names");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, self->name3));
}

/* The "syscalls/buffer" column of a bench line. */
static double bench_calls(const char *out, const char *mode)
{
	const char *p = strstr(out, mode);
	double ns, calls;

	if (!p || sscanf(p + strlen(mode), "%lf %lf", &ns, &calls) != 2)
		return -1;
	return calls;
}

TEST_F(ctl, bench_reports_system_calls)
{
	RUN(&self->o, "bench", "-n", "2048", "-b", "16", "-e", "ring");
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	EXPECT_EQ(2.0, bench_calls(self->o.out, "\nsingle")) TH_LOG("%s", self->o.out);
	EXPECT_EQ(0.125, bench_calls(self->o.out, "\nbatch"));
	/* One refill and one flush in all: a magazine that never runs dry. */
	EXPECT_GE(0.002, bench_calls(self->o.out, "\nmagazine"));
	EXPECT_LE(0.0, bench_calls(self->o.out, "\nmagazine"));
}

TEST_HARNESS_MAIN
