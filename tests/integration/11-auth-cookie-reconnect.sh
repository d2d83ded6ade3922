#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cookie: `openconnect --authenticate` prints COOKIE/FINGERPRINT; --cookie-on-stdin connects;
# after a disconnect that keeps the session (SIGHUP), the same cookie connects again and gets
# the same IPv4 and IPv6 addresses — with predictable-ips = false (addresses drawn at random) and
# another user connecting in between, so the same address cannot come from chance or from
# the pool's order. A logged-off (SIGTERM) cookie is then refused.
# Usage: 11-auth-cookie-reconnect.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Cookie-Pass-1'
ocm_add_user other 'Other-Pass-1'
ocm_write_config "predictable-ips = false"
ocm_start_server

out=$(timeout 30 ip netns exec "$OCM_NS_CLI" openconnect --authenticate --non-inter \
	--servercert "$OCM_PIN" --user test --passwd-on-stdin "https://$OCM_SRV_IP:$OCM_PORT" \
	<<<'Cookie-Pass-1' 2>"$OCM_WORK/authenticate.log")
rc=$?
[ "$rc" -eq 0 ] || ocm_fail "expected openconnect --authenticate to exit 0, got $rc"
for v in COOKIE HOST CONNECT_URL FINGERPRINT; do
	grep -q "^$v=" <<<"$out" || ocm_fail "expected $v=… in the --authenticate output, got: $(sed 's/^COOKIE=.*/COOKIE=<hidden>/' <<<"$out")"
done
cookie=$(sed -n "s/^COOKIE='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" <<<"$out")
[ ${#cookie} -ge 16 ] || ocm_fail "expected a cookie of >= 16 characters, got ${#cookie}"
ocm_ok "--authenticate printed COOKIE (${#cookie} chars), HOST, CONNECT_URL, FINGERPRINT"

ocm_connect r1 test "$cookie" --cookie-on-stdin
a4=$(ocm_client_var r1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var r1 INTERNAL_IP6_ADDRESS)
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping through the first tunnel"

# SIGHUP: openconnect disconnects without logging off, so the cookie stays valid.
ocm_stop_client r1 HUP
ocm_ok "disconnected (SIGHUP) from $a4 $a6"
# Another user takes an address while the session is detached.
ocm_connect o1 other 'Other-Pass-1'
o4=$(ocm_client_var o1 INTERNAL_IP4_ADDRESS)
[ "$o4" != "$a4" ] || ocm_fail "expected the detached session to keep $a4, but user other got it"
ocm_connect r2 test "$cookie" --cookie-on-stdin
b4=$(ocm_client_var r2 INTERNAL_IP4_ADDRESS)
b6=$(ocm_client_var r2 INTERNAL_IP6_ADDRESS)
[ "$a4" = "$b4" ] || ocm_fail "expected the same IPv4 after the cookie reconnect: $a4, got $b4"
[ "$a6" = "$b6" ] || ocm_fail "expected the same IPv6 after the cookie reconnect: $a6, got $b6"
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping through the reconnected tunnel"
ocm_ok "reconnected with the same cookie: same addresses $b4 $b6"

# SIGTERM logs the session off (BYE): the cookie must not work any more.
ocm_stop_client r2 TERM
ocm_start_client r3 test "$cookie" --cookie-on-stdin
if ocm_wait_tunnel r3 15; then
	ocm_fail "expected the logged-off cookie to be refused, but a tunnel came up"
fi
ocm_ok "cookie refused after log-off"
ocm_server_alive || ocm_fail "server exited"
