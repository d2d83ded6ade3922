#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# iroute: user "gw" has a network behind its client (198.18.200.0/24 + 2001:db8:200::/64 in a
# namespace behind the client namespace, which forwards). While gw's tunnel is up the server
# routes that network via its TUN to gw's session only: the LAN host reaches the host behind
# the client through the tunnel, the replies (sources inside the iroute) pass anti-spoofing,
# `occtl show iroutes` lists it in ocserv's format and nobody is pushed the route. When gw
# logs off the kernel route is gone.
# Usage: 77-iroute.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user gw 'Iroute-Pass-1'
ocm_add_user other 'Iroute-Pass-2'
mkdir -p "$OCM_WORK/users"
printf 'iroute = 198.18.200.0/24\niroute = 2001:db8:200::/64\n' >"$OCM_WORK/users/gw"
ops_write_config "config-per-user = $OCM_WORK/users/"

# The host behind the client: its own namespace, default route via the client namespace.
BEHIND=ocm-$$-bh
ocm_ns_add "$BEHIND"
ocm_veth "$OCM_NS_CLI" bh0 "$BEHIND" v0
ip -n "$OCM_NS_CLI" addr add 198.18.200.1/24 dev bh0
ip -n "$BEHIND" addr add 198.18.200.2/24 dev v0
ip -n "$OCM_NS_CLI" addr add 2001:db8:200::1/64 dev bh0 nodad
ip -n "$BEHIND" addr add 2001:db8:200::2/64 dev v0 nodad
ip -n "$BEHIND" route add default via 198.18.200.1
ip -n "$BEHIND" -6 route add default via 2001:db8:200::1
ip netns exec "$OCM_NS_CLI" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	ocm_fail "enabling forwarding in the client namespace"
ocm_start_server

# lan_ping [-6] ADDR: replies the LAN host got from ADDR.
lan_ping()
{
	local out
	out=$(ocm_in lan timeout 15 ping "$@" -n -q -c 3 -i 0.2 -W 2 2>&1)
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | grep . || echo 0
}

srv_route() { ocm_in srv ip "$1" route show "$2" dev ocmtun 2>/dev/null | grep -q .; }
srv_no_route() { ! srv_route "$@"; }

srv_no_route -4 198.18.200.0/24 || ocm_fail "server: a route to the iroute before gw connected"
[ "$(lan_ping 198.18.200.2)" -eq 0 ] || ocm_fail "the host behind gw answered before gw connected"

ocm_connect c1 gw 'Iroute-Pass-1'
srv_route -4 198.18.200.0/24 || ocm_fail "server: expected 198.18.200.0/24 dev ocmtun while gw is up"
srv_route -6 2001:db8:200::/64 || ocm_fail "server: expected 2001:db8:200::/64 dev ocmtun while gw is up"
[ "$(lan_ping 198.18.200.2)" -ge 2 ] ||
	ocm_fail "expected the LAN host to reach 198.18.200.2 behind gw through the tunnel"
[ "$(lan_ping -6 2001:db8:200::2)" -ge 2 ] ||
	ocm_fail "expected the LAN host to reach 2001:db8:200::2 behind gw through the tunnel"
ocm_ok "LAN -> host behind gw (IPv4 and IPv6) through the tunnel"
# From the host behind the client to the LAN: uplink packets with iroute sources.
out=$(ip netns exec "$BEHIND" timeout 15 ping -n -q -c 3 -i 0.2 -W 2 "$OCM_LAN_IP" 2>&1)
grep -q ' [2-3] received' <<<"$out" || ocm_fail "expected the host behind gw to reach the LAN: $out"
ocm_ok "host behind gw -> LAN (source inside the iroute passes anti-spoofing)"

# occtl: text and JSON, ocserv's formats (IPv4 as address/netmask).
txt=$(ops_occtl show iroutes) || ocm_fail "occtl show iroutes failed"
grep -q 'gw .*198\.18\.200\.0/255\.255\.255\.0' <<<"$txt" ||
	ocm_fail "occtl show iroutes: expected gw with 198.18.200.0/255.255.255.0, got: $txt"
grep -q 'gw .*2001:db8:200::/64' <<<"$txt" ||
	ocm_fail "occtl show iroutes: expected gw with 2001:db8:200::/64, got: $txt"
js=$(ops_occtl -j show iroutes) || ocm_fail "occtl -j show iroutes failed"
got=$(ops_py user-field gw iRoutes <<<"$js")
grep -q '198.18.200.0/255.255.255.0' <<<"$got" ||
	ocm_fail "occtl -j show iroutes: expected gw's iRoutes, got: $js"
ocm_ok "occtl show iroutes lists gw's networks"

# Another user is not pushed the iroute, and has none listed.
ocm_connect c2 other 'Iroute-Pass-2'
i6_split_routes c2 | grep -q '198.18.200' && ocm_fail "other: was pushed gw's iroute"
txt=$(ops_occtl show iroutes)
grep -q ' other ' <<<"$txt" && ocm_fail "occtl show iroutes: other has no iroutes: $txt"
ocm_ok "other: not pushed the iroute"

ocm_stop_client c1
ocm_wait 10 "iroute route removed" srv_no_route -4 198.18.200.0/24 ||
	ocm_fail "server: 198.18.200.0/24 still routed via ocmtun after gw logged off"
srv_no_route -6 2001:db8:200::/64 || ocm_fail "server: 2001:db8:200::/64 still routed after gw left"
[ "$(lan_ping 198.18.200.2)" -eq 0 ] || ocm_fail "198.18.200.2 still reachable after gw left"
ocm_ok "gw left: the iroute's kernel routes are gone"
ocm_server_alive || ocm_fail "server exited"
