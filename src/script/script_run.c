// SPDX-License-Identifier: GPL-2.0-or-later
/* script/script_run.c — runs a script without blocking the event loop: spawn (posix_spawn, or a
 * replacement spawner), watch the child's pidfd on the loop, reap it with waitid(P_PIDFD), kill
 * its process group when it overruns. No SIGCHLD handler, no blocking wait on the loop. */
#include "script/script.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "core/loop.h"

#ifndef P_PIDFD
#define P_PIDFD 3 /* linux/wait.h; glibc 2.36 lacks it */
#endif

struct script_run {
	struct loop *l;
	struct loop_watch watch; /* the pidfd, readable once the child exited */
	struct timer deadline;
	pid_t pid;
	bool timed_out;
	script_done_fn *done;
	void *ctx;
};

static int spawn_default(const char *path, char *const argv[], char *const envp[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		return -ret;
	ret = posix_spawnattr_init(&attr);
	if (ret) {
		posix_spawn_file_actions_destroy(&fa);
		return -ret;
	}
	sigemptyset(&none);
	sigfillset(&all);
	/* The server blocks signals it reads through signalfd: the script must not inherit that. */
	ret = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (!ret)
		ret = posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&attr, &all);
	if (!ret)
		ret = posix_spawnattr_setpgroup(&attr, 0);
	if (!ret)
		ret = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
							      POSIX_SPAWN_SETSIGDEF |
							      POSIX_SPAWN_SETPGROUP);
	if (!ret)
		ret = posix_spawn(pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -ret;
}

/* Set once by main before workers start (script.h); read on worker threads afterwards. */
static script_spawn_fn *spawner = spawn_default;

void script_set_spawner(script_spawn_fn *fn)
{
	spawner = fn ? fn : spawn_default;
}

static void run_finish(struct script_run *r, int status)
{
	script_done_fn *done = r->done;
	void *ctx = r->ctx;

	loop_timer_cancel(r->l, &r->deadline);
	loop_watch_del(r->l, &r->watch);
	close(r->watch.fd);
	free(r);
	done(ctx, status);
}

static void run_on_exit(struct loop_watch *w, uint32_t events)
{
	struct script_run *r = container_of(w, struct script_run, watch);
	siginfo_t si = {};
	int status;

	(void)events;
	if (waitid((idtype_t)P_PIDFD, (id_t)w->fd, &si, WEXITED | WNOHANG) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return; /* level-triggered: comes back */
		log_msg(LOG_ERR, "script: pid %d: cannot reap: %s", (int)r->pid, strerror(errno));
		run_finish(r, -ECHILD);
		return;
	}
	if (si.si_pid == 0)
		return; /* not exited yet (spurious wakeup) */
	if (si.si_code == CLD_EXITED)
		status = si.si_status;
	else
		status = r->timed_out ? -ETIMEDOUT : -EINTR;
	run_finish(r, status);
}

static void run_on_timeout(struct timer *t)
{
	struct script_run *r = container_of(t, struct script_run, deadline);

	log_msg(LOG_WARNING, "script: pid %d: still running after the timeout, killing it",
		(int)r->pid);
	r->timed_out = true;
	/* The pid cannot be reused before we reap it, so its process group is still its own. */
	kill(-r->pid, SIGKILL);
	syscall(SYS_pidfd_send_signal, r->watch.fd, SIGKILL, nullptr, 0);
}

int script_run_async_timeout(struct loop *l, const char *path, const struct script_env *env,
			     unsigned timeout_ms, script_done_fn *done, void *ctx)
{
	char *argv[] = {(char *)path, nullptr};
	struct script_run *r;
	pid_t pid = -1;
	int pidfd, ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = spawner(path, argv, (char *const *)env->vars, &pid);
	if (ret < 0) {
		log_msg(LOG_ERR, "script: cannot run %s: %s", path, strerror(-ret));
		free(r);
		return ret;
	}
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		log_msg(LOG_ERR, "script: pid %d: pidfd_open: %s", (int)pid, strerror(-ret));
		kill(pid, SIGKILL);
		waitpid(pid, nullptr, 0); /* just killed: returns at once */
		free(r);
		return ret;
	}
	*r = (struct script_run){.l = l, .pid = pid, .done = done, .ctx = ctx};
	ret = loop_watch_add(l, &r->watch, pidfd, EPOLLIN, run_on_exit);
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitid((idtype_t)P_PIDFD, (id_t)pidfd, &(siginfo_t){}, WEXITED);
		close(pidfd);
		free(r);
		return ret;
	}
	timer_init(&r->deadline, run_on_timeout);
	loop_timer_arm(l, &r->deadline, clock_now_ns() + (uint64_t)timeout_ms * NS_PER_MS);
	log_msg(LOG_DEBUG, "script: started %s as pid %d", path, (int)pid);
	return 0;
}

int script_run_async(struct loop *l, const char *path, const struct script_env *env,
		     void (*done)(void *ctx, int status), void *ctx)
{
	return script_run_async_timeout(l, path, env, SCRIPT_TIMEOUT_MS, done, ctx);
}
