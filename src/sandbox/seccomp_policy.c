// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox/seccomp_policy.c — sandbox_seccomp_install(): the syscall allow-list of the running
 * server (libseccomp). Everything not listed kills the process; no exec, no ptrace, no mount. */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>

#include <seccomp.h>

#include "core/compiler.h"
#include "core/log.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/* Allowed with any arguments. */
static const int allow_any[] = {
	/* I/O on descriptors we already hold */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(close),
	SCMP_SYS(close_range),
	SCMP_SYS(dup),
	SCMP_SYS(dup2),
	SCMP_SYS(dup3),
	SCMP_SYS(pipe2),
	SCMP_SYS(fcntl),
	SCMP_SYS(lseek),
	SCMP_SYS(fsync),
	SCMP_SYS(fdatasync),
	/* files: config and password file re-read on reload, pid file removed at exit */
	SCMP_SYS(openat),
	SCMP_SYS(open),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(stat),
	SCMP_SYS(lstat),
	SCMP_SYS(statx),
	SCMP_SYS(access),
	SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2),
	SCMP_SYS(getdents64),
	SCMP_SYS(readlink),
	SCMP_SYS(readlinkat),
	SCMP_SYS(unlink),
	SCMP_SYS(unlinkat),
	SCMP_SYS(getcwd),
	SCMP_SYS(fstatfs),
	/* sockets (creation is filtered below) */
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendto),
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(recvmmsg),
	SCMP_SYS(sendmmsg),
	SCMP_SYS(accept),
	SCMP_SYS(accept4),
	SCMP_SYS(bind),
	SCMP_SYS(connect),
	SCMP_SYS(listen),
	SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(shutdown),
	/* event loop */
	SCMP_SYS(epoll_create),
	SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_pwait2),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(eventfd),
	SCMP_SYS(eventfd2),
	SCMP_SYS(timerfd_create),
	SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_gettime),
	SCMP_SYS(signalfd),
	SCMP_SYS(signalfd4),
	/* time */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep),
	/* memory */
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mprotect),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(brk),
	/* threads and synchronisation */
	SCMP_SYS(futex),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(get_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_setaffinity),
	SCMP_SYS(getcpu),
	SCMP_SYS(membarrier),
	SCMP_SYS(set_tid_address),
	/* signals, process */
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(gettid),
	SCMP_SYS(getpid),
	SCMP_SYS(getppid),
	SCMP_SYS(tgkill),
	SCMP_SYS(tkill),
	SCMP_SYS(kill),
	SCMP_SYS(pidfd_open),
	SCMP_SYS(waitid),
	SCMP_SYS(wait4),
	/* identity and limits (read only) */
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(getresuid),
	SCMP_SYS(getresgid),
	SCMP_SYS(getgroups),
	SCMP_SYS(uname),
	SCMP_SYS(getrlimit),
	SCMP_SYS(prlimit64),
	SCMP_SYS(getrusage),
	SCMP_SYS(times),
	SCMP_SYS(sysinfo),
	SCMP_SYS(getrandom),
};

/* Extra syscalls of the ASan/LSan runtime: LeakSanitizer stops the world at exit with a
 * ptrace-ing tracer task (clone without CLONE_THREAD, PR_SET_DUMPABLE/PR_SET_PTRACER). */
static const int allow_sanitizer[] = {
	SCMP_SYS(ptrace),
	SCMP_SYS(clone),
	SCMP_SYS(prctl),
	SCMP_SYS(sched_getparam),
	SCMP_SYS(sched_getscheduler),
	SCMP_SYS(mincore),
	SCMP_SYS(process_vm_readv),
};

/* ioctl requests used after start-up; TUN set-up happens before the filter. */
static const unsigned long allow_ioctl[] = {
	FIONREAD, FIONBIO, TCGETS, TIOCOUTQ, TUNSETSTEERINGEBPF,
};

/* bpf() commands on map fds loaded before the drop (ban and lease maps). */
static const unsigned allow_bpf[] = {
	BPF_MAP_LOOKUP_ELEM,  BPF_MAP_UPDATE_ELEM,    BPF_MAP_DELETE_ELEM,
	BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET_INFO_BY_FD,
};

static const int allow_family[] = {AF_UNIX, AF_INET, AF_INET6};

static const int allow_prctl[] = {PR_SET_NAME, PR_GET_NAME};

/* One argument comparison (libseccomp's SCMP_A* macros leave datum_b implicit). */
static struct scmp_arg_cmp arg(unsigned n, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	return (struct scmp_arg_cmp){.arg = n, .op = op, .datum_a = a, .datum_b = b};
}

/* Allows nr whatever its arguments; a syscall unknown on this arch is skipped. */
static int allow(scmp_filter_ctx ctx, int nr)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);

	return rc == -EDOM || rc == -EFAULT ? 0 : rc;
}

static int add_arg_rules(scmp_filter_ctx ctx, enum sandbox_profile profile)
{
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(allow_family) && rc == 0; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)allow_family[i], 0));
	}
	if (rc == 0 && profile == SANDBOX_PROFILE_SERVER_NETLINK)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)AF_NETLINK, 0),
				      arg(2, SCMP_CMP_EQ, (scmp_datum_t)NETLINK_ROUTE, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)AF_UNIX, 0));
	for (size_t i = 0; i < ARRAY_SIZE(allow_ioctl) && rc == 0; i++)
		rc = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			arg(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)allow_ioctl[i]));
	for (size_t i = 0; i < ARRAY_SIZE(allow_bpf) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)allow_bpf[i], 0));
	/* auth threads lower their own priority (auth_pool.c); raising it needs CAP_SYS_NICE */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setpriority), 1,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)PRIO_PROCESS, 0));
	if (SANDBOX_SANITIZER)
		return rc;
	for (size_t i = 0; i < ARRAY_SIZE(allow_prctl) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      arg(0, SCMP_CMP_EQ, (scmp_datum_t)allow_prctl[i], 0));
	/* Threads only: a clone without CLONE_THREAD would be a new process. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      arg(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	return rc;
}

static bool log_mode(void)
{
	const char *v = getenv("OCM_SECCOMP_LOG");

	return v && strcmp(v, "1") == 0;
}

int sandbox_seccomp_install(enum sandbox_profile profile)
{
	bool logging = log_mode();
	scmp_filter_ctx ctx;
	int rc = 0;

	if (profile >= SANDBOX_PROFILE__COUNT)
		return -EINVAL;
	ctx = seccomp_init(logging ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < ARRAY_SIZE(allow_any) && rc == 0; i++)
		rc = allow(ctx, allow_any[i]);
	for (size_t i = 0; SANDBOX_SANITIZER && i < ARRAY_SIZE(allow_sanitizer) && rc == 0; i++)
		rc = allow(ctx, allow_sanitizer[i]);
	/* glibc falls back to clone(CLONE_THREAD) whose flags we can check; clone3's are in memory.
	 */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = add_arg_rules(ctx, profile);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		log_msg(LOG_ERR, "sandbox: cannot install the seccomp filter: %s", strerror(-rc));
		return rc;
	}
	log_msg(logging ? LOG_WARNING : LOG_INFO, "sandbox: seccomp filter installed (%s)",
		logging ? "OCM_SECCOMP_LOG=1: violations are logged, not killed"
			: "kill on violation");
	return 0;
}
