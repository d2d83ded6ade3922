// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/iroute.c — a session's iroutes (networks behind its client) follow its tunnel: while
 * it is up they map to its slot in the pool's rtable (downlink), have a kernel route via the
 * TUN and pass tun_guard; they are pushed to no client. The caller serialises up/down with
 * vpn->route_lock against the slot_owner change (a takeover must not lose the routes). */
#include "tunnel/iroute.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

static void prefix_text(const struct cfg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->prefix_len);
}

/* Does p overlap the main pool (whose leases the arithmetic finds first)? */
static bool overlaps_main_pool(const struct ippool *pool, const struct cfg_prefix *p)
{
	struct cfg_prefix mp = {.family = p->family};
	unsigned len;

	if (p->family == AF_INET ? !ippool_server_v4(pool, &mp.addr.v4, &len)
				 : !ippool_server_v6(pool, &mp.addr.v6, &len))
		return false;
	mp.prefix_len = len < p->prefix_len ? len : p->prefix_len;
	/* Both masked to the shorter length: equal means one contains the other. */
	struct inner_pkt probe = {.family = p->family, .src = (const uint8_t *)&p->addr};
	return inner_src_in_prefixes(&probe, &mp, 1);
}

static void one_down(struct vpn *v, const struct cfg_prefix *p, uint32_t slot)
{
	int ret;

	net_accel_iroute(v->accel, p, slot, false);
	if (v->route &&
	    (ret = net_route_set(v->route, p->family, &p->addr, p->prefix_len, false)) < 0 &&
	    ret != -ENOENT) {
		char t[INET6_ADDRSTRLEN + 8];

		prefix_text(p, t, sizeof(t));
		log_msg(LOG_WARNING, "iroute %s: cannot remove the kernel route: %s", t,
			strerror(-ret));
	}
	(void)rtable_del(ippool_rtable(v->pool), p->family, &p->addr, p->prefix_len, slot);
}

int iroute_up(struct vpn *v, const struct session *s, uint32_t slot)
{
	const struct cfg_prefixlist *l = session_iroutes(s);
	struct rtable *rt = ippool_rtable(v->pool);
	char t[INET6_ADDRSTRLEN + 8];
	size_t i;
	int ret = 0;

	for (i = 0; i < l->len; i++) {
		const struct cfg_prefix *p = &l->items[i];
		uint32_t other;

		prefix_text(p, t, sizeof(t));
		if (!v->route) {
			ret = -EOPNOTSUPP;
			log_msg(LOG_ERR, "session %llu (%s): iroute %s: no route control",
				(unsigned long long)s->id, s->username, t);
			break;
		}
		if (overlaps_main_pool(v->pool, p)) {
			ret = -EINVAL;
			log_msg(LOG_ERR, "session %llu (%s): iroute %s overlaps the address pool",
				(unsigned long long)s->id, s->username, t);
			break;
		}
		other = rtable_overlap(rt, p->family, &p->addr, p->prefix_len);
		if (other && other != slot) {
			ret = -EADDRINUSE;
			log_msg(LOG_ERR,
				"session %llu (%s): iroute %s overlaps another session's "
				"address or iroute",
				(unsigned long long)s->id, s->username, t);
			break;
		}
		ret = rtable_add(rt, p->family, &p->addr, p->prefix_len, slot);
		if (ret < 0) {
			log_msg(LOG_ERR, "session %llu (%s): iroute %s: %s",
				(unsigned long long)s->id, s->username, t, strerror(-ret));
			break;
		}
		ret = net_route_set(v->route, p->family, &p->addr, p->prefix_len, true);
		if (ret < 0) {
			log_msg(LOG_ERR, "session %llu (%s): iroute %s: kernel route refused: %s",
				(unsigned long long)s->id, s->username, t, strerror(-ret));
			(void)rtable_del(rt, p->family, &p->addr, p->prefix_len, slot);
			break;
		}
		net_accel_iroute(v->accel, p, slot, true);
		log_msg(LOG_INFO, "session %llu (%s): iroute %s via the tunnel",
			(unsigned long long)s->id, s->username, t);
	}
	if (ret < 0)
		while (i-- > 0)
			one_down(v, &l->items[i], slot);
	return ret;
}

void iroute_down(struct vpn *v, const struct session *s, uint32_t slot)
{
	const struct cfg_prefixlist *l = session_iroutes(s);

	for (size_t i = 0; i < l->len; i++)
		one_down(v, &l->items[i], slot);
}
