// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/stub.c — the module when built without eBPF (OCM_BPF=OFF or tools missing): nothing is
 * available and every call says so, so `enable-ebpf = auto` falls back to user space. */
#include <errno.h>
#include <stddef.h>

#include "bpf/bpf.h"

bool bpf_available(const char **reason)
{
	if (reason)
		*reason = "built without eBPF";
	return false;
}

int bpf_guard_open(const char *, enum bpf_xdp_mode, struct bpf_guard **out)
{
	*out = nullptr;
	return -EOPNOTSUPP;
}

void bpf_guard_close(struct bpf_guard *)
{
}

enum bpf_xdp_mode bpf_guard_mode(const struct bpf_guard *)
{
	return BPF_XDP_MODE_AUTO;
}

int bpf_guard_limits_set(struct bpf_guard *, const struct bpf_guard_limits *)
{
	return -EOPNOTSUPP;
}

int bpf_guard_ban(struct bpf_guard *, int, const void *, unsigned, uint64_t, uint32_t)
{
	return -EOPNOTSUPP;
}

int bpf_guard_unban(struct bpf_guard *, int, const void *, unsigned)
{
	return -EOPNOTSUPP;
}

int bpf_guard_counters(struct bpf_guard *, struct bpf_guard_counters *)
{
	return -EOPNOTSUPP;
}

int bpf_tun_guard_open(const char *, struct bpf_tun_guard **out)
{
	*out = nullptr;
	return -EOPNOTSUPP;
}

void bpf_tun_guard_close(struct bpf_tun_guard *)
{
}

int bpf_tun_guard_lease_add(struct bpf_tun_guard *, int, const void *, unsigned, uint32_t)
{
	return -EOPNOTSUPP;
}

int bpf_tun_guard_lease_del(struct bpf_tun_guard *, int, const void *, unsigned)
{
	return -EOPNOTSUPP;
}

int bpf_tun_guard_lease_stats(struct bpf_tun_guard *, int, const void *, struct bpf_lease_stats *)
{
	return -EOPNOTSUPP;
}

int bpf_tun_guard_counters(struct bpf_tun_guard *, struct bpf_tun_guard_counters *)
{
	return -EOPNOTSUPP;
}

int bpf_steer_open(struct bpf_steer **out)
{
	*out = nullptr;
	return -EOPNOTSUPP;
}

void bpf_steer_close(struct bpf_steer *)
{
}

int bpf_steer_attach(struct bpf_steer *, int)
{
	return -EOPNOTSUPP;
}

int bpf_steer_detach(int)
{
	return -EOPNOTSUPP;
}

int bpf_steer_set(struct bpf_steer *, int, const void *, unsigned, uint32_t)
{
	return -EOPNOTSUPP;
}

int bpf_steer_clear(struct bpf_steer *, int, const void *, unsigned)
{
	return -EOPNOTSUPP;
}

int bpf_udp_steer_open(struct bpf_udp_steer **out)
{
	*out = nullptr;
	return -EOPNOTSUPP;
}

void bpf_udp_steer_close(struct bpf_udp_steer *)
{
}

int bpf_udp_steer_attach(struct bpf_udp_steer *, const int *, unsigned)
{
	return -EOPNOTSUPP;
}

int bpf_udp_steer_set(struct bpf_udp_steer *, int, const void *, uint16_t, uint32_t)
{
	return -EOPNOTSUPP;
}

int bpf_udp_steer_clear(struct bpf_udp_steer *, int, const void *, uint16_t)
{
	return -EOPNOTSUPP;
}
