#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-user addresses: "fix" (explicit-ipv4/6 in its per-user file) gets exactly those addresses
# and they work both ways; "pool" (its own ipv4-network/ipv6-network) gets a lease from that
# network, which the server serves on its TUN (LAN -> client ping); "dup" asks for fix's
# address while fix holds it and "out" for an address outside every pool: both are refused.
# Usage: 76-peruser-address.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user fix 'Addr-Pass-1'
ocm_add_user pool 'Addr-Pass-2'
ocm_add_user dup 'Addr-Pass-3'
ocm_add_user out 'Addr-Pass-4'
mkdir -p "$OCM_WORK/users"
printf 'explicit-ipv4 = 198.18.100.77\nexplicit-ipv6 = 2001:db8:100::77\n' >"$OCM_WORK/users/fix"
printf 'ipv4-network = 198.18.110.0/24\nipv6-network = 2001:db8:110::/64\n' >"$OCM_WORK/users/pool"
printf 'explicit-ipv4 = 198.18.100.77\n' >"$OCM_WORK/users/dup"
printf 'explicit-ipv4 = 198.18.120.5\n' >"$OCM_WORK/users/out"
ops_write_config "config-per-user = $OCM_WORK/users/"
ocm_start_server

# lan_ping ADDR: replies the LAN host got from ADDR (a client's tunnel address).
lan_ping()
{
	local out
	out=$(ocm_in lan timeout 15 ping -n -q -c 3 -i 0.2 -W 2 "$1" 2>&1)
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | grep . || echo 0
}

ocm_connect c1 fix 'Addr-Pass-1'
i6_expect_var c1 INTERNAL_IP4_ADDRESS 198.18.100.77
i6_expect_var c1 INTERNAL_IP6_ADDRESS 2001:db8:100::77
[ "$(i6_ping_via c1 3)" -ge 2 ] || ocm_fail "expected ping from 198.18.100.77 to $OCM_LAN_IP"
[ "$(lan_ping 198.18.100.77)" -ge 2 ] || ocm_fail "expected the LAN host to reach 198.18.100.77"
out6=$(ocm_in cli timeout 15 ping -6 -n -q -I oc-c1 -c 3 -i 0.2 -W 2 "$OCM_LAN_IP6" 2>&1)
grep -q ' [1-3] received' <<<"$out6" || ocm_fail "expected ping6 from 2001:db8:100::77: $out6"
ip4=$(ops_user_field fix IPv4)
[ "$ip4" = 198.18.100.77 ] || ocm_fail "show users: expected fix's IPv4 198.18.100.77, got '$ip4'"
ocm_ok "fix: explicit addresses work both ways"

ocm_connect c2 pool 'Addr-Pass-2'
a4=$(ocm_client_var c2 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c2 INTERNAL_IP6_ADDRESS)
[[ $a4 == 198.18.110.* ]] || ocm_fail "pool: expected an IPv4 lease from 198.18.110.0/24, got '$a4'"
[[ $a6 == 2001:db8:110:* ]] || ocm_fail "pool: expected an IPv6 lease from 2001:db8:110::/64, got '$a6'"
i6_expect_var c2 INTERNAL_IP4_NETMASK 255.255.255.0
ocm_in srv ip -4 addr show dev ocmtun | grep -q 'inet 198.18.110.1/24' ||
	ocm_fail "server: expected 198.18.110.1/24 on its TUN for pool's network"
[ "$(i6_ping_via c2 3)" -ge 2 ] || ocm_fail "expected ping from $a4 to $OCM_LAN_IP"
[ "$(lan_ping "$a4")" -ge 2 ] || ocm_fail "expected the LAN host to reach $a4 (per-user pool)"
out6=$(ocm_in cli timeout 15 ping -6 -n -q -I oc-c2 -c 3 -i 0.2 -W 2 "$OCM_LAN_IP6" 2>&1)
grep -q ' [1-3] received' <<<"$out6" || ocm_fail "expected ping6 from $a6: $out6"
ocm_ok "pool: lease $a4 $a6 from its own network works both ways"

n=$(i6_log_count "explicit address leased to another session")
ocm_start_client c3 dup 'Addr-Pass-3'
ocm_wait 20 "dup refused" i6_log_grew "explicit address leased to another session" "$n" ||
	ocm_fail "dup: expected a refusal for an address another session holds"
ocm_wait 20 "dup client exits" ocm_client_exited c3 ||
	ocm_fail "dup: openconnect still running after the refusal"
ocm_ok "dup: refused while fix holds 198.18.100.77"

n=$(i6_log_count "explicit address outside the pools")
ocm_start_client c4 out 'Addr-Pass-4'
ocm_wait 20 "out refused" i6_log_grew "explicit address outside the pools" "$n" ||
	ocm_fail "out: expected a refusal for 198.18.120.5 (outside every pool)"
ocm_wait 20 "out client exits" ocm_client_exited c4 ||
	ocm_fail "out: openconnect still running after the refusal"
ocm_ok "out: refused"

# Once fix is gone its address is free again: dup gets it.
ocm_stop_client c1
ocm_wait 20 "fix's session freed" i6_log_grew "(fix): freed" 0 ||
	ocm_fail "fix's session was not freed after it logged off"
ocm_connect c5 dup 'Addr-Pass-3'
i6_expect_var c5 INTERNAL_IP4_ADDRESS 198.18.100.77
ocm_server_alive || ocm_fail "server exited"
