// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/fake_ops.h — ctl_ops returning fixed users, sessions and bans, shared by the
 * ctl unit tests and the fuzz harness. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

struct fake {
	int disconnects;
	char last_name[64];
	bool last_terminate;
	uint32_t last_seconds;
};

static int fake_list_users(void *ctx, struct ctl_user **arr, size_t *n)
{
	struct ctl_user *u = calloc(2, sizeof(*u));
	int ret = 0;

	(void)ctx;
	if (!u)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		u[i].id = 1001 + (uint32_t)i;
		snprintf(u[i].username, sizeof(u[i].username), "%s", i ? "bob" : "alice");
		snprintf(u[i].state, sizeof(u[i].state), "connected");
		snprintf(u[i].vhost, sizeof(u[i].vhost), "default");
		snprintf(u[i].device, sizeof(u[i].device), "vpns%d", i);
		u[i].mtu = 1400;
		snprintf(u[i].remote_ip, sizeof(u[i].remote_ip), "198.18.0.%d", 10 + i);
		snprintf(u[i].local_dev_ip, sizeof(u[i].local_dev_ip), "198.18.0.1");
		snprintf(u[i].ipv4, sizeof(u[i].ipv4), "198.19.0.%d", 2 + i);
		snprintf(u[i].ptp_ipv4, sizeof(u[i].ptp_ipv4), "198.19.0.1");
		snprintf(u[i].ipv6, sizeof(u[i].ipv6), "2001:db8::%d", 2 + i);
		snprintf(u[i].ptp_ipv6, sizeof(u[i].ptp_ipv6), "2001:db8::1");
		snprintf(u[i].user_agent, sizeof(u[i].user_agent),
			 "Open AnyConnect VPN Agent v9.01");
		snprintf(u[i].hostname, sizeof(u[i].hostname), "laptop%d", i);
		u[i].rx_bytes = 123456;
		u[i].tx_bytes = 654321;
		u[i].dpd_s = 90;
		u[i].keepalive_s = 32400;
		u[i].connected_at = 1700000000;
		snprintf(u[i].session, sizeof(u[i].session), "AbCdEf%d", i);
		snprintf(u[i].full_session, sizeof(u[i].full_session), "AbCdEf%dxxxxxxxxxxxxx", i);
		snprintf(u[i].tls_cipher, sizeof(u[i].tls_cipher), "(TLS1.3)-(AES-256-GCM)");
		snprintf(u[i].dtls_cipher, sizeof(u[i].dtls_cipher),
			 "(DTLS1.2)-(PSK)-(AES-128-GCM)");
		ret |= ctl_strlist_add(&u[i].dns, "198.19.0.1");
		ret |= ctl_strlist_add(&u[i].routes, "198.18.128.0/255.255.128.0");
		ret |= ctl_strlist_add(&u[i].iroutes, "198.18.64.0/255.255.255.0");
	}
	if (ret) {
		ctl_users_free(u, 2);
		return -ENOMEM;
	}
	*arr = u;
	*n = 2;
	return 0;
}

static int fake_disconnect_user(void *ctx, const char *name, bool terminate)
{
	struct fake *f = ctx;

	snprintf(f->last_name, sizeof(f->last_name), "%s", name);
	f->last_terminate = terminate;
	f->disconnects++;
	return strcmp(name, "alice") == 0 ? 1 : 0;
}

static int fake_disconnect_id(void *ctx, uint32_t id, bool terminate)
{
	(void)ctx;
	(void)terminate;
	return id == 1001 ? 1 : 0;
}

static int fake_list_sessions(void *ctx, struct ctl_session **arr, size_t *n)
{
	struct ctl_session *s = calloc(2, sizeof(*s));

	(void)ctx;
	if (!s)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		snprintf(s[i].session, sizeof(s[i].session), "%s", i ? "zzzzzz" : "AbCdEf");
		snprintf(s[i].full_session, sizeof(s[i].full_session), "%sfull", s[i].session);
		s[i].created = 1700000000;
		s[i].expires = 1700003600;
		snprintf(s[i].state, sizeof(s[i].state), "%s", i ? "auth" : "authenticated");
		s[i].valid = i == 0;
		snprintf(s[i].username, sizeof(s[i].username), "alice");
		snprintf(s[i].remote_ip, sizeof(s[i].remote_ip), "198.18.0.10");
		s[i].in_use = true;
	}
	*arr = s;
	*n = 2;
	return 0;
}

static int fake_status(void *ctx, struct ctl_status *st)
{
	(void)ctx;
	st->pid = 4242;
	st->up_since = 1700000000;
	st->active_sessions = 2;
	st->rx_bytes = 5000000;
	return 0;
}

static int fake_bans(void *ctx, struct ctl_ban **arr, size_t *n)
{
	struct ctl_ban *b = calloc(2, sizeof(*b));

	(void)ctx;
	if (!b)
		return -ENOMEM;
	snprintf(b[0].ip, sizeof(b[0].ip), "198.18.5.5");
	b[0].score = 80;
	b[0].expires = 4000000000;
	snprintf(b[1].ip, sizeof(b[1].ip), "2001:db8::5");
	b[1].score = 10;
	*arr = b;
	*n = 2;
	return 0;
}

static int fake_ban_ip(void *ctx, const char *addr, uint32_t seconds)
{
	struct fake *f = ctx;

	(void)addr;
	f->last_seconds = seconds;
	return 0;
}

static int fake_unban_ip(void *ctx, const char *addr)
{
	(void)ctx;
	return strcmp(addr, "198.18.5.5") == 0 ? 0 : -ENOENT;
}

static int fake_reload(void *ctx, char *err, size_t len)
{
	(void)ctx;
	snprintf(err, len, "config.conf:3: bad value");
	return -EINVAL;
}

/* stop and terminate_session are left NULL: "not supported". */
static const struct ctl_ops fake_ops = {
	.list_users = fake_list_users,
	.disconnect_user = fake_disconnect_user,
	.disconnect_id = fake_disconnect_id,
	.list_sessions = fake_list_sessions,
	.status = fake_status,
	.list_bans = fake_bans,
	.list_ban_points = fake_bans,
	.ban_ip = fake_ban_ip,
	.unban_ip = fake_unban_ip,
	.reload = fake_reload,
};
