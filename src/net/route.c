// SPDX-License-Identifier: GPL-2.0-or-later
/* net/route.c — kernel state that follows sessions: routes of iroutes via the TUN and the
 * server address of per-user/per-group pools on it, over one rtnetlink socket opened at
 * startup (as root; changes later need CAP_NET_ADMIN, which main.c keeps when needed). */
#include "net/net.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>

enum {
	ROUTE_NL_BUF = 8192,
	ROUTE_NL_TIMEOUT_S = 2,
	ROUTE_NL_MAX_READS = 16,
};

struct net_route {
	pthread_mutex_t lock; /* one request at a time on the socket */
	struct mnl_socket *nl;
	unsigned ifindex; /* the TUN; immutable */
	unsigned seq;	  /* locked */
};

int net_route_new(unsigned ifindex, struct net_route **out)
{
	struct timeval tv = {.tv_sec = ROUTE_NL_TIMEOUT_S};
	struct net_route *r;
	int ret;

	*out = nullptr;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->ifindex = ifindex;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl) {
		ret = -errno;
		free(r);
		return ret;
	}
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		ret = -errno;
		mnl_socket_close(r->nl);
		free(r);
		return ret;
	}
	pthread_mutex_init(&r->lock, nullptr);
	*out = r;
	return 0;
}

void net_route_free(struct net_route *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Caller holds r->lock. 0 or the kernel's -errno. */
static int request_locked(struct net_route *r, struct nlmsghdr *nlh)
{
	uint8_t buf[ROUTE_NL_BUF];
	unsigned portid = mnl_socket_get_portid(r->nl);

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (int i = 0; i < ROUTE_NL_MAX_READS; i++) {
		ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		int ret;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, nullptr, nullptr);
		if (ret < 0)
			return errno == ESRCH ? -ENOENT : -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
	return -ETIMEDOUT;
}

static struct nlmsghdr *msg_start(struct net_route *r, uint8_t *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

static int family_ok(int family, unsigned prefix_len)
{
	if (family == AF_INET)
		return prefix_len <= 32 ? 4 : -EINVAL;
	if (family == AF_INET6)
		return prefix_len <= 128 ? 16 : -EINVAL;
	return -EINVAL;
}

int net_route_set(struct net_route *r, int family, const void *addr, unsigned prefix_len, bool add)
{
	uint8_t buf[ROUTE_NL_BUF] = {};
	int alen = family_ok(family, prefix_len);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int ret;

	if (alen < 0)
		return alen;
	pthread_mutex_lock(&r->lock);
	nlh = msg_start(r, buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
			add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)prefix_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, (size_t)alen, addr);
	mnl_attr_put_u32(nlh, RTA_OIF, r->ifindex);
	ret = request_locked(r, nlh);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int net_route_addr_add(struct net_route *r, int family, const void *addr, unsigned prefix_len)
{
	uint8_t buf[ROUTE_NL_BUF] = {};
	int alen = family_ok(family, prefix_len);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret;

	if (alen < 0)
		return alen;
	pthread_mutex_lock(&r->lock);
	nlh = msg_start(r, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = r->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, (size_t)alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, (size_t)alen, addr);
	if (family == AF_INET6) {
		/* As the main pool's address (tun.c): usable at once, no DAD. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	ret = request_locked(r, nlh);
	pthread_mutex_unlock(&r->lock);
	return ret;
}
