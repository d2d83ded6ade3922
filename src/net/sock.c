// SPDX-License-Identifier: GPL-2.0-or-later
/* net/sock.c — listening TCP and UDP sockets (one per worker with SO_REUSEPORT) and TCP path MTU
 * queries. Accepting and (D)TLS are the caller's. */
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

enum {
	SOCK_BACKLOG = 1024,
	/* A worker's DTLS socket queues the datagrams of all its sessions: a login storm's
	 * handshake flights must not overflow it (a lost flight costs its client a 1 s retransmit),
	 * nor a busy round's downlink records. The defaults (rmem/wmem_default, ~208 KiB) were
	 * sized for one session per socket. */
	SOCK_UDP_BUF = 8 << 20,
};

static int sock_opt_on(int fd, int level, int name)
{
	int one = 1;

	if (setsockopt(fd, level, name, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

/* Above net.core.rmem_max/wmem_max where we may (CAP_NET_ADMIN: the FORCE options), else as far
 * as the limit lets an unprivileged socket go. */
static void sock_udp_buffers(int fd)
{
	int size = SOCK_UDP_BUF, one = 1;

	/* Each datagram carries the socket's drop count: the overflow counter in the metrics. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* Socket, options, bind (and listen, for TCP) on one address. On success *fd_out owns it. */
static int sock_listen_addr(int type, const struct sockaddr *sa, socklen_t salen, bool v6only_off,
			    bool reuseport, int *fd_out)
{
	int fd, ret;

	fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = sock_opt_on(fd, SOL_SOCKET, SO_REUSEADDR);
	if (ret == 0 && reuseport)
		ret = sock_opt_on(fd, SOL_SOCKET, SO_REUSEPORT);
	if (ret == 0 && v6only_off) {
		int zero = 0;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
			ret = -errno;
	}
	if (ret == 0 && type == SOCK_DGRAM)
		sock_udp_buffers(fd);
	if (ret == 0 && bind(fd, sa, salen) < 0)
		ret = -errno;
	if (ret == 0 && type == SOCK_STREAM && listen(fd, SOCK_BACKLOG) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
}

static int sock_listen_any(int type, uint16_t port, bool reuseport, int *fd_out)
{
	struct sockaddr_in6 any6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in any4 = {.sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_ANY)};
	int ret;

	ret = sock_listen_addr(type, (const struct sockaddr *)&any6, sizeof(any6), true, reuseport,
			       fd_out);
	if (ret != -EAFNOSUPPORT)
		return ret;
	/* IPv6 disabled on this host: IPv4 only. */
	return sock_listen_addr(type, (const struct sockaddr *)&any4, sizeof(any4), false,
				reuseport, fd_out);
}

static int sock_listen(int type, const char *host, uint16_t port, bool reuseport, int *fd_out)
{
	struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
		.ai_family = AF_UNSPEC,
		.ai_socktype = type,
	};
	struct addrinfo *res = nullptr;
	char service[8];
	int ret, gai;

	*fd_out = -1;
	if (!host)
		return sock_listen_any(type, port, reuseport, fd_out);
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		ret = gai == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
		log_msg(LOG_DEBUG, "sock: cannot resolve '%s': %s", host, gai_strerror(gai));
		return ret;
	}
	ret = -EADDRNOTAVAIL;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		ret = sock_listen_addr(type, ai->ai_addr, ai->ai_addrlen, false, reuseport, fd_out);
		if (ret == 0)
			break;
	}
	freeaddrinfo(res);
	return ret;
}

int sock_listen_tcp(const char *host, uint16_t port, bool reuseport, int *fd_out)
{
	return sock_listen(SOCK_STREAM, host, port, reuseport, fd_out);
}

int sock_listen_udp(const char *host, uint16_t port, bool reuseport, int *fd_out)
{
	return sock_listen(SOCK_DGRAM, host, port, reuseport, fd_out);
}

int sock_tcp_pmtu(int fd, unsigned *mtu)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -errno;
	if (len < offsetof(struct tcp_info, tcpi_pmtu) + sizeof(ti.tcpi_pmtu) || ti.tcpi_pmtu == 0)
		return -ENODATA;
	*mtu = ti.tcpi_pmtu;
	return 0;
}

bool sock_udp_send_lost(int err)
{
	switch (err) {
	case EAGAIN:
	case ENOBUFS:
	case EINTR:
	case ECONNREFUSED: /* ICMP unreachable for an earlier datagram */
		return true;
	default:
		return false;
	}
}
