// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/sandbox/child.h — run a check in a forked child (sandboxing is irreversible) and
 * report how it ended: exit code, or 128 + signal. Bounded: the child is killed after 20 s. */
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZER 1
#endif
#endif
#ifndef TEST_SANITIZER
#define TEST_SANITIZER 0
#endif

typedef int child_fn(const void *arg);

static inline int child_run(child_fn *fn, const void *arg)
{
	struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	for (int i = 0; i < 2000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		nanosleep(&tick, nullptr);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -2;
}
