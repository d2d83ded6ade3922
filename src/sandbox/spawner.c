// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox/spawner.c — the script helper: forked before the privilege drop, it receives
 * (path, env) over a SOCK_SEQPACKET socketpair, fork+execs an allowed script and replies with
 * its exit status, so the sandboxed server never calls execve. */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/compiler.h"
#include "core/log.h"

enum {
	SPAWN_REPLY_SLACK_MS = 5000, /* the helper's own bookkeeping beyond the script timeout */
	SPAWN_STOP_WAIT_MS = 2000,   /* how long stop waits for an idle helper to exit */
};

struct sandbox_spawner {
	pthread_mutex_t lock;
	int fd;	   /* our end of the socketpair, -1 once broken */
	pid_t pid; /* the helper */
	int pidfd; /* the helper, for a bounded wait at stop */
	unsigned timeout_ms;
	size_t n_paths;
	char *paths[SANDBOX_SPAWN_MAX_PATHS];
};

/* ---- checks shared by both sides ---- */

static bool path_allowed(char *const *paths, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(paths[i], path) == 0)
			return true;
	return false;
}

/* Names that change how a loader, libc or shell behaves: never passed to a root script. */
static bool env_name_dangerous(const char *e, size_t len)
{
	static const char *const exact[] = {"BASH_ENV", "ENV",	   "SHELLOPTS",	  "BASHOPTS",
					    "PS4",	"IFS",	   "GCONV_PATH",  "GLIBC_TUNABLES",
					    "LOCPATH",	"NLSPATH", "HOSTALIASES", "RES_OPTIONS",
					    "CDPATH"};
	static const char *const prefix[] = {"LD_", "BASH_FUNC_", "MALLOC_", "PYTHON", "PERL"};

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (strlen(exact[i]) == len && memcmp(exact[i], e, len) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefix); i++)
		if (len >= strlen(prefix[i]) && memcmp(prefix[i], e, strlen(prefix[i])) == 0)
			return true;
	return false;
}

/* "NAME=value", NAME = [A-Za-z_][A-Za-z0-9_]* and not dangerous. */
static bool env_entry_valid(const char *e)
{
	const char *eq = strchr(e, '=');
	size_t len;

	if (!eq || eq == e)
		return false;
	len = (size_t)(eq - e);
	for (size_t i = 0; i < len; i++) {
		char c = e[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!alpha && (i == 0 || c < '0' || c > '9'))
			return false;
	}
	return !env_name_dangerous(e, len);
}

/* ---- the helper process ---- */

/* The script's child side: never returns. Reports an exec failure's errno on errfd. */
[[noreturn]] static void script_exec(const char *path, char *const *envp, int errfd)
{
	char *argv[] = {(char *)path, nullptr};
	sigset_t all;
	int err, nul;

	setsid(); /* its own process group: a timeout kills the whole script */
	sigfillset(&all);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &all, nullptr);
	nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, STDIN_FILENO) < 0) {
		err = errno;
		goto fail;
	}
	if (errfd != 3 && dup2(errfd, 3) < 0) {
		err = errno;
		goto fail;
	}
	errfd = 3;
	fcntl(errfd, F_SETFD, FD_CLOEXEC);
	close_range(4, ~0u, 0);
	execve(path, argv, envp);
	err = errno;
fail:
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* nothing left to tell */
	}
	_exit(127);
}

/* Waits for pid at most timeout_ms; kills its group on timeout. Returns status or -errno. */
static int script_wait(pid_t pid, unsigned timeout_ms)
{
	struct pollfd p = {.events = POLLIN};
	int status, rc;

	p.fd = pidfd_open(pid, 0);
	if (p.fd >= 0) {
		do
			rc = poll(&p, 1, (int)timeout_ms);
		while (rc < 0 && errno == EINTR);
		close(p.fd);
		if (rc == 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
			}
			return -ETIMEDOUT;
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -ECHILD;
}

/* One request: "path\0NAME=value\0…" (every string NUL-terminated). Returns status or -errno. */
static int helper_handle(const struct sandbox_spawner *sp, char *msg, size_t len)
{
	char *envp[SANDBOX_SPAWN_MAX_ENV + 1];
	size_t n_env = 0, off;
	const char *path = msg;
	int pipefd[2], err = 0;
	ssize_t n;
	pid_t pid;

	if (len == 0 || msg[len - 1] != '\0')
		return -EINVAL;
	if (!path_allowed(sp->paths, sp->n_paths, path))
		return -EPERM;
	for (off = strlen(path) + 1; off < len; off += strlen(msg + off) + 1) {
		if (n_env == SANDBOX_SPAWN_MAX_ENV)
			return -E2BIG;
		if (!env_entry_valid(msg + off))
			return -EINVAL;
		envp[n_env++] = msg + off;
	}
	envp[n_env] = nullptr;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		script_exec(path, envp, pipefd[1]);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(err)) {
		script_wait(pid, sp->timeout_ms);
		return err > 0 ? -err : -EIO;
	}
	return script_wait(pid, sp->timeout_ms);
}

[[noreturn]] static void helper_main(const struct sandbox_spawner *sp, int fd, pid_t parent)
{
	char msg[SANDBOX_SPAWN_MAX_MSG];
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	sigset_t all;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "ocm-spawner");
	sigfillset(&all);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &all, nullptr);
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(1);
		fd = 3;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	close_range(4, ~0u, 0);
	for (;;) {
		ssize_t n = recvmsg(fd, &mh, 0);
		int32_t res;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the server closed its end (or is gone) */
		res = (mh.msg_flags & MSG_TRUNC) ? -E2BIG : helper_handle(sp, msg, (size_t)n);
		mh.msg_flags = 0;
		if (send(fd, &res, sizeof(res), MSG_NOSIGNAL) < 0)
			_exit(0);
	}
}

/* ---- the server side ---- */

static void spawner_free(struct sandbox_spawner *sp)
{
	if (!sp)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->pidfd >= 0)
		close(sp->pidfd);
	for (size_t i = 0; i < sp->n_paths; i++)
		free(sp->paths[i]);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

int sandbox_spawner_start(const struct sandbox_spawner_config *cfg, struct sandbox_spawner **out)
{
	struct sandbox_spawner *sp;
	int sv[2], ret;
	pid_t parent = getpid();

	*out = nullptr;
	if (!cfg->allowed_paths || cfg->timeout_ms == 0 || cfg->timeout_ms > INT32_MAX)
		return -EINVAL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	pthread_mutex_init(&sp->lock, nullptr);
	sp->fd = -1;
	sp->pidfd = -1;
	sp->timeout_ms = cfg->timeout_ms;
	for (const char *const *p = cfg->allowed_paths; *p; p++) {
		if (sp->n_paths == SANDBOX_SPAWN_MAX_PATHS || (*p)[0] != '/') {
			ret = -EINVAL;
			goto out;
		}
		sp->paths[sp->n_paths] = strdup(*p);
		if (!sp->paths[sp->n_paths]) {
			ret = -ENOMEM;
			goto out;
		}
		sp->n_paths++;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		goto out;
	}
	sp->pid = fork();
	if (sp->pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (sp->pid == 0) {
		close(sv[0]);
		helper_main(sp, sv[1], parent);
	}
	close(sv[1]);
	sp->fd = sv[0];
	sp->pidfd = pidfd_open(sp->pid, 0);
	*out = sp;
	sp = nullptr; /* owned by the caller */
	ret = 0;
out:
	spawner_free(sp);
	if (ret)
		log_msg(LOG_ERR, "sandbox: cannot start the script spawner: %s", strerror(-ret));
	return ret;
}

/* Builds "path\0env0\0env1\0…" into a new buffer. */
static int request_build(const char *path, const char *const *env, char **out, size_t *out_len)
{
	size_t len = strlen(path) + 1, n = 0, off;
	char *msg;

	for (const char *const *e = env; e && *e; e++, n++) {
		if (n == SANDBOX_SPAWN_MAX_ENV || ckd_add(&len, len, strlen(*e) + 1))
			return -E2BIG;
		if (!env_entry_valid(*e))
			return -EINVAL;
	}
	if (len > SANDBOX_SPAWN_MAX_MSG)
		return -E2BIG;
	msg = malloc(len);
	if (!msg)
		return -ENOMEM;
	off = strlen(path) + 1;
	memcpy(msg, path, off);
	for (const char *const *e = env; e && *e; e++) {
		size_t l = strlen(*e) + 1;

		memcpy(msg + off, *e, l);
		off += l;
	}
	*out = msg;
	*out_len = len;
	return 0;
}

static int request_send(struct sandbox_spawner *sp, const char *msg, size_t len)
{
	struct pollfd p = {.fd = sp->fd, .events = POLLIN};
	int32_t res;
	ssize_t n;
	int rc;

	if (sp->fd < 0)
		return -EPIPE;
	if (send(sp->fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -EPIPE;
	do
		rc = poll(&p, 1, (int)sp->timeout_ms + SPAWN_REPLY_SLACK_MS);
	while (rc < 0 && errno == EINTR);
	if (rc > 0) {
		do
			n = recv(sp->fd, &res, sizeof(res), 0);
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(res))
			return res;
	}
	/* No reply in time or a broken channel: never reuse it (replies could pair wrongly). */
	close(sp->fd);
	sp->fd = -1;
	return -EPIPE;
}

int sandbox_spawner_run(struct sandbox_spawner *sp, const char *path, const char *const *env,
			int *exit_status)
{
	char *msg = nullptr;
	size_t len = 0;
	int ret;

	*exit_status = -1;
	if (!path_allowed(sp->paths, sp->n_paths, path))
		return -EPERM;
	ret = request_build(path, env, &msg, &len);
	if (ret)
		return ret;
	pthread_mutex_lock(&sp->lock);
	ret = request_send(sp, msg, len);
	pthread_mutex_unlock(&sp->lock);
	explicit_bzero(msg, len);
	free(msg);
	if (ret < 0)
		return ret;
	*exit_status = ret;
	return 0;
}

void sandbox_spawner_stop(struct sandbox_spawner *sp)
{
	struct pollfd p = {.events = POLLIN};
	int status;

	if (!sp)
		return;
	if (sp->fd >= 0) {
		close(sp->fd);
		sp->fd = -1;
	}
	/* An idle helper exits on EOF; one running a script does so within its timeout. */
	p.fd = sp->pidfd;
	if (p.fd < 0 || poll(&p, 1, (int)sp->timeout_ms + SPAWN_STOP_WAIT_MS) <= 0)
		kill(sp->pid, SIGKILL);
	while (waitpid(sp->pid, &status, 0) < 0 && errno == EINTR) {
	}
	spawner_free(sp);
}
