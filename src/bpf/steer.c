// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/steer.c — user side of tun_steer: load, install on a TUN with TUNSETSTEERINGEBPF, and the
 * destination → queue map. net/ owns the TUN fds and decides which queue serves whom. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>

#include "bpf/libbpf_bpf.h"
#include "tun_steer.skel.h"

#include "bpf/bpf_internal.h"
#include "bpf/shared/steer_maps.h"
#include "core/log.h"

struct bpf_steer {
	struct tun_steer *skel;
};

int bpf_steer_open(struct bpf_steer **out)
{
	struct bpf_steer *s;
	int ret;

	*out = nullptr;
	bpf__log_init();
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->skel = tun_steer__open_and_load();
	if (!s->skel) {
		ret = -errno;
		log_msg(LOG_ERR, "bpf: cannot load tun_steer: %s", strerror(-ret));
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void bpf_steer_close(struct bpf_steer *s)
{
	if (!s)
		return;
	tun_steer__destroy(s->skel);
	free(s);
}

int bpf_steer_attach(struct bpf_steer *s, int tun_fd)
{
	int prog_fd = bpf_program__fd(s->skel->progs.tun_steer);

	if (ioctl(tun_fd, TUNSETSTEERINGEBPF, &prog_fd) < 0)
		return -errno;
	return 0;
}

int bpf_steer_detach(int tun_fd)
{
	int none = -1;

	if (ioctl(tun_fd, TUNSETSTEERINGEBPF, &none) < 0)
		return -errno;
	return 0;
}

union steer_key {
	struct steer_key4 k4;
	struct steer_key6 k6;
};

static int steer_key(struct bpf_steer *s, int family, const void *addr, unsigned prefix,
		     union steer_key *key)
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
		return bpf_map__fd(s->skel->maps.steer_map4);
	}
	key->k6.prefixlen = prefix;
	memcpy(key->k6.addr, a, len);
	return bpf_map__fd(s->skel->maps.steer_map6);
}

int bpf_steer_set(struct bpf_steer *s, int family, const void *addr, unsigned prefix,
		  uint32_t queue)
{
	struct steer_queue q = {.queue = queue};
	union steer_key key = {};
	int fd = steer_key(s, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, &q, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int bpf_steer_clear(struct bpf_steer *s, int family, const void *addr, unsigned prefix)
{
	union steer_key key = {};
	int fd = steer_key(s, family, addr, prefix, &key);

	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, &key))
		return -errno;
	return 0;
}

int bpf__steer_prog_fd(const struct bpf_steer *s)
{
	return bpf_program__fd(s->skel->progs.tun_steer);
}
