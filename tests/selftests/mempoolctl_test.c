// SPDX-License-Identifier: GPL-2.0
/*
 * mempoolctl as a user meets it: --help on every command, exit codes 0/1/2
 * with one line on stderr for each failure (module not loaded, device not
 * accessible, bad argument, kernel refusal), and what create, lease,
 * destroy, list and bench really do, checked through a session of our own.
 * Runs the mempoolctl on PATH (or $MEMPOOLCTL).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <sys/stat.h>

#include "mempool_util.h"
#include "kselftest_harness.h"

#define NOBODY	65534

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

/* Start mempoolctl ARGS... with stdout and stderr on pipes. */
static pid_t spawn(const char *const argv[], int *outfd, int *errfd, uid_t uid)
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
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
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

static void run_as(struct out *o, uid_t uid, const char *const argv[])
{
	int of, ef;
	pid_t pid = spawn(argv, &of, &ef, uid);

	memset(o, 0, sizeof(*o));
	if (pid < 0) {
		o->status = -1;
		return;
	}
	collect(pid, of, ef, o, 0);
}

#define RUN(o, ...) run_as(o, 0, (const char *const[]){ __VA_ARGS__, NULL })

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
	int fd;
	struct out o;
};

FIXTURE_SETUP(ctl)
{
	mp_name(self->name, "ctl");
	self->fd = mp_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ctl)
{
	struct mpool_pool_attach a;

	if (!mp_attach(self->fd, self->name, &a))
		mp_destroy(self->fd, a.pool_id);
	close(self->fd);
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
					    "bench" };
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
	struct stat st;

	/* The module's absence looks like this: no device node. */
	RUN(&self->o, "--device", "/dev/mempool-not-loaded", "info");
	EXPECT_FAILS(&self->o, 1, "is mempool.ko loaded?");
	RUN(&self->o, "--device", "/dev/mempool-not-loaded", "lease", self->name);
	EXPECT_FAILS(&self->o, 1, "is mempool.ko loaded?");

	/* The node is root's, 0600: nobody else gets in. */
	ASSERT_EQ(0, stat(MPOOL_DEVICE, &st));
	ASSERT_EQ(0, st.st_uid);
	ASSERT_EQ(0, st.st_mode & 077);
	run_as(&self->o, NOBODY, (const char *const[]){ "info", NULL });
	EXPECT_FAILS(&self->o, 1, "permission denied");
	run_as(&self->o, NOBODY, (const char *const[]){ "create", self->name, NULL });
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

/* Start `lease --hold` and return once it says it holds its buffers. */
static pid_t start_holder(struct __test_metadata *_metadata, const char *name, const char *n,
			  int *outfd, int *errfd, struct out *o, size_t *have)
{
	const char *const argv[] = { "lease", name, "-n", n, "--fill", "held", "--hold", NULL };
	pid_t pid = spawn(argv, outfd, errfd, 0);
	ssize_t r;

	EXPECT_LT(0, pid);
	*have = 0;
	while (!strstr(o->out, "holding")) {
		r = read(*outfd, o->out + *have, sizeof(o->out) - 1 - *have);
		if (r <= 0)
			break;
		*have += r;
		o->out[*have] = 0;
	}
	EXPECT_NE(NULL, strstr(o->out, "holding")) TH_LOG("%s", o->out);
	return pid;
}

TEST_F(ctl, held_leases_return_on_signal_or_kill)
{
	struct mpool_pool_stats st;
	int outfd, errfd;
	size_t have;
	pid_t pid;

	RUN(&self->o, "create", self->name, "-e", "lockfree", "-n", "8");
	ASSERT_EQ(0, self->o.status);

	memset(&self->o, 0, sizeof(self->o));
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
	memset(&self->o, 0, sizeof(self->o));
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
 * list asks the kernel (POOL_LIST), so a user who may open the device sees
 * the pools it may attach to, their owner and lifetime, without root or
 * debugfs; an owner-only pool (the default) is not among them.
 */
TEST_F(ctl, list_shows_what_a_user_may_attach_to)
{
	const char *node = "/tmp/mempoolctl-list";
	char line[128];
	struct stat st;

	RUN(&self->o, "create", self->name, "-e", "ring", "-n", "8");
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "list", self->name);
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(line, sizeof(line), "%-23s %-8s %9ld %6u %6u %6u %6u %8u %6u persistent\n",
		 self->name, "ring", sysconf(_SC_PAGESIZE), 8, 8, 0, 0, 0, 0);
	EXPECT_NE(NULL, strstr(self->o.out, line)) TH_LOG("%s", self->o.out);

	/* A node anyone may open, as the udev rule opens it to a group. */
	ASSERT_EQ(0, stat(MPOOL_DEVICE, &st));
	unlink(node);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, st.st_rdev));
	ASSERT_EQ(0, chmod(node, 0666));
	run_as(&self->o, NOBODY, (const char *const[]){ "--device", node, "list", "--names", NULL });
	ASSERT_EQ(0, self->o.status) TH_LOG("%s", self->o.err);
	snprintf(line, sizeof(line), "%s\n", self->name);
	EXPECT_EQ(NULL, strstr(self->o.out, line)) TH_LOG("%s", self->o.out);
	unlink(node);

	RUN(&self->o, "destroy", self->name);
	ASSERT_EQ(0, self->o.status);
	RUN(&self->o, "list", "--names");
	EXPECT_EQ(NULL, strstr(self->o.out, self->name));
	RUN(&self->o, "list", self->name);
	EXPECT_FAILS(&self->o, 1, "no pool named");
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
