#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-user and per-group files: u1's file (config-per-user) adds a route and a DNS server → u1
# gets them (pushed split-includes and its routing table), the lists replacing the global ones;
# u2 (no file) gets the global ones only; u3 (groups eng,ops, none selected) runs in its first
# group "eng" and gets that group's file (config-per-group); a file
# written for u2 while the server runs applies to u2's next session without a reload. occtl shows
# each session's own Routes, DNS, "Restricted to routes" and "Limit RX/TX" (not the global
# ones); u4's "route = default" shows as ocserv's "defaultroute".
# Usage: 71-peruser-route.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user u1 'Route-Pass-1'
ocm_add_user u2 'Route-Pass-2'
ocm_add_user u4 'Route-Pass-4'
ops_add_user u3 'Route-Pass-3' eng,ops # several groups, none picked: the first one
mkdir -p "$OCM_WORK/users" "$OCM_WORK/groups"
cat >"$OCM_WORK/users/u1" <<'EOF'
# u1: an extra IPv4 route and its own DNS server
route = 198.18.1.0/24
route = 198.18.2.0/24
dns = 198.18.1.99
restrict-user-to-routes = true
rx-data-per-sec = 2000000
tx-data-per-sec = 3000000
EOF
printf 'route = default\n' >"$OCM_WORK/users/u4"
cat >"$OCM_WORK/groups/eng" <<'EOF'
route = 198.18.3.0/24
EOF
ops_write_config "config-per-user = $OCM_WORK/users/" "config-per-group = $OCM_WORK/groups/"
ocm_start_server

# expect_routes CLIENT EXPECTED...: the pushed split-include routes, exactly.
expect_routes()
{
	local name=$1 got want
	shift
	got=$(i6_split_routes "$name" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] ||
		ocm_fail "client $name: expected split-include routes '$want', got '$got'"
	ocm_ok "client $name: routes $got"
}

# table_has CLIENT PREFIX yes|no: the client namespace routes PREFIX via oc-CLIENT or not.
table_has()
{
	local r
	r=$(ocm_in cli ip -4 route show dev "oc-$1")
	if grep -q "^${2//./\\.} " <<<"$r"; then
		[ "$3" = yes ] || ocm_fail "client $1: expected no route $2 via oc-$1, got: ${r//$'\n'/; }"
	else
		[ "$3" = no ] || ocm_fail "client $1: expected route $2 via oc-$1, got: ${r//$'\n'/; }"
	fi
}

# expect_occtl USER FIELD EXPECTED: a field of USER's entry in `occtl -j show users`.
expect_occtl()
{
	local got
	got=$(ops_user_field "$1" "$2")
	[ "$got" = "$3" ] || ocm_fail "occtl -j show users: expected $1's $2 '$3', got '$got'"
	ocm_ok "occtl: $1 $2 = $got"
}

ocm_connect c1 u1 'Route-Pass-1'
expect_routes c1 198.18.1.0/24 198.18.2.0/24
i6_expect_var c1 INTERNAL_IP4_DNS 198.18.1.99
table_has c1 198.18.2.0/24 yes
table_has c1 198.18.1.0/24 yes
[ "$(i6_ping_via c1 3)" -ge 2 ] || ocm_fail "expected ping to $OCM_LAN_IP through u1's tunnel"
ocm_wait 10 "u1 in show users" ops_user_present u1 || ocm_fail "expected u1 in occtl show users"
expect_occtl u1 Routes "198.18.1.0/24 198.18.2.0/24"
expect_occtl u1 DNS 198.18.1.99
expect_occtl u1 "Restricted to routes" True
expect_occtl u1 "Limit RX" "2.0 MB/sec"
expect_occtl u1 "Limit TX" "3.0 MB/sec"
expect_occtl u1 "Local Device IP" "$OCM_SRV_IP"
txt=$(ops_occtl show user u1)
grep -qF $'\tLimit RX: 2.0 MB/sec   TX: 3.0 MB/sec' <<<"$txt" ||
	ocm_fail "occtl show user u1: expected 'Limit RX: 2.0 MB/sec   TX: 3.0 MB/sec', got: $(grep -i limit <<<"$txt")"
grep -qF $'\tRoutes: 198.18.1.0/24' <<<"$txt" ||
	ocm_fail "occtl show user u1: expected 'Routes: 198.18.1.0/24', got: $(grep -A2 Routes <<<"$txt")"

ocm_connect c2 u2 'Route-Pass-2'
expect_routes c2 198.18.1.0/24 2001:db8:1::/64
i6_expect_var c2 INTERNAL_IP4_DNS 198.18.1.53
table_has c2 198.18.2.0/24 no
table_has c2 198.18.1.0/24 yes
ocm_wait 10 "u2 in show users" ops_user_present u2 || ocm_fail "expected u2 in occtl show users"
expect_occtl u2 Routes "198.18.1.0/24 2001:db8:1::/64"
expect_occtl u2 DNS 198.18.1.53
expect_occtl u2 "Restricted to routes" False
expect_occtl u2 "Limit RX" ""

ocm_connect c4 u4 'Route-Pass-4'
ocm_wait 10 "u4 in show users" ops_user_present u4 || ocm_fail "expected u4 in occtl show users"
expect_occtl u4 Routes defaultroute
ops_occtl show user u4 | grep -qF $'\tRoutes: defaultroute' ||
	ocm_fail "occtl show user u4: expected 'Routes: defaultroute', got: $(ops_occtl show user u4 | grep Routes)"
ocm_stop_client c4

ocm_connect c3 u3 'Route-Pass-3'
expect_routes c3 198.18.3.0/24
i6_expect_var c3 INTERNAL_IP4_DNS 198.18.1.53
table_has c3 198.18.3.0/24 yes
table_has c3 198.18.2.0/24 no
g=$(ops_user_field u3 Groupname)
[ "$g" = eng ] || ocm_fail "show users: expected u3's Groupname 'eng', got '$g'"

# A file for u2 written now is read at u2's next login (no reload).
printf 'route = 198.18.4.0/24\n' >"$OCM_WORK/users/u2"
ocm_stop_client c2
ocm_connect c2b u2 'Route-Pass-2'
expect_routes c2b 198.18.4.0/24
table_has c2b 198.18.4.0/24 yes
ocm_server_alive || ocm_fail "server exited"
