// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/guard.c — user side of xdp_guard: load, attach through an XDP bpf_link, ban and limiter
 * map updates, counter reads. The only includer of xdp_guard.skel.h. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <sys/socket.h>

#include "bpf/libbpf_bpf.h"
#include "xdp_guard.skel.h"

#include "bpf/bpf_internal.h"
#include "bpf/shared/guard_maps.h"
#include "core/log.h"

static_assert(BPF_GUARD_PORTS == GUARD_MAX_PORTS);
static_assert(sizeof(struct bpf_guard_counters) == GUARD_CNT__COUNT * sizeof(uint64_t));

struct bpf_guard {
	struct xdp_guard *skel;
	int link_fd; /* -1 when not attached */
	enum bpf_xdp_mode mode;
};

static int attach(struct bpf_guard *g, int ifindex, enum bpf_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog_fd = bpf_program__fd(g->skel->progs.xdp_guard);

	if (mode == BPF_XDP_MODE_NATIVE)
		opts.flags = XDP_FLAGS_DRV_MODE;
	else if (mode == BPF_XDP_MODE_GENERIC)
		opts.flags = XDP_FLAGS_SKB_MODE;
	g->link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (g->link_fd < 0 && mode == BPF_XDP_MODE_AUTO) {
		/* A driver may offer XDP yet refuse this setup (MTU, queues): go generic. */
		opts.flags = XDP_FLAGS_SKB_MODE;
		g->link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
		mode = BPF_XDP_MODE_GENERIC;
	}
	if (g->link_fd < 0)
		return -errno;
	g->mode = mode;
	return 0;
}

int bpf_guard_open(const char *ifname, enum bpf_xdp_mode mode, struct bpf_guard **out)
{
	struct bpf_guard *g;
	unsigned ifindex = 0;
	int ret;

	*out = nullptr;
	bpf__log_init();
	if (ifname) {
		ifindex = if_nametoindex(ifname);
		if (!ifindex)
			return -ENODEV;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->link_fd = -1;
	g->skel = xdp_guard__open_and_load();
	if (!g->skel) {
		ret = -errno;
		log_msg(LOG_ERR, "bpf: cannot load xdp_guard: %s", strerror(-ret));
		goto out;
	}
	if (ifname) {
		ret = attach(g, (int)ifindex, mode);
		if (ret < 0) {
			log_msg(LOG_ERR, "bpf: cannot attach xdp_guard to %s: %s", ifname,
				strerror(-ret));
			goto out;
		}
	}
	*out = g;
	g = nullptr; /* owned by the caller */
	ret = 0;
out:
	bpf_guard_close(g);
	return ret;
}

void bpf_guard_close(struct bpf_guard *g)
{
	if (!g)
		return;
	if (g->link_fd >= 0)
		close(g->link_fd); /* the last reference: the kernel detaches */
	xdp_guard__destroy(g->skel);
	free(g);
}

enum bpf_xdp_mode bpf_guard_mode(const struct bpf_guard *g)
{
	return g->mode;
}

int bpf_guard_limits_set(struct bpf_guard *g, const struct bpf_guard_limits *lim)
{
	struct guard_config cfg = {};
	uint32_t zero = 0;

	if (lim->rate_per_s && (lim->burst == 0 || lim->rate_per_s > 1000000000u))
		return -EINVAL;
	memcpy(cfg.tcp_ports, lim->tcp_ports, sizeof(cfg.tcp_ports));
	memcpy(cfg.udp_ports, lim->udp_ports, sizeof(cfg.udp_ports));
	cfg.rate_per_s = lim->rate_per_s;
	cfg.burst = lim->burst;
	cfg.flags = lim->udp_all ? GUARD_CFG_UDP_ALL : 0;
	if (bpf_map_update_elem(bpf_map__fd(g->skel->maps.guard_config), &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

union ban_key {
	struct guard_ban_key4 k4;
	struct guard_ban_key6 k6;
};

/* Builds the trie key for family; returns the map fd or -EINVAL. */
static int ban_key(struct bpf_guard *g, int family, const void *addr, unsigned prefix,
		   union ban_key *key)
{
	uint8_t a[16];
	size_t len;
	int ret;

	ret = bpf__addr_masked(family, addr, prefix, a, &len);
	if (ret < 0)
		return ret;
	if (family == AF_INET) {
		key->k4.prefixlen = prefix;
		memcpy(key->k4.addr, a, len);
		return bpf_map__fd(g->skel->maps.guard_bans4);
	}
	key->k6.prefixlen = prefix;
	memcpy(key->k6.addr, a, len);
	return bpf_map__fd(g->skel->maps.guard_bans6);
}

int bpf_guard_ban(struct bpf_guard *g, int family, const void *addr, unsigned prefix,
		  uint64_t expires_ns, uint32_t reason)
{
	struct guard_ban ban = {.expires_ns = expires_ns, .reason = reason};
	union ban_key key = {};
	int fd = ban_key(g, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, &ban, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int bpf_guard_unban(struct bpf_guard *g, int family, const void *addr, unsigned prefix)
{
	union ban_key key = {};
	int fd = ban_key(g, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, &key))
		return -errno;
	return 0;
}

int bpf_guard_counters(struct bpf_guard *g, struct bpf_guard_counters *out)
{
	uint64_t v[GUARD_CNT__COUNT];
	int ret;

	ret = bpf__percpu_sums(bpf_map__fd(g->skel->maps.guard_counters), v, GUARD_CNT__COUNT);
	if (ret < 0)
		return ret;
	*out = (struct bpf_guard_counters){
		.passed = v[GUARD_CNT_PASSED],
		.dropped_banned = v[GUARD_CNT_DROPPED_BANNED],
		.dropped_rate = v[GUARD_CNT_DROPPED_RATE],
		.not_ip = v[GUARD_CNT_NOT_IP],
		.not_ours = v[GUARD_CNT_NOT_OURS],
		.malformed = v[GUARD_CNT_MALFORMED],
		.fragment = v[GUARD_CNT_FRAGMENT],
	};
	return 0;
}

int bpf__guard_prog_fd(const struct bpf_guard *g)
{
	return bpf_program__fd(g->skel->progs.xdp_guard);
}
