// SPDX-License-Identifier: GPL-2.0-or-later
/* net/net.h — the network module: the multi-queue TUN device, the IPv4/IPv6 address pool,
 * checks on tunnel (inner) packets, and listening sockets. Routes and eBPF steering live
 * elsewhere; this module never sees a session. */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config.h"

struct ippool;

/* ---- tun.c ----------------------------------------------------------------------------------
 * One multi-queue TUN device for all sessions (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE), one
 * non-blocking O_CLOEXEC fd per queue. The device is not persistent: it vanishes when the last
 * queue fd closes (tun_free). Called from the main thread at startup; afterwards each worker
 * only reads/writes its own queue fd. */
enum { TUN_MAX_QUEUES = 256 /* kernel MAX_TAP_QUEUES */, TUN_TXQUEUELEN = 4096 };

struct tun;
/* name: cfg->device; may contain one "%d" for the kernel to pick a number. Without "%d", an
 * existing interface of that name is -EEXIST (we never attach to a device we did not create).
 * -EINVAL: empty/too long name, queues 0 or > TUN_MAX_QUEUES. On success *out owns the device.
 * offloads: ask for IFF_VNET_HDR + TUNSETOFFLOAD (tun_has_offloads says whether it took). */
[[nodiscard]] int tun_open(const char *name, unsigned queues, bool offloads, struct tun **out);
/* Over rtnetlink: MTU, txqueuelen, the pool's server IPv4 address with the pool prefix, the
 * server IPv6 address with the pool prefix (nodad), link up. mtu in [68, 65535], >= 1280 when
 * the pool has IPv6 (-EINVAL otherwise). Kernel refusals come back as -errno (logged here). */
[[nodiscard]] int tun_configure(struct tun *t, const struct ippool *pool, unsigned mtu);
void tun_free(struct tun *t); /* NULL-safe; closes every queue fd */
/* The fd of queue q (still owned by t), or -EINVAL when q >= tun_queue_count(). */
int tun_queue_fd(const struct tun *t, unsigned q);
unsigned tun_queue_count(const struct tun *t);
const char *tun_name(const struct tun *t); /* the kernel's final name, e.g. "vpns0" */
unsigned tun_ifindex(const struct tun *t);

/* With offloads (IFF_VNET_HDR + TUNSETOFFLOAD: checksum, TSO4/6, USO4/6 where the kernel has
 * them) every read and write on a queue fd starts with a struct virtio_net_hdr: reads may be
 * 64 KiB super-packets (tso_split), writes may be merged segments (gro). false: the kernel
 * refused, the fds carry plain packets. */
bool tun_has_offloads(const struct tun *t);
enum { TUN_VNET_HDR_LEN = 10 /* sizeof(struct virtio_net_hdr) */ };

/* ---- csum.c: the Internet checksum (RFC 1071) ------------------------------------------------
 * csum_add sums len bytes into a 64-bit accumulator (len even except in the last call);
 * csum_fold folds it to 16 bits, not inverted. Both in the bytes' own order: store the result
 * with memcpy. csum_pseudo: the TCP/UDP pseudo header (addresses 4 or 16 bytes). */
uint64_t csum_add(uint64_t sum, const void *data, size_t len);
uint16_t csum_fold(uint64_t sum);
uint64_t csum_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     size_t l4_len);
/* Recompute the header checksum of the IPv4 header at ip (IHL taken from it). */
void csum_ipv4_header_set(uint8_t *ip);

/* ---- tso.c: super-packets read from an offloading TUN → the packets a client expects -------
 * buf/len: exactly what read(2) returned (vnet header + IP packet). A TCP/UDP GSO packet is
 * split into segments of gso_size payload with their own headers and checksums; a single
 * packet with a partial checksum gets it completed. Built in place, so emit must consume (copy)
 * each packet before it returns. Returns the number emitted, or -EBADMSG (nothing emitted) for
 * a header the kernel would not produce. Pure; fuzzed. */
typedef void tso_emit_fn(void *ctx, const uint8_t *pkt, size_t len);
[[nodiscard]] int tso_split(uint8_t *buf, size_t len, tso_emit_fn *emit, void *ctx);

/* ---- gro.c: uplink TCP segments merged into GSO super-packets for an offloading TUN --------
 * One per worker. gro_add takes one checked IP packet (inner_parse): a mergeable TCP segment
 * waits (at most until gro_flush, which the owner calls at the end of its round), anything else
 * is written at once after what is pending. write gets the vnet header and the packet
 * separately (writev). */
struct virtio_net_hdr;
typedef void gro_write_fn(void *ctx, const struct virtio_net_hdr *vh, const uint8_t *pkt,
			  size_t len);
struct gro;
[[nodiscard]] int gro_new(gro_write_fn *write, void *ctx, struct gro **out);
void gro_free(struct gro *g); /* NULL-safe; drops what is pending (flush first) */
void gro_add(struct gro *g, const uint8_t *pkt, size_t len);
void gro_flush(struct gro *g);

/* ---- udp_tx.c: datagrams to one destination, sent as UDP GSO super-datagrams --------------
 * One per worker. udp_tx_add copies one datagram for fd, to peer when fd is not connected
 * (peer_len 0 when it is); what is gathered goes out at
 * udp_tx_flush (the owner calls it at the end of its round; armed(ctx) is called when a batch
 * starts, to schedule that) or earlier when the next datagram cannot join it. A send error
 * other than UDP loss (EAGAIN, ENOBUFS, ECONNREFUSED) is stored into *err of the batch's
 * sender; err may be nullptr. A sender that goes away sends its batch first (udp_tx_forget). */
typedef void udp_tx_armed_fn(void *ctx);
struct udp_tx;
[[nodiscard]] int udp_tx_new(udp_tx_armed_fn *armed, void *ctx, struct udp_tx **out);
void udp_tx_free(struct udp_tx *t); /* NULL-safe; drops what is pending (flush first) */
void udp_tx_add(struct udp_tx *t, int fd, const struct sockaddr *peer, socklen_t peer_len, int *err,
		const void *dgram, size_t len);
void udp_tx_flush(struct udp_tx *t);
/* Flushes the batch if its errors go to err (its sender is going away). t may be nullptr. */
void udp_tx_forget(struct udp_tx *t, const int *err);

/* ---- rtable.c: prefix -> slot, longest match ------------------------------------------------
 * The addresses slot arithmetic cannot map: fixed (explicit-ipv4/6) and per-user pool leases,
 * iroutes. IPv4 and IPv6 share one key space (IPv4 as ::ffff:a.b.c.d), so IPv6 prefixes inside
 * ::ffff:0:0/96 are refused. Writers take a mutex (connect/disconnect); rtable_lookup is
 * lock-free (a sequence counter) and costs one load while the table is empty. Any thread. */
struct rtable;
[[nodiscard]] int rtable_new(uint32_t max, struct rtable **out);
void rtable_free(struct rtable *t); /* NULL-safe */
/* 0 (also when the same prefix already maps to slot); -EEXIST: it maps to another slot;
 * -ENOSPC: full; -EINVAL: slot 0, bad family or length. Host bits of addr are ignored. */
[[nodiscard]] int rtable_add(struct rtable *t, int family, const void *addr, unsigned len,
			     uint32_t slot);
/* Removes the prefix if it maps to slot: 0, else -ENOENT. */
int rtable_del(struct rtable *t, int family, const void *addr, unsigned len, uint32_t slot);
/* The slot of the longest prefix holding addr (4 or 16 bytes), 0 when none. */
uint32_t rtable_lookup(struct rtable *t, int family, const void *addr);
/* The slot of an entry that contains or is contained in the prefix, 0 when none. */
uint32_t rtable_overlap(struct rtable *t, int family, const void *addr, unsigned len);
size_t rtable_count(struct rtable *t);

/* ---- route.c: kernel routes and addresses on the TUN that follow sessions --------------------
 * One rtnetlink socket, opened by net_route_new (at startup, as root); later calls need
 * CAP_NET_ADMIN. Blocking but quick (the kernel answers synchronously); serialised by a mutex.
 * Errors are the kernel's -errno (-ENOENT: no such route), not logged here. Any thread. */
struct net_route;
[[nodiscard]] int net_route_new(unsigned ifindex, struct net_route **out);
void net_route_free(struct net_route *r); /* NULL-safe */
/* add: "ip route replace addr/prefix_len dev TUN"; else "ip route del" of the same. */
[[nodiscard]] int net_route_set(struct net_route *r, int family, const void *addr,
				unsigned prefix_len, bool add);
/* Adds addr/prefix_len to the TUN (IPv6 without DAD), which routes the prefix to it. */
[[nodiscard]] int net_route_addr_add(struct net_route *r, int family, const void *addr,
				     unsigned prefix_len);

/* ---- ippool.c -------------------------------------------------------------------------------
 * IPv4/IPv6 leases. Every lease has a SLOT: the index the data path uses to find the session
 * (slot_owner, a worker's slot_conn). The main pool (cfg->ipv4_network / ipv6_network) maps
 * slots in [2, ippool_slot_count()) to addresses by arithmetic: IPv4 lease = network + slot
 * (slot 0 = network, slot 1 = the server, the broadcast address is never leased); IPv6 lease =
 * network6 + (slot << (128 - subnet_prefix)) (server = network6 + (1 << (128 - subnet_prefix))).
 * With both families the slot count is limited by the smaller pool (and by IPPOOL_MAX_SLOTS).
 * Leases the arithmetic cannot describe — a fixed address (explicit-ipv4/6) whose other family
 * is not that slot's, or an address from a per-user/per-group pool (ipv4-network/ipv6-network
 * in those files) — get their addresses registered in the pool's rtable; a lease with no
 * main-pool address at all gets a slot in [ippool_slot_count(), ippool_index_count()).
 * Per-user pools are created on first use (their server address, network + 1, is added to the
 * TUN through the net_route given to ippool_route_set) and kept until ippool_free; they may
 * not overlap the main pool or each other. Get/put are thread-safe (a mutex); slot_of and
 * server_* are lock-free reads of immutable fields. */
enum {
	IPPOOL_MAX_SLOTS = 1 << 24,
	IPPOOL_EXTRA_SLOTS = 4096, /* leases without a main-pool address */
	IPPOOL_MAX_SUBPOOLS = 64,  /* distinct per-user/per-group networks */
	IPPOOL_RTABLE_MAX = 16384, /* rtable entries: fixed/per-user leases and iroutes */
};

struct lease {
	uint32_t slot; /* 0 = no lease */
	bool has_v4, has_v6;
	struct in_addr v4; /* network byte order */
	struct in_addr v4_netmask;
	struct in6_addr v6;
	unsigned v6_prefix; /* cfg->ipv6_subnet_prefix, or the fixed/per-user one */
	/* Bookkeeping for ippool_lease_put; callers only read the fields above. */
	uint32_t hold6; /* main-pool slot held by a fixed IPv6 address that is not slot's */
	uint32_t sub_idx4, sub_idx6; /* index in the per-user pool (sub4/sub6 != 0) */
	uint8_t sub4, sub6;	     /* per-user pool number + 1 (0 = none) */
	bool rt4, rt6;		     /* address registered in the rtable */
	bool extra;		     /* slot is from the extra range */
};

/* What a session asks for (its merged per-user/per-group settings). nullptr members: the
 * main pool's. A network equal to the main pool's is the main pool. */
struct lease_want {
	bool v4, v6;			 /* families wanted */
	const struct cfg_prefix *net4;	 /* per-user ipv4-network */
	const struct cfg_prefix *net6;	 /* per-user ipv6-network, with subnet6 */
	unsigned subnet6;		 /* ipv6-subnet-prefix for net6 */
	const struct cfg_prefix *fixed4; /* explicit-ipv4 (a /32) */
	const struct cfg_prefix *fixed6; /* explicit-ipv6 (address/len) */
};

struct ippool;
/* -EINVAL: no pool configured, a pool with no room for the server plus one client (IPv4 /31,
 * /32; IPv6 subnet prefix not longer than the network prefix), subnet prefix > 128. The config
 * is only read here (not kept). */
[[nodiscard]] int ippool_new(const struct config *cfg, struct ippool **out);
void ippool_free(struct ippool *p); /* NULL-safe */
/* Where per-user pools put their server address (borrowed; nullptr = nowhere, which is fine
 * for tests). Call before the first lease. */
void ippool_route_set(struct ippool *p, struct net_route *r);
/* The pool's rtable (owned by p): iroutes are added to it by the tunnel. */
struct rtable *ippool_rtable(struct ippool *p);
/* predictable-ips: the first probe is a keyed hash of username (may be NULL), else the lowest
 * free slot. -ENOSPC when full. Main pool only, both families it has. */
[[nodiscard]] int ippool_lease_get(struct ippool *p, const char *username, struct lease *out);
/* A lease as want asks. Errors: -ENOSPC (a pool is full), -EADDRINUSE (a fixed address is
 * leased to someone else), -EADDRNOTAVAIL (a fixed address outside the main pool and outside
 * the session's own network, or the network/server/broadcast address), -EINVAL (a fixed IPv6
 * prefix shorter than its pool's subnet prefix; a per-user network overlapping another pool;
 * nothing to lease), -EMLINK (too many per-user pools), -ENOMEM, or the -errno of adding a
 * per-user pool's address to the TUN. Nothing is logged; on error *out is an empty lease. */
[[nodiscard]] int ippool_lease_get_for(struct ippool *p, const char *username,
				       const struct lease_want *want, struct lease *out);
/* Return a lease from ippool_lease_get(_for); a lease with slot 0 is ignored. */
void ippool_lease_put(struct ippool *p, const struct lease *l);
/* Exclusive upper bound of main-pool slot numbers; the capacity is ippool_slot_count() - 2. */
uint32_t ippool_slot_count(const struct ippool *p);
/* Exclusive upper bound of every slot number (main pool + extra): size slot-indexed arrays. */
uint32_t ippool_index_count(const struct ippool *p);
/* Destination address (in6_addr/in_addr bytes) → slot, 0 when not a leasable address of the
 * main pool (server, network, broadcast, outside). IPv6: any address in the client's subnet
 * maps to its slot. Lock-free, pure arithmetic; says nothing about whether the slot is leased
 * now. Fixed and per-user leases and iroutes: rtable_lookup(ippool_rtable(p), …). */
uint32_t ippool_slot_of(const struct ippool *p, int family, const void *addr);
/* The server's own address on the TUN and the pool prefix; false when that family is off. */
bool ippool_server_v4(const struct ippool *p, struct in_addr *addr, unsigned *prefix_len);
bool ippool_server_v6(const struct ippool *p, struct in6_addr *addr, unsigned *prefix_len);

/* ---- inner.c --------------------------------------------------------------------------------
 * Checks on tunnel packets. Pure: no I/O, no state; fuzzed as is. */
struct inner_pkt {
	int family;	    /* AF_INET or AF_INET6 */
	const uint8_t *src; /* 4 or 16 bytes, borrowed from the packet */
	const uint8_t *dst;
	size_t len;    /* == the IP total length == the len given */
	uint8_t proto; /* IPv4 protocol / IPv6 first next-header */
};
/* -EBADMSG: not IPv4/IPv6, header too short, IHL < 5 or past the end, IPv4 total length or
 * IPv6 payload length + 40 different from len (trailing bytes are refused too). */
[[nodiscard]] int inner_parse(const uint8_t *pkt, size_t len, struct inner_pkt *out);
/* Anti-spoofing: the source is the lease's IPv4 address, or inside its IPv6 subnet. */
bool inner_src_is_lease(const struct inner_pkt *p, const struct lease *l);
/* The source is inside one of the n prefixes (a client's iroutes: networks behind it). */
bool inner_src_in_prefixes(const struct inner_pkt *p, const struct cfg_prefix *items, size_t n);

/* ---- sock.c ---------------------------------------------------------------------------------
 * Listening sockets. host NULL: "::" with IPV6_V6ONLY=0 (dual-stack), falling back to 0.0.0.0
 * when the host has no IPv6. Non-blocking, CLOEXEC, SO_REUSEADDR, SO_REUSEPORT when reuseport,
 * backlog 1024. On success *fd_out owns the socket; -errno (-EADDRNOTAVAIL: host unresolvable). */
[[nodiscard]] int sock_listen_tcp(const char *host, uint16_t port, bool reuseport, int *fd_out);
/* The same for UDP (the shared DTLS sockets, with 8 MiB buffers: all their sessions queue there).
 */
[[nodiscard]] int sock_listen_udp(const char *host, uint16_t port, bool reuseport, int *fd_out);
/* Path MTU of a connected TCP socket (TCP_INFO tcpi_pmtu); -errno, -ENODATA when unknown. */
[[nodiscard]] int sock_tcp_pmtu(int fd, unsigned *mtu);
/* A failed send on a UDP socket that only lost the datagram (full queue, interrupted, an
 * ICMP error for an earlier one): nothing for the sender to act on. */
bool sock_udp_send_lost(int err);

/* ---- accel.c ---------------------------------------------------------------------------------
 * The eBPF accelerators: xdp_guard on every UP non-loopback interface but the TUN, tun_guard and
 * queue steering on the TUN. cfg->enable_ebpf: off → *out stays nullptr; auto → nullptr when
 * eBPF is unavailable (logged once); on → failure is an error. Every call below is a no-op on a
 * nullptr handle, so callers need no "is eBPF on" checks. Ban and lease calls: any thread. */
struct net_accel;
/* xdp_guard's verdict counters (bpf_guard_counters), summed over interfaces and CPUs. */
enum net_xdp_verdict : uint8_t {
	NET_XDP_PASSED,
	NET_XDP_DROPPED_BANNED,
	NET_XDP_DROPPED_RATE,
	NET_XDP_NOT_IP,
	NET_XDP_NOT_OURS,
	NET_XDP_MALFORMED,
	NET_XDP_FRAGMENT,
	NET_XDP__COUNT,
};
/* tun_guard's verdict counters (bpf_tun_guard_counters). */
enum net_tg_verdict : uint8_t {
	NET_TG_PASSED,
	NET_TG_DROPPED_SPOOF,
	NET_TG_DROPPED_BAD,
	NET_TG__COUNT,
};
[[nodiscard]] int net_accel_new(const struct config *cfg, struct tun *tun, struct net_accel **out);
void net_accel_free(struct net_accel *a);
/* add: ban addr/prefix until expires_ns (CLOCK_MONOTONIC, 0 = never); else lift it. */
void net_accel_ban(struct net_accel *a, int family, const void *addr, unsigned prefix,
		   uint64_t expires_ns, bool add);
/* queue >= 0: the lease's tunnel is up on that TUN queue; -1: it went down. */
void net_accel_lease(struct net_accel *a, const struct lease *l, int queue);
/* A network behind a client (iroute) may (up) or may no longer be the source of its uplink
 * packets in tun_guard. Downlink steering does not know iroutes: their packets reach the
 * owning worker through the user-space hand-off. */
void net_accel_iroute(struct net_accel *a, const struct cfg_prefix *p, uint32_t slot, bool up);
/* DTLS steering on the UDP port's SO_REUSEPORT group: fds[i] is worker i's socket. Without it
 * (one worker, no eBPF, the program refused) datagrams land on the kernel's hash pick of socket
 * and user space hands them to their owner: 0 either way, the reason logged once. */
void net_accel_udp_steer(struct net_accel *a, const int *fds, unsigned n);
/* Datagrams from addr:port (network order) go to worker's socket; worker -1 forgets the peer. */
void net_accel_udp_peer(struct net_accel *a, int family, const void *addr, uint16_t port_be,
			int worker);
bool net_accel_is_active(const struct net_accel *a);
bool net_accel_udp_steered(const struct net_accel *a);
size_t net_accel_xdp_ifaces(const struct net_accel *a);
/* out[] = 0 without eBPF. -errno of the map read. Any thread. */
[[nodiscard]] int net_accel_xdp_counters(struct net_accel *a, uint64_t out[NET_XDP__COUNT]);
[[nodiscard]] int net_accel_tun_guard_counters(struct net_accel *a, uint64_t out[NET_TG__COUNT]);
