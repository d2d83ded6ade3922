// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/tun.h — a TUN device for the eBPF tests, inside the private network namespace
 * the test made with unshare(CLONE_NEWNET). */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

/* Opens one queue of TUN name (multi-queue when mq); returns the fd or -errno. */
static inline int tun_queue_open(const char *name, bool mq)
{
	struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI | (mq ? IFF_MULTI_QUEUE : 0)};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Brings name up with addr/prefix (IPv4 text) through ip(8); 0 or -1. */
static inline int tun_up(const char *name, const char *cidr)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip link set %s up && ip addr add %s dev %s", name, cidr, name);
	return system(cmd) == 0 ? 0 : -1;
}
