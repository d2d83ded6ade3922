// SPDX-License-Identifier: GPL-2.0-or-later
/* net/tun.c — the one multi-queue TUN device (one fd per worker queue) and its configuration
 * over rtnetlink: MTU, txqueuelen, the server addresses, link up. Queue steering (eBPF) and
 * routes are set up elsewhere on the fds/name given out here. */
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "core/log.h"

/* Linux 6.2 (UDP segmentation offload); Debian 12's headers are 6.1. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

enum {
	TUN_NL_BUF = 8192,     /* requests and acks are small; MNL_SOCKET_BUFFER_SIZE is a VLA */
	TUN_NL_TIMEOUT_S = 2,  /* the kernel acks synchronously; this only bounds a surprise */
	TUN_NL_MAX_READS = 16, /* replies read before giving up on an ack */
	TUN_MIN_MTU = 68,
	TUN_MIN_MTU_V6 = 1280,
	TUN_MAX_MTU = 65535,
};

struct tun {
	char name[IFNAMSIZ]; /* the kernel's final name; immutable after tun_open */
	unsigned ifindex;
	unsigned nqueues;
	bool offloads; /* IFF_VNET_HDR on every queue, TUNSETOFFLOAD accepted */
	int fds[];     /* owned, nqueues of them */
};

/* Open one queue of the device called name (a "%d" template for the first queue). On success
 * *fd_out owns the fd and actual holds the kernel's name for the device. */
static int tun_queue_open(const char *name, bool vnet, char actual[IFNAMSIZ], int *fd_out)
{
	struct ifreq ifr = {};
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (vnet ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	memcpy(actual, ifr.ifr_name, IFNAMSIZ);
	actual[IFNAMSIZ - 1] = '\0';
	*fd_out = fd;
	return 0;
}

/* Checksum and TCP segmentation offload, plus UDP segmentation where the kernel has it
 * (6.2+): the kernel then hands us unsegmented super-packets (tso_split). */
static bool tun_offloads_set(int fd)
{
	unsigned tcp = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

	if (ioctl(fd, TUNSETOFFLOAD, tcp | TUN_F_USO4 | TUN_F_USO6) == 0)
		return true;
	return ioctl(fd, TUNSETOFFLOAD, tcp) == 0;
}

int tun_open(const char *name, unsigned queues, bool offloads, struct tun **out)
{
	struct tun *t;
	size_t nlen = strnlen(name, IFNAMSIZ);
	int ret;

	*out = nullptr;
	if (nlen == 0 || nlen >= IFNAMSIZ || queues == 0 || queues > TUN_MAX_QUEUES)
		return -EINVAL;
	/* Without a template, TUNSETIFF would attach to an existing device: refuse instead. */
	if (!strchr(name, '%') && if_nametoindex(name) != 0) {
		log_msg(LOG_ERR, "tun: device '%s' exists already", name);
		return -EEXIST;
	}
	t = calloc(1, sizeof(*t) + queues * sizeof(t->fds[0]));
	if (!t)
		return -ENOMEM;
	for (unsigned i = 0; i < queues; i++)
		t->fds[i] = -1;
	t->nqueues = queues;
	ret = tun_queue_open(name, offloads, t->name, &t->fds[0]);
	if (ret < 0) {
		log_msg(LOG_ERR, "tun: cannot create device '%s': %s", name, strerror(-ret));
		goto out;
	}
	if (offloads && !tun_offloads_set(t->fds[0])) {
		/* Every queue must use the first one's flags: start again without the header. */
		log_msg(LOG_NOTICE, "tun: %s: the kernel refused offloads (%m): plain packets",
			t->name);
		close(t->fds[0]);
		t->fds[0] = -1;
		offloads = false;
		ret = tun_queue_open(name, false, t->name, &t->fds[0]);
		if (ret < 0) {
			log_msg(LOG_ERR, "tun: cannot create device '%s': %s", name,
				strerror(-ret));
			goto out;
		}
	}
	t->offloads = offloads;
	for (unsigned i = 1; i < queues; i++) {
		char again[IFNAMSIZ];

		ret = tun_queue_open(t->name, offloads, again, &t->fds[i]);
		if (ret < 0) {
			log_msg(LOG_ERR, "tun: %s: cannot open queue %u: %s", t->name, i,
				strerror(-ret));
			goto out;
		}
	}
	t->ifindex = if_nametoindex(t->name);
	if (t->ifindex == 0) {
		ret = -errno;
		log_msg(LOG_ERR, "tun: %s: no ifindex: %s", t->name, strerror(-ret));
		goto out;
	}
	*out = t;
	t = nullptr;
	ret = 0;
out:
	tun_free(t);
	return ret;
}

void tun_free(struct tun *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->nqueues; i++) {
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	}
	free(t);
}

int tun_queue_fd(const struct tun *t, unsigned q)
{
	return q < t->nqueues ? t->fds[q] : -EINVAL;
}

bool tun_has_offloads(const struct tun *t)
{
	return t->offloads;
}

unsigned tun_queue_count(const struct tun *t)
{
	return t->nqueues;
}

const char *tun_name(const struct tun *t)
{
	return t->name;
}

unsigned tun_ifindex(const struct tun *t)
{
	return t->ifindex;
}

/* Send one request and wait for its ack: 0 or the kernel's -errno. */
static int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	uint8_t buf[TUN_NL_BUF];
	unsigned portid = mnl_socket_get_portid(nl);
	unsigned seq = nlh->nlmsg_seq;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (int i = 0; i < TUN_NL_MAX_READS; i++) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int ret;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, nullptr, nullptr);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
	return -ETIMEDOUT;
}

static struct nlmsghdr *nl_start(uint8_t *buf, uint16_t type, uint16_t flags, unsigned *seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++*seq;
	return nlh;
}

static int tun_link_set(struct mnl_socket *nl, const struct tun *t, unsigned *seq, unsigned mtu,
			bool up)
{
	uint8_t buf[TUN_NL_BUF] = {};
	struct nlmsghdr *nlh = nl_start(buf, RTM_NEWLINK, 0, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)t->ifindex;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	} else {
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, TUN_TXQUEUELEN);
	}
	return nl_request(nl, nlh);
}

static int tun_addr_add(struct mnl_socket *nl, const struct tun *t, unsigned *seq, int family,
			const void *addr, unsigned prefix_len)
{
	uint8_t buf[TUN_NL_BUF] = {};
	struct nlmsghdr *nlh = nl_start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, seq);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = family == AF_INET ? 4 : 16;

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = t->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	if (family == AF_INET6) {
		/* No duplicate address detection: the address must work the moment we start. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return nl_request(nl, nlh);
}

int tun_configure(struct tun *t, const struct ippool *pool, unsigned mtu)
{
	struct mnl_socket *nl;
	struct timeval tv = {.tv_sec = TUN_NL_TIMEOUT_S};
	struct in6_addr a6;
	struct in_addr a4;
	unsigned plen4 = 0, plen6 = 0, seq = 0;
	bool v4 = ippool_server_v4(pool, &a4, &plen4);
	bool v6 = ippool_server_v6(pool, &a6, &plen6);
	int ret;

	if (mtu < TUN_MIN_MTU || mtu > TUN_MAX_MTU || (v6 && mtu < TUN_MIN_MTU_V6)) {
		log_msg(LOG_ERR, "tun: %s: mtu %u not in [%u, %u]", t->name, mtu,
			v6 ? TUN_MIN_MTU_V6 : TUN_MIN_MTU, TUN_MAX_MTU);
		return -EINVAL;
	}
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		ret = -errno;
		goto out;
	}
	ret = tun_link_set(nl, t, &seq, mtu, false);
	if (ret < 0) {
		log_msg(LOG_ERR, "tun: %s: cannot set mtu %u: %s", t->name, mtu, strerror(-ret));
		goto out;
	}
	if (v4) {
		ret = tun_addr_add(nl, t, &seq, AF_INET, &a4, plen4);
		if (ret < 0) {
			log_msg(LOG_ERR, "tun: %s: cannot add ipv4 address /%u: %s", t->name, plen4,
				strerror(-ret));
			goto out;
		}
	}
	if (v6) {
		ret = tun_addr_add(nl, t, &seq, AF_INET6, &a6, plen6);
		if (ret < 0) {
			log_msg(LOG_ERR, "tun: %s: cannot add ipv6 address /%u: %s", t->name, plen6,
				strerror(-ret));
			goto out;
		}
	}
	ret = tun_link_set(nl, t, &seq, mtu, true);
	if (ret < 0)
		log_msg(LOG_ERR, "tun: %s: cannot set link up: %s", t->name, strerror(-ret));
out:
	mnl_socket_close(nl);
	return ret;
}
