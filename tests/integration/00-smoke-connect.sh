#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Smoke: a user from an ocpasswd file logs in with openconnect, the tunnel comes up and gets
# IPv4 and IPv6 addresses from the configured pools plus the pushed MTU and routes.
# Usage: 00-smoke-connect.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Smoke-Pass-1'
ocm_write_config
ocm_start_server
ocm_connect c1 test 'Smoke-Pass-1'

a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
mtu=$(ocm_client_var c1 INTERNAL_IP4_MTU)
ocm_python - "$a4" "$a6" "$OCM_POOL4" "$OCM_POOL6" <<'PY' || ocm_fail "address not from the pool (see above)"
import ipaddress, sys
a4, a6, p4, p6 = sys.argv[1:5]
ok = True
for addr, pool in ((a4, p4), (a6, p6)):
    try:
        inside = ipaddress.ip_address(addr) in ipaddress.ip_network(pool)
    except ValueError:
        inside = False
    print(f"expected an address in {pool}, got {addr!r}: {'ok' if inside else 'WRONG'}",
          file=sys.stderr)
    ok = ok and inside
sys.exit(0 if ok else 1)
PY
ocm_ok "IPv4 $a4 in $OCM_POOL4, IPv6 $a6 in $OCM_POOL6"

ocm_in cli ip -4 addr show dev oc-c1 | grep -q "inet $a4/" ||
	ocm_fail "expected $a4 on oc-c1, got: $(ocm_in cli ip -4 -br addr show dev oc-c1)"
[ -n "$mtu" ] && [ "$mtu" -ge 1280 ] && [ "$mtu" -le 1400 ] ||
	ocm_fail "expected a tunnel MTU in 1280..1400 (mtu = 1400 configured), got '$mtu'"
routes=$(ocm_in cli ip -4 route show dev oc-c1)
grep -q '^198\.18\.1\.0/24' <<<"$routes" ||
	ocm_fail "expected route 198.18.1.0/24 via oc-c1, got: $routes"
routes6=$(ocm_in cli ip -6 route show dev oc-c1)
grep -q '^2001:db8:1::/64' <<<"$routes6" ||
	ocm_fail "expected route 2001:db8:1::/64 via oc-c1, got: $routes6"
ocm_ok "mtu $mtu, routes pushed"
ocm_server_alive || ocm_fail "server exited"
