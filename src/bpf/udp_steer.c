// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/udp_steer.c — user side of udp_steer: load, fill the socket array with the workers' UDP
 * sockets, attach to their SO_REUSEPORT group, and the peer → worker map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/libbpf_bpf.h"
#include "udp_steer.skel.h"

#include "bpf/bpf_internal.h"
#include "bpf/shared/udp_steer_maps.h"
#include "core/log.h"

#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52 /* asm-generic/socket.h, since 4.5 */
#endif

struct bpf_udp_steer {
	struct udp_steer *skel;
};

int bpf_udp_steer_open(struct bpf_udp_steer **out)
{
	struct bpf_udp_steer *s;
	int ret;

	*out = nullptr;
	bpf__log_init();
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->skel = udp_steer__open_and_load();
	if (!s->skel) {
		ret = -errno;
		log_msg(LOG_ERR, "bpf: cannot load udp_steer: %s", strerror(-ret));
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void bpf_udp_steer_close(struct bpf_udp_steer *s)
{
	if (!s)
		return;
	udp_steer__destroy(s->skel);
	free(s);
}

int bpf_udp_steer_attach(struct bpf_udp_steer *s, const int *fds, unsigned n)
{
	int socks = bpf_map__fd(s->skel->maps.udp_socks);
	int prog = bpf_program__fd(s->skel->progs.udp_steer);

	if (!n || n > UDP_STEER_SOCKS)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t fd = (uint64_t)fds[i];
		if (bpf_map_update_elem(socks, &i, &fd, BPF_ANY))
			return -errno;
	}
	if (setsockopt(fds[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

static int udp_steer_key(int family, const void *addr, uint16_t port_be, struct udp_steer_key *key)
{
	*key = (struct udp_steer_key){.port = port_be};
	if (family == AF_INET) {
		key->family = 4;
		memcpy(key->addr, addr, 4);
	} else if (family == AF_INET6) {
		key->family = 6;
		memcpy(key->addr, addr, 16);
	} else {
		return -EINVAL;
	}
	return 0;
}

int bpf_udp_steer_set(struct bpf_udp_steer *s, int family, const void *addr, uint16_t port_be,
		      uint32_t worker)
{
	struct udp_steer_key key;
	int ret = udp_steer_key(family, addr, port_be, &key);

	if (ret)
		return ret;
	if (worker >= UDP_STEER_SOCKS)
		return -EINVAL;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.udp_peers), &key, &worker, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int bpf_udp_steer_clear(struct bpf_udp_steer *s, int family, const void *addr, uint16_t port_be)
{
	struct udp_steer_key key;
	int ret = udp_steer_key(family, addr, port_be, &key);

	if (ret)
		return ret;
	if (bpf_map_delete_elem(bpf_map__fd(s->skel->maps.udp_peers), &key))
		return -errno;
	return 0;
}
