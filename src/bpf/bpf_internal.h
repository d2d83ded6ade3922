// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/bpf_internal.h — shared by the loaders and their unit tests: program fds for
 * BPF_PROG_TEST_RUN, address/prefix checks, per-CPU counter sums, libbpf log routing. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bpf/bpf.h"

int bpf__guard_prog_fd(const struct bpf_guard *g);
int bpf__tun_guard_prog_fd(const struct bpf_tun_guard *tg);
int bpf__steer_prog_fd(const struct bpf_steer *s);

/* Copies addr with the bits past prefix cleared into out[16]; *len = 4 or 16.
 * -EINVAL: family not AF_INET/AF_INET6, prefix 0 or longer than the address. */
[[nodiscard]] int bpf__addr_masked(int family, const void *addr, unsigned prefix, uint8_t out[16],
				   size_t *len);
/* out[i] = sum over possible CPUs of per-CPU array map_fd's u64 slot i, for i < n. */
[[nodiscard]] int bpf__percpu_sums(int map_fd, uint64_t *out, uint32_t n);
/* Routes libbpf's messages to log_msg (once per process). */
void bpf__log_init(void);
