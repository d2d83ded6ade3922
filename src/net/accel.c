// SPDX-License-Identifier: GPL-2.0-or-later
/* net/accel.c — the eBPF accelerators wired to the server's network: xdp_guard on every uplink
 * interface (bans and a new-connection limiter before the stack), tun_guard on the TUN
 * (anti-spoofing, per-lease counters) and TUN queue steering. eBPF is an accelerator, never a
 * requirement (enable-ebpf = auto): user space enforces the same policy without it. */
#include "net/net.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "core/log.h"

enum { ACCEL_MAX_IFACES = 16 };

struct net_accel {
	struct bpf_guard *guards[ACCEL_MAX_IFACES];
	char ifnames[ACCEL_MAX_IFACES][IF_NAMESIZE];
	size_t n_guards;
	struct bpf_tun_guard *tun_guard;
	struct bpf_steer *steer;
	struct bpf_udp_steer *udp_steer; /* nullptr until net_accel_udp_steer() succeeded */
	unsigned queues;
};

static enum bpf_xdp_mode xdp_mode_of(enum cfg_xdp_mode m)
{
	switch (m) {
	case CFG_XDP_NATIVE:
		return BPF_XDP_MODE_NATIVE;
	case CFG_XDP_GENERIC:
		return BPF_XDP_MODE_GENERIC;
	default:
		return BPF_XDP_MODE_AUTO;
	}
}

static bool seen_iface(const struct net_accel *a, const char *name)
{
	for (size_t i = 0; i < a->n_guards; i++)
		if (!strcmp(a->ifnames[i], name))
			return true;
	return false;
}

/* Every UP, non-loopback interface except our TUN: where clients' packets arrive. */
static int attach_guards(struct net_accel *a, const struct config *cfg, const char *tun_name)
{
	struct bpf_guard_limits lim = {
		.tcp_ports = {cfg->tcp_port},
		.udp_ports = {cfg->udp_port},
		/* per-source-connect-rate. Generous: a whole NAT of clients shares one source
		 * address (each new client is a SYN and two ClientHellos); only floods trip it;
		 * sentry's rules decide bans. */
		.rate_per_s = cfg->per_source_connect_rate,
		.burst = config_connect_burst(cfg),
	};
	struct ifaddrs *ifa_list, *ifa;
	int ret = 0;

	if (getifaddrs(&ifa_list) < 0)
		return -errno;
	for (ifa = ifa_list; ifa && a->n_guards < ACCEL_MAX_IFACES; ifa = ifa->ifa_next) {
		if (!(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK) ||
		    !strcmp(ifa->ifa_name, tun_name) || seen_iface(a, ifa->ifa_name))
			continue;
		struct bpf_guard *g;
		ret = bpf_guard_open(ifa->ifa_name, xdp_mode_of(cfg->ebpf_xdp_mode), &g);
		if (!ret)
			ret = bpf_guard_limits_set(g, &lim);
		if (ret) {
			log_msg(LOG_WARNING, "eBPF: cannot attach xdp_guard to %s: %s",
				ifa->ifa_name, strerror(-ret));
			break;
		}
		snprintf(a->ifnames[a->n_guards], IF_NAMESIZE, "%s", ifa->ifa_name);
		a->guards[a->n_guards++] = g;
		log_msg(LOG_INFO, "eBPF: xdp_guard attached to %s", ifa->ifa_name);
	}
	freeifaddrs(ifa_list);
	return ret;
}

void net_accel_free(struct net_accel *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_guards; i++)
		bpf_guard_close(a->guards[i]);
	bpf_tun_guard_close(a->tun_guard);
	bpf_steer_close(a->steer);
	bpf_udp_steer_close(a->udp_steer);
	free(a);
}

int net_accel_new(const struct config *cfg, struct tun *tun, struct net_accel **out)
{
	const char *why = nullptr;
	struct net_accel *a;
	int ret;

	*out = nullptr;
	if (cfg->enable_ebpf == CFG_OFF)
		return 0;
	if (!bpf_available(&why)) {
		if (cfg->enable_ebpf == CFG_ON) {
			log_msg(LOG_ERR, "enable-ebpf = true, but eBPF is unavailable: %s", why);
			return -EOPNOTSUPP;
		}
		log_msg(LOG_NOTICE, "eBPF unavailable (%s): bans and checks run in user space",
			why);
		return 0;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->queues = tun_queue_count(tun);
	ret = cfg->ebpf_xdp_mode == CFG_XDP_DISABLED ? 0 : attach_guards(a, cfg, tun_name(tun));
	if (!ret)
		ret = bpf_tun_guard_open(tun_name(tun), &a->tun_guard);
	if (!ret && a->queues > 1 && !(ret = bpf_steer_open(&a->steer)))
		ret = bpf_steer_attach(a->steer, tun_queue_fd(tun, 0));
	if (ret) {
		net_accel_free(a);
		if (cfg->enable_ebpf == CFG_ON) {
			log_msg(LOG_ERR, "enable-ebpf = true, but the eBPF programs failed: %s",
				strerror(-ret));
			return ret;
		}
		log_msg(LOG_NOTICE, "eBPF setup failed (%s): bans and checks run in user space",
			strerror(-ret));
		return 0;
	}
	log_msg(LOG_INFO, "eBPF: tun_guard on %s%s", tun_name(tun),
		a->steer ? ", TUN queue steering on" : "");
	*out = a;
	return 0;
}

void net_accel_ban(struct net_accel *a, int family, const void *addr, unsigned prefix,
		   uint64_t expires_ns, bool add)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_guards; i++) {
		int ret = add ? bpf_guard_ban(a->guards[i], family, addr, prefix, expires_ns, 1)
			      : bpf_guard_unban(a->guards[i], family, addr, prefix);
		if (ret && ret != -ENOENT)
			log_msg(LOG_WARNING, "eBPF: cannot %s a ban on %s: %s",
				add ? "add" : "remove", a->ifnames[i], strerror(-ret));
	}
}

void net_accel_lease(struct net_accel *a, const struct lease *l, int queue)
{
	bool up = queue >= 0;

	if (!a)
		return;
	if (l->has_v4) {
		if (up) {
			(void)bpf_tun_guard_lease_add(a->tun_guard, AF_INET, &l->v4, 32, l->slot);
			if (a->steer)
				(void)bpf_steer_set(a->steer, AF_INET, &l->v4, 32, (uint32_t)queue);
		} else {
			(void)bpf_tun_guard_lease_del(a->tun_guard, AF_INET, &l->v4, 32);
			if (a->steer)
				(void)bpf_steer_clear(a->steer, AF_INET, &l->v4, 32);
		}
	}
	if (l->has_v6) {
		if (up) {
			(void)bpf_tun_guard_lease_add(a->tun_guard, AF_INET6, &l->v6, l->v6_prefix,
						      l->slot);
			if (a->steer)
				(void)bpf_steer_set(a->steer, AF_INET6, &l->v6, l->v6_prefix,
						    (uint32_t)queue);
		} else {
			(void)bpf_tun_guard_lease_del(a->tun_guard, AF_INET6, &l->v6, l->v6_prefix);
			if (a->steer)
				(void)bpf_steer_clear(a->steer, AF_INET6, &l->v6, l->v6_prefix);
		}
	}
}

void net_accel_iroute(struct net_accel *a, const struct cfg_prefix *p, uint32_t slot, bool up)
{
	struct in6_addr key = p->addr.v6;
	unsigned len = p->prefix_len;

	if (!a)
		return;
	if (p->family == AF_INET) {
		/* tun_guard's IPv4 map is exact-match: a network goes in the IPv6 trie as
		 * ::ffff:a.b.c.d/(96 + len), where the program looks when the exact match misses.
		 */
		key = (struct in6_addr){};
		key.s6_addr[10] = key.s6_addr[11] = 0xff;
		memcpy(&key.s6_addr[12], &p->addr.v4, 4);
		len += 96;
	}
	int ret = up ? bpf_tun_guard_lease_add(a->tun_guard, AF_INET6, &key, len, slot)
		     : bpf_tun_guard_lease_del(a->tun_guard, AF_INET6, &key, len);
	if (ret && ret != -ENOENT)
		log_msg(LOG_WARNING, "eBPF: cannot %s an iroute in tun_guard: %s",
			up ? "add" : "remove", strerror(-ret));
}

void net_accel_udp_steer(struct net_accel *a, const int *fds, unsigned n)
{
	struct bpf_udp_steer *s;
	int ret;

	if (!a || n < 2)
		return;
	ret = bpf_udp_steer_open(&s);
	if (ret) {
		log_msg(LOG_NOTICE, "eBPF: no DTLS steering (%s): workers hand datagrams over",
			strerror(-ret));
		return;
	}
	ret = bpf_udp_steer_attach(s, fds, n);
	if (ret) {
		log_msg(LOG_NOTICE,
			"eBPF: cannot attach DTLS steering (%s): workers hand "
			"datagrams over",
			strerror(-ret));
		bpf_udp_steer_close(s);
		return;
	}
	a->udp_steer = s;
	log_msg(LOG_INFO, "eBPF: DTLS steering on the UDP port's %u sockets", n);
}

void net_accel_udp_peer(struct net_accel *a, int family, const void *addr, uint16_t port_be,
			int worker)
{
	int ret;

	if (!a || !a->udp_steer)
		return;
	ret = worker >= 0 ? bpf_udp_steer_set(a->udp_steer, family, addr, port_be, (uint32_t)worker)
			  : bpf_udp_steer_clear(a->udp_steer, family, addr, port_be);
	/* A full map only costs hand-overs; the log would be a line per session. */
	(void)ret;
}

bool net_accel_udp_steered(const struct net_accel *a)
{
	return a && a->udp_steer;
}

bool net_accel_is_active(const struct net_accel *a)
{
	return a != nullptr;
}

size_t net_accel_xdp_ifaces(const struct net_accel *a)
{
	return a ? a->n_guards : 0;
}

int net_accel_xdp_counters(struct net_accel *a, uint64_t out[NET_XDP__COUNT])
{
	for (size_t v = 0; v < NET_XDP__COUNT; v++)
		out[v] = 0;
	for (size_t i = 0; a && i < a->n_guards; i++) {
		struct bpf_guard_counters c;
		int ret = bpf_guard_counters(a->guards[i], &c);
		if (ret)
			return ret;
		out[NET_XDP_PASSED] += c.passed;
		out[NET_XDP_DROPPED_BANNED] += c.dropped_banned;
		out[NET_XDP_DROPPED_RATE] += c.dropped_rate;
		out[NET_XDP_NOT_IP] += c.not_ip;
		out[NET_XDP_NOT_OURS] += c.not_ours;
		out[NET_XDP_MALFORMED] += c.malformed;
		out[NET_XDP_FRAGMENT] += c.fragment;
	}
	return 0;
}

int net_accel_tun_guard_counters(struct net_accel *a, uint64_t out[NET_TG__COUNT])
{
	struct bpf_tun_guard_counters c;
	int ret;

	for (size_t v = 0; v < NET_TG__COUNT; v++)
		out[v] = 0;
	if (!a || !a->tun_guard)
		return 0;
	ret = bpf_tun_guard_counters(a->tun_guard, &c);
	if (ret)
		return ret;
	out[NET_TG_PASSED] = c.passed;
	out[NET_TG_DROPPED_SPOOF] = c.dropped_spoof;
	out[NET_TG_DROPPED_BAD] = c.dropped_bad;
	return 0;
}
