// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/bpf.h — the eBPF accelerators: xdp_guard (bans and a new-connection limiter at the NIC),
 * tun_guard (anti-spoofing and per-lease counters on the TUN), tun_steer (TUN queue steering)
 * and udp_steer (DTLS datagrams to the owning worker's socket). Plain C API; no libbpf types. Load
 * and attach as root, keep the handles, then drop privileges: map updates through a handle keep
 * working. Errors are 0 or -errno; with the module built without eBPF every call returns
 * -EOPNOTSUPP. Map updates may be made from any thread; open/close/attach from one. Addresses are
 * in6_addr/in_addr bytes (network order). */
#pragma once

#include <stdint.h>

/* False when eBPF cannot be used here (built without it, not root/CAP_BPF, kernel without XDP,
 * TC or socket-filter programs); *reason (may be NULL) then points at a static English reason
 * for a single log line. Loads tiny probe programs: call at startup, not per connection. */
bool bpf_available(const char **reason);

enum bpf_xdp_mode {
	BPF_XDP_MODE_AUTO,    /* the kernel's choice: native if the driver has it, else generic */
	BPF_XDP_MODE_NATIVE,  /* driver mode only: fails on drivers without XDP */
	BPF_XDP_MODE_GENERIC, /* skb mode: works everywhere, slower */
};

/* ---- xdp_guard: only TCP/UDP to the configured ports is judged; all else passes ---- */
struct bpf_guard;

enum { BPF_GUARD_PORTS = 4 };
struct bpf_guard_limits {
	uint16_t tcp_ports[BPF_GUARD_PORTS]; /* host order, 0 = unused; TCP SYNs are limited */
	uint16_t udp_ports[BPF_GUARD_PORTS]; /* datagrams that are not DTLS data are limited */
	uint32_t rate_per_s;		     /* per source; 0 = limiter off (bans still apply) */
	uint32_t burst;			     /* allowed back to back, >= 1 when rate_per_s != 0 */
	bool udp_all; /* limit every datagram to udp_ports, DTLS data included */
};

/* One field per verdict; each packet seen bumps exactly one (summed over CPUs). */
struct bpf_guard_counters {
	uint64_t passed;	 /* ours, judged, passed */
	uint64_t dropped_banned; /* source banned */
	uint64_t dropped_rate;	 /* over the new-connection rate */
	uint64_t not_ip;	 /* not IPv4/IPv6 (ARP, …): passed */
	uint64_t not_ours;	 /* not TCP/UDP to our ports: passed */
	uint64_t malformed;	 /* truncated headers: passed to the stack, which drops them */
	uint64_t fragment;	 /* non-first IP fragments: passed */
};

/* Loads xdp_guard and attaches it to ifname through a bpf_link (detached by close or when the
 * process dies). ifname NULL loads without attaching (tests). -ENODEV: no such interface,
 * -EPERM: not privileged, -EBUSY: another XDP program holds the interface, -EOPNOTSUPP: native
 * mode asked for on a driver without it. On success *out owns the handle. */
[[nodiscard]] int bpf_guard_open(const char *ifname, enum bpf_xdp_mode mode,
				 struct bpf_guard **out);
/* Detaches and frees; NULL-safe. */
void bpf_guard_close(struct bpf_guard *g);
/* The mode the attachment got (AUTO when not attached or the kernel chose). */
enum bpf_xdp_mode bpf_guard_mode(const struct bpf_guard *g);
/* Ports to judge and the limiter; until called nothing is judged. -EINVAL: rate_per_s != 0
 * with burst 0, or rate_per_s above 1e9. */
[[nodiscard]] int bpf_guard_limits_set(struct bpf_guard *g, const struct bpf_guard_limits *lim);
/* Bans family (AF_INET/AF_INET6) addr/prefix until expires_ns (CLOCK_MONOTONIC, 0 = never);
 * replaces an existing ban of the same prefix. reason is stored as given. Host bits of addr
 * are ignored. -EINVAL: bad family or prefix, -ENOSPC: table full. */
[[nodiscard]] int bpf_guard_ban(struct bpf_guard *g, int family, const void *addr, unsigned prefix,
				uint64_t expires_ns, uint32_t reason);
/* -ENOENT: no ban of exactly that prefix. */
[[nodiscard]] int bpf_guard_unban(struct bpf_guard *g, int family, const void *addr,
				  unsigned prefix);
[[nodiscard]] int bpf_guard_counters(struct bpf_guard *g, struct bpf_guard_counters *out);

/* ---- tun_guard: TC ingress on the TUN (what the server writes into it) ---- */
struct bpf_tun_guard;

struct bpf_tun_guard_counters {
	uint64_t passed;	/* source is a lease */
	uint64_t dropped_spoof; /* source is not a lease */
	uint64_t dropped_bad;	/* not IPv4/IPv6, or truncated */
};
struct bpf_lease_stats {
	uint32_t slot;
	uint64_t bytes; /* inner IP packet lengths */
	uint64_t packets;
};

/* Loads tun_guard and attaches it to ifname's ingress (tcx link where the kernel has it, else
 * a clsact filter, removed again by close). ifname NULL loads without attaching (tests). */
[[nodiscard]] int bpf_tun_guard_open(const char *ifname, struct bpf_tun_guard **out);
void bpf_tun_guard_close(struct bpf_tun_guard *tg); /* NULL-safe */
/* A lease: IPv4 prefix must be 32, IPv6 any 1..128 (the client's subnet). Replaces an
 * existing entry and its counters. -EINVAL: bad family/prefix, -ENOSPC: table full. */
[[nodiscard]] int bpf_tun_guard_lease_add(struct bpf_tun_guard *tg, int family, const void *addr,
					  unsigned prefix, uint32_t slot);
/* -ENOENT: no such lease. */
[[nodiscard]] int bpf_tun_guard_lease_del(struct bpf_tun_guard *tg, int family, const void *addr,
					  unsigned prefix);
/* Counters of the lease covering addr (IPv6: longest matching prefix). -ENOENT: none. */
[[nodiscard]] int bpf_tun_guard_lease_stats(struct bpf_tun_guard *tg, int family, const void *addr,
					    struct bpf_lease_stats *out);
[[nodiscard]] int bpf_tun_guard_counters(struct bpf_tun_guard *tg,
					 struct bpf_tun_guard_counters *out);

/* ---- tun_steer: TUNSETSTEERINGEBPF, destination → queue, else a hash of the address ---- */
struct bpf_steer;

[[nodiscard]] int bpf_steer_open(struct bpf_steer **out);
void bpf_steer_close(struct bpf_steer *s); /* NULL-safe; an attached TUN keeps the program */
/* Installs the program on the TUN device of queue fd tun_fd (one call per device). */
[[nodiscard]] int bpf_steer_attach(struct bpf_steer *s, int tun_fd);
/* Removes any steering program from the device of tun_fd. */
[[nodiscard]] int bpf_steer_detach(int tun_fd);
/* Packets to addr/prefix go to queue (IPv4 prefix must be 32). Replaces an existing entry. */
[[nodiscard]] int bpf_steer_set(struct bpf_steer *s, int family, const void *addr, unsigned prefix,
				uint32_t queue);
/* -ENOENT: no such entry. */
[[nodiscard]] int bpf_steer_clear(struct bpf_steer *s, int family, const void *addr,
				  unsigned prefix);

/* ---- udp_steer: SO_ATTACH_REUSEPORT_EBPF, DTLS client address+port → worker's UDP socket ---- */
struct bpf_udp_steer;

[[nodiscard]] int bpf_udp_steer_open(struct bpf_udp_steer **out);
void bpf_udp_steer_close(struct bpf_udp_steer *s); /* NULL-safe; the group keeps the program */
/* fds[i] (bound, one SO_REUSEPORT group) is worker i's socket; installs the program on the
 * group. -EINVAL: n is 0 or above 256. */
[[nodiscard]] int bpf_udp_steer_attach(struct bpf_udp_steer *s, const int *fds, unsigned n);
/* Datagrams from addr:port (port in network order) go to worker's socket. Replaces. */
[[nodiscard]] int bpf_udp_steer_set(struct bpf_udp_steer *s, int family, const void *addr,
				    uint16_t port_be, uint32_t worker);
/* -ENOENT: no such entry. */
[[nodiscard]] int bpf_udp_steer_clear(struct bpf_udp_steer *s, int family, const void *addr,
				      uint16_t port_be);
