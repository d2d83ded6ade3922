// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/tun_guard.c — user side of tun_guard: load, attach to the TUN's ingress (tcx link, else
 * a clsact filter), lease add/remove, per-lease and verdict counters. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bpf/libbpf_bpf.h"
#include "tun_guard.skel.h"

#include "bpf/bpf_internal.h"
#include "bpf/shared/tun_guard_maps.h"
#include "core/log.h"

static_assert(sizeof(struct bpf_tun_guard_counters) == TG_CNT__COUNT * sizeof(uint64_t));

/* BPF_TCX_INGRESS (kernel 6.6) is newer than Debian 12's UAPI headers and libbpf 1.1. */
enum { TCX_INGRESS = 46 };

struct bpf_tun_guard {
	struct tun_guard *skel;
	int link_fd;		 /* tcx link, -1 when attached through tc or not at all */
	struct bpf_tc_hook hook; /* tc fallback: hook.ifindex 0 when unused */
	struct bpf_tc_opts tc;	 /* handle and priority the kernel gave our filter */
	bool hook_created;	 /* we created clsact and remove it again */
};

static int attach_tc(struct bpf_tun_guard *tg, int ifindex)
{
	int ret;

	/* libbpf rejects non-zero padding: no compound literals here. */
	memset(&tg->hook, 0, sizeof(tg->hook));
	tg->hook.sz = sizeof(tg->hook);
	tg->hook.ifindex = ifindex;
	tg->hook.attach_point = BPF_TC_INGRESS;
	ret = bpf_tc_hook_create(&tg->hook);
	if (ret < 0 && ret != -EEXIST)
		goto fail;
	tg->hook_created = ret == 0;
	memset(&tg->tc, 0, sizeof(tg->tc));
	tg->tc.sz = sizeof(tg->tc);
	tg->tc.prog_fd = bpf_program__fd(tg->skel->progs.tun_guard);
	ret = bpf_tc_attach(&tg->hook, &tg->tc);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	if (tg->hook_created) {
		tg->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		(void)bpf_tc_hook_destroy(&tg->hook);
	}
	tg->hook_created = false;
	tg->hook.ifindex = 0;
	return ret;
}

static int attach(struct bpf_tun_guard *tg, int ifindex)
{
	tg->link_fd = bpf_link_create(bpf_program__fd(tg->skel->progs.tun_guard), ifindex,
				      (enum bpf_attach_type)TCX_INGRESS, nullptr);
	if (tg->link_fd >= 0)
		return 0;
	return attach_tc(tg, ifindex); /* kernels before 6.6 */
}

int bpf_tun_guard_open(const char *ifname, struct bpf_tun_guard **out)
{
	struct bpf_tun_guard *tg;
	unsigned ifindex = 0;
	int ret;

	*out = nullptr;
	bpf__log_init();
	if (ifname) {
		ifindex = if_nametoindex(ifname);
		if (!ifindex)
			return -ENODEV;
	}
	tg = calloc(1, sizeof(*tg));
	if (!tg)
		return -ENOMEM;
	tg->link_fd = -1;
	tg->skel = tun_guard__open_and_load();
	if (!tg->skel) {
		ret = -errno;
		log_msg(LOG_ERR, "bpf: cannot load tun_guard: %s", strerror(-ret));
		goto out;
	}
	if (ifname) {
		ret = attach(tg, (int)ifindex);
		if (ret < 0) {
			log_msg(LOG_ERR, "bpf: cannot attach tun_guard to %s: %s", ifname,
				strerror(-ret));
			goto out;
		}
	}
	*out = tg;
	tg = nullptr; /* owned by the caller */
	ret = 0;
out:
	bpf_tun_guard_close(tg);
	return ret;
}

void bpf_tun_guard_close(struct bpf_tun_guard *tg)
{
	if (!tg)
		return;
	if (tg->link_fd >= 0)
		close(tg->link_fd);
	if (tg->hook.ifindex) {
		/* The device may be gone already (TUN closed first): errors are expected. */
		tg->tc.prog_fd = 0;
		tg->tc.prog_id = 0;
		tg->tc.flags = 0;
		(void)bpf_tc_detach(&tg->hook, &tg->tc);
		if (tg->hook_created) {
			tg->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			(void)bpf_tc_hook_destroy(&tg->hook);
		}
	}
	tun_guard__destroy(tg->skel);
	free(tg);
}

union lease_key {
	struct tg_key4 k4;
	struct tg_key6 k6;
};

/* Builds the key; returns the map fd or -EINVAL. IPv4 leases are exact (/32). */
static int lease_key(struct bpf_tun_guard *tg, int family, const void *addr, unsigned prefix,
		     union lease_key *key)
{
	uint8_t a[16];
	size_t len;
	int ret;

	ret = bpf__addr_masked(family, addr, prefix, a, &len);
	if (ret < 0)
		return ret;
	if (family == AF_INET) {
		if (prefix != 32)
			return -EINVAL;
		memcpy(key->k4.addr, a, len);
		return bpf_map__fd(tg->skel->maps.tg_leases4);
	}
	key->k6.prefixlen = prefix;
	memcpy(key->k6.addr, a, len);
	return bpf_map__fd(tg->skel->maps.tg_leases6);
}

int bpf_tun_guard_lease_add(struct bpf_tun_guard *tg, int family, const void *addr, unsigned prefix,
			    uint32_t slot)
{
	struct tg_lease lease = {.slot = slot};
	union lease_key key = {};
	int fd = lease_key(tg, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, &lease, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int bpf_tun_guard_lease_del(struct bpf_tun_guard *tg, int family, const void *addr, unsigned prefix)
{
	union lease_key key = {};
	int fd = lease_key(tg, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, &key))
		return -errno;
	return 0;
}

int bpf_tun_guard_lease_stats(struct bpf_tun_guard *tg, int family, const void *addr,
			      struct bpf_lease_stats *out)
{
	union lease_key key = {};
	struct tg_lease lease;
	int fd = lease_key(tg, family, addr, family == AF_INET ? 32 : 128, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &lease))
		return -errno;
	*out = (struct bpf_lease_stats){
		.slot = lease.slot, .bytes = lease.bytes, .packets = lease.packets};
	return 0;
}

int bpf_tun_guard_counters(struct bpf_tun_guard *tg, struct bpf_tun_guard_counters *out)
{
	uint64_t v[TG_CNT__COUNT];
	int ret;

	ret = bpf__percpu_sums(bpf_map__fd(tg->skel->maps.tg_counters), v, TG_CNT__COUNT);
	if (ret < 0)
		return ret;
	*out = (struct bpf_tun_guard_counters){
		.passed = v[TG_CNT_PASSED],
		.dropped_spoof = v[TG_CNT_DROPPED_SPOOF],
		.dropped_bad = v[TG_CNT_DROPPED_BAD],
	};
	return 0;
}

int bpf__tun_guard_prog_fd(const struct bpf_tun_guard *tg)
{
	return bpf_program__fd(tg->skel->progs.tun_guard);
}
