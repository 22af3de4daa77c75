/* SPDX-License-Identifier: MIT */
/*
 * tfbench-rusage: the resource accounting of bench/terraform-100-keys. Two roles, one binary:
 *
 *   tfbench-rusage run -o FILE [-t SECONDS] -- PROG [ARGS...]
 *       Runs PROG (Terraform) in its own process group as a child subreaper, so that every
 *       descendant, even one orphaned by its parent, is reaped here and its CPU time lands in
 *       our RUSAGE_CHILDREN. Appends one line to FILE:
 *         run wall_us=.. user_us=.. sys_us=.. maxrss_kib=.. self_us=.. reaped_us=.. orphans=..
 *             timed_out=.. exit=..
 *       where user/sys are the whole tree's (PROG and every descendant), maxrss the largest
 *       process of it; self_us and reaped_us are PROG's own user+sys and that of the children
 *       it reaped, read from /proc/PID/stat while PROG is a zombie (clock-tick resolution): an
 *       independent cross-check of "tree minus what the wrappers recorded". After SECONDS (default 600) the group gets SIGTERM, then SIGKILL.
 *       Exits with PROG's exit status (128 + signal when it was killed).
 *
 *   <dir>/terraform-provider-scaleway  (this binary copied under the provider's name)
 *       The dev_overrides wrapper: runs $TFBENCH_WRAP_REAL with the same arguments, environment
 *       and file descriptors (the go-plugin handshake line goes straight from the real provider
 *       to Terraform), waits for it, and appends one line per launch to $TFBENCH_WRAP_LOG:
 *         launch wall_us=.. user_us=.. sys_us=.. maxrss_kib=.. wrap_user_us=.. wrap_sys_us=..
 *                wrap_maxrss_kib=.. exit=..
 *       user/sys/maxrss are the real provider's alone (wait4); wrap_* are the wrapper's own
 *       cost (RUSAGE_SELF), reported so that its overhead is measured, not guessed. SIGINT is
 *       ignored (as go-plugin plugins do: Terraform stops them over gRPC); SIGTERM and SIGHUP
 *       are forwarded.
 *
 * Each record is one write(2) on an O_APPEND file, so parallel launches never interleave.
 * It neither parses nor touches what flows between Terraform and the provider.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/compat.h"

extern char **environ;

#define WRAP_NAME "terraform-provider-scaleway"
#define LINE_MAX_ 512

static volatile sig_atomic_t g_child = 0;
static volatile sig_atomic_t g_timed_out = 0;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t tv_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Appends one line to path (created 0600); one write so that concurrent writers never mix. */
static int append_line(const char *path, const char *line, size_t len)
{
	int fd, r = 0;
	ssize_t w;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -1;
		goto out;
	}
	w = write(fd, line, len);
	if (w < 0 || (size_t)w != len)
		r = -1;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* wait4 that survives EINTR from our own signal handlers. */
static pid_t wait_child(pid_t pid, int *status, struct rusage *ru)
{
	pid_t p;

	for (;;) {
		p = wait4(pid, status, 0, ru);
		if (p >= 0 || errno != EINTR)
			return p;
	}
}

static void forward_signal(int sig)
{
	pid_t c = (pid_t)g_child;

	if (c > 0)
		kill(c, sig);
}

static int wrap_main(int argc, char **argv)
{
	char *real = getenv("TFBENCH_WRAP_REAL");
	const char *log = getenv("TFBENCH_WRAP_LOG");
	struct sigaction sa;
	struct rusage ru, self;
	char line[LINE_MAX_];
	int64_t t0, t1;
	pid_t pid;
	int status = 0, n, r = 127;

	(void)argc;
	t0 = now_us();
	if (!real || !*real) {
		fprintf(stderr, "tfbench-rusage: TFBENCH_WRAP_REAL is not set\n");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = forward_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	argv[0] = real;
	errno = posix_spawn(&pid, real, NULL, NULL, argv, environ);
	if (errno != 0) {
		fprintf(stderr, "tfbench-rusage: cannot run %s: %s\n", real, strerror(errno));
		goto out;
	}
	g_child = pid;
	if (wait_child(pid, &status, &ru) < 0) {
		fprintf(stderr, "tfbench-rusage: wait: %s\n", strerror(errno));
		goto out;
	}
	g_child = 0;
	t1 = now_us();
	r = exit_code(status);
	getrusage(RUSAGE_SELF, &self);
	if (log && *log) {
		n = snprintf(line, sizeof(line),
			     "launch wall_us=%lld user_us=%lld sys_us=%lld maxrss_kib=%ld wrap_user_us=%lld "
			     "wrap_sys_us=%lld wrap_maxrss_kib=%ld exit=%d\n",
			     (long long)(t1 - t0), (long long)tv_us(&ru.ru_utime), (long long)tv_us(&ru.ru_stime),
			     ru.ru_maxrss, (long long)tv_us(&self.ru_utime), (long long)tv_us(&self.ru_stime),
			     self.ru_maxrss, r);
		if (n > 0 && (size_t)n < sizeof(line) && append_line(log, line, (size_t)n) < 0)
			fprintf(stderr, "tfbench-rusage: cannot append to %s\n", log);
	}
out:
	return r;
}

static void on_alarm(int sig)
{
	pid_t c = (pid_t)g_child;

	(void)sig;
	if (c <= 0)
		return;
	if (!g_timed_out) {
		g_timed_out = 1;
		kill(-c, SIGTERM);
		alarm(5);
	} else {
		kill(-c, SIGKILL);
	}
}

/* Reads utime+stime and cutime+cstime (in µs) of a process, a zombie one included. */
static int proc_cpu(pid_t pid, int64_t *self_us, int64_t *reaped_us)
{
	char path[64], buf[1024];
	unsigned long long ut, st, cut, cst;
	const char *p;
	long tck = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd, r = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0 || tck <= 0)
		goto out;
	buf[n] = '\0';
	/* fields after the command name, which may itself hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p)
		goto out;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut, &st, &cut, &cst) !=
	    4)
		goto out;
	*self_us = (int64_t)((ut + st) * 1000000ULL / (unsigned long long)tck);
	*reaped_us = (int64_t)((cut + cst) * 1000000ULL / (unsigned long long)tck);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int parse_seconds(const char *s, unsigned *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 86400)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int run_main(int argc, char **argv)
{
	const char *out_path = NULL;
	unsigned timeout_s = 600;
	posix_spawnattr_t attr;
	struct sigaction sa;
	struct rusage ru, all;
	char line[LINE_MAX_];
	siginfo_t si;
	int64_t t0, t1, self_us = -1, reaped_us = -1;
	pid_t pid, p;
	int i, status = 0, orphans = 0, n, r = 125, attr_ok = 0;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc && parse_seconds(argv[i + 1], &timeout_s) == 0) {
			i++;
		} else {
			fprintf(stderr, "usage: tfbench-rusage run -o FILE [-t SECONDS] -- PROG [ARGS...]\n");
			goto out;
		}
	}
	if (!out_path || i >= argc) {
		fprintf(stderr, "usage: tfbench-rusage run -o FILE [-t SECONDS] -- PROG [ARGS...]\n");
		goto out;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "tfbench-rusage: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (posix_spawnattr_init(&attr) != 0)
		goto out;
	attr_ok = 1;
	if (posix_spawnattr_setpgroup(&attr, 0) != 0 || posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) != 0)
		goto out;
	t0 = now_us();
	errno = posix_spawnp(&pid, argv[i], NULL, &attr, &argv[i], environ);
	if (errno != 0) {
		fprintf(stderr, "tfbench-rusage: cannot run %s: %s\n", argv[i], strerror(errno));
		r = 127;
		goto out;
	}
	g_child = pid;
	alarm(timeout_s);
	/* Wait for the exit without reaping, to read the zombie's own CPU time first. */
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	t1 = now_us();
	if (proc_cpu(pid, &self_us, &reaped_us) < 0)
		self_us = reaped_us = -1;
	if (wait_child(pid, &status, &ru) < 0) {
		fprintf(stderr, "tfbench-rusage: wait: %s\n", strerror(errno));
		goto out;
	}
	r = exit_code(status);
	/* Descendants Terraform did not reap came to us (subreaper): reap them too, under the
	 * same deadline, so that their CPU time is in RUSAGE_CHILDREN. */
	for (;;) {
		p = wait_child(-1, &status, NULL);
		if (p < 0)
			break;
		orphans++;
	}
	alarm(0);
	g_child = 0;
	getrusage(RUSAGE_CHILDREN, &all);
	n = snprintf(line, sizeof(line),
		     "run wall_us=%lld user_us=%lld sys_us=%lld maxrss_kib=%ld self_us=%lld reaped_us=%lld orphans=%d "
		     "timed_out=%d exit=%d\n",
		     (long long)(t1 - t0), (long long)tv_us(&all.ru_utime), (long long)tv_us(&all.ru_stime),
		     all.ru_maxrss, (long long)self_us, (long long)reaped_us, orphans, (int)g_timed_out, r);
	if (n <= 0 || (size_t)n >= sizeof(line) || append_line(out_path, line, (size_t)n) < 0) {
		fprintf(stderr, "tfbench-rusage: cannot append to %s\n", out_path);
		r = 125;
	}
out:
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	return r;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, WRAP_NAME))
		return wrap_main(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run_main(argc, argv);
	fprintf(stderr,
		"usage: tfbench-rusage run -o FILE [-t SECONDS] -- PROG [ARGS...]\n"
		"       (or copied as " WRAP_NAME ": the dev_overrides wrapper, see the source)\n");
	return 2;
}
