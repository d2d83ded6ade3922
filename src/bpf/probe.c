// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/probe.c — bpf_available(): can this process load the program types we use? The answer
 * feeds `enable-ebpf = auto`, which logs the reason once and falls back to user space. */
#include <errno.h>
#include <unistd.h>

#include "bpf/libbpf_bpf.h"

#include "bpf/bpf_internal.h"

bool bpf_available(const char **reason)
{
	static const struct {
		enum bpf_prog_type type;
		const char *missing;
	} needed[] = {
		{BPF_PROG_TYPE_XDP, "kernel without XDP programs"},
		{BPF_PROG_TYPE_SCHED_CLS, "kernel without TC programs"},
		{BPF_PROG_TYPE_SOCKET_FILTER, "kernel without socket-filter programs"},
	};
	const char *why = nullptr;
	int fd;

	bpf__log_init();
	/* A map first: its errno tells "not permitted" from "no bpf()", which prog probes hide. */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ocm_probe", 4, 4, 1, nullptr);
	if (fd < 0) {
		int err = errno;

		if (err == ENOSYS)
			why = "kernel without the bpf() system call";
		else if (err == EPERM || err == EACCES)
			why = geteuid() != 0
				      ? "not root (needs CAP_BPF and CAP_NET_ADMIN)"
				      : "BPF not permitted (capabilities, seccomp or lockdown)";
		else
			why = "cannot create BPF maps";
	} else {
		close(fd);
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]) && !why; i++) {
		int ret = libbpf_probe_bpf_prog_type(needed[i].type, nullptr);

		if (ret < 0)
			why = "BPF probe failed";
		else if (ret == 0)
			why = needed[i].missing;
	}
	if (reason)
		*reason = why;
	return !why;
}
