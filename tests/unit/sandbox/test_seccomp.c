// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sandbox/seccomp_policy.c: a forked child installs the filter, then either
 * uses what the server needs (must survive) or a forbidden syscall (must die of SIGSYS). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/random.h>
#include <linux/sched.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "sandbox/sandbox.h"
#include "child.h"

/* Case tables list only the fields that matter; the rest are zero. */
#pragma clang diagnostic ignored "-Wmissing-field-initializers"

enum { DIED_SIGSYS = 128 + SIGSYS, FAILED = 50 };

static void *thread_fn(void *arg)
{
	int *p = malloc(sizeof(*p)); /* the allocator from a new thread */

	if (!p)
		return nullptr;
	*p = 7;
	*(int *)arg = *p;
	free(p);
	return arg;
}

static int act_threads(void)
{
	pthread_t t[4];
	int v[4] = {};

	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], nullptr, thread_fn, &v[i]))
			return FAILED;
	for (int i = 0; i < 4; i++)
		if (pthread_join(t[i], nullptr) || v[i] != 7)
			return FAILED + 1;
	return 0;
}

static int act_epoll(void)
{
	struct itimerspec its = {.it_value.tv_nsec = 1000000};
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct timespec ts;

	if (ep < 0 || efd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, nullptr))
		return FAILED;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) || epoll_wait(ep, &ev, 1, 1000) != 1)
		return FAILED + 1;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) || nanosleep(&its.it_value, nullptr))
		return FAILED + 2;
	close(tfd);
	close(efd);
	close(ep);
	return 0;
}

static int act_sockets(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	char buf[4];
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int six = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int sv[2], one = 1, n = 0;

	if (u < 0 || six < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return FAILED;
	if (bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(u, (struct sockaddr *)&a, &alen))
		return FAILED + 1;
	if (setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return FAILED + 2;
	if (sendto(u, "abc", 3, 0, (struct sockaddr *)&a, alen) != 3 || ioctl(u, FIONREAD, &n) ||
	    n != 3 || recvfrom(u, buf, sizeof(buf), 0, nullptr, nullptr) != 3)
		return FAILED + 3;
	close(u);
	close(six);
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static int act_files(void)
{
	char buf[64];
	int fd = open(OCM_SOURCE_DIR "/CMakeLists.txt", O_RDONLY | O_CLOEXEC);
	void *big = malloc(16 << 20);

	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0 || !big)
		return FAILED;
	memset(big, 1, 16 << 20);
	free(big);
	close(fd);
	if (getrandom(buf, 16, 0) != 16 || prctl(PR_SET_NAME, "ocm-test") != 0)
		return FAILED + 1;
	return 0;
}

static int act_clone3(void)
{
	struct clone_args ca = {.flags = CLONE_THREAD};

	/* Refused with ENOSYS (glibc then falls back to clone). */
	return syscall(SYS_clone3, &ca, sizeof(ca)) == -1 && errno == ENOSYS ? 0 : FAILED;
}

static int act_execve(void)
{
	char *argv[] = {(char *)"/bin/true", nullptr};

	execve("/bin/true", argv, environ);
	return FAILED;
}

static int act_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
	return FAILED;
}

static int act_mount(void)
{
	mount("none", "/nonexistent", "tmpfs", 0, nullptr);
	return FAILED;
}

static int act_packet_socket(void)
{
	socket(AF_PACKET, SOCK_RAW, 0);
	return FAILED;
}

static int act_netlink_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */);

	return fd >= 0 ? 0 : FAILED;
}

static int act_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return FAILED;
}

static int act_ioctl_tiocsti(void)
{
	char c = 'x';

	ioctl(0, TIOCSTI, &c);
	return FAILED;
}

static int act_setuid(void)
{
	(void)setuid(0); /* never returns: the filter kills first */
	return FAILED;
}

static int act_unshare(void)
{
	return unshare(0) == 0 ? 0 : FAILED;
}

/* exit() (not _exit) runs LeakSanitizer's check, which must survive the filter. */
static int act_exit(void)
{
	exit(0);
}

struct filter_case {
	const char *name;
	int (*act)(void);
	enum sandbox_profile profile;
	int want;	     /* child exit code, DIED_SIGSYS when killed */
	bool log_mode;	     /* OCM_SECCOMP_LOG=1 */
	bool skip_sanitizer; /* allowed in sanitizer builds (LSan needs it) */
};

static int filter_child(const void *arg)
{
	const struct filter_case *tc = arg;

	if (tc->log_mode)
		setenv("OCM_SECCOMP_LOG", "1", 1);
	if (sandbox_seccomp_install(tc->profile))
		return 99;
	return tc->act();
}

static void test_filter_table(void **state)
{
	static const struct filter_case cases[] = {
		{"threads", act_threads, SANDBOX_PROFILE_SERVER, 0},
		{"epoll, eventfd, timerfd, time", act_epoll, SANDBOX_PROFILE_SERVER, 0},
		{"udp, tcp6, unix sockets, FIONREAD", act_sockets, SANDBOX_PROFILE_SERVER, 0},
		{"files, memory, getrandom, PR_SET_NAME", act_files, SANDBOX_PROFILE_SERVER, 0},
		{"clone3 refused with ENOSYS", act_clone3, SANDBOX_PROFILE_SERVER, 0},
		{"exit with leak check", act_exit, SANDBOX_PROFILE_SERVER, 0},
		{"netlink with the netlink profile", act_netlink_socket,
		 SANDBOX_PROFILE_SERVER_NETLINK, 0},
		{"execve", act_execve, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"ptrace", act_ptrace, SANDBOX_PROFILE_SERVER, DIED_SIGSYS, .skip_sanitizer = true},
		{"mount", act_mount, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"AF_PACKET socket", act_packet_socket, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"AF_PACKET socket, netlink profile", act_packet_socket,
		 SANDBOX_PROFILE_SERVER_NETLINK, DIED_SIGSYS},
		{"netlink without the netlink profile", act_netlink_socket, SANDBOX_PROFILE_SERVER,
		 DIED_SIGSYS},
		{"fork", act_fork, SANDBOX_PROFILE_SERVER, DIED_SIGSYS, .skip_sanitizer = true},
		{"ioctl TIOCSTI", act_ioctl_tiocsti, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"setuid", act_setuid, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"unshare", act_unshare, SANDBOX_PROFILE_SERVER, DIED_SIGSYS},
		{"unshare, log mode", act_unshare, SANDBOX_PROFILE_SERVER, 0, .log_mode = true},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;

		if (cases[i].skip_sanitizer && TEST_SANITIZER)
			continue;
		rc = child_run(filter_child, &cases[i]);
		if (rc != cases[i].want)
			print_error("case '%s': child ended with %d, want %d\n", cases[i].name, rc,
				    cases[i].want);
		assert_int_equal(rc, cases[i].want);
	}
}

static void test_bad_profile(void **state)
{
	(void)state;
	assert_int_equal(sandbox_seccomp_install(SANDBOX_PROFILE__COUNT), -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_table),
		cmocka_unit_test(test_bad_profile),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
