#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# occtl: a connected openconnect client appears in `occtl -j show users` with its Username,
# Groupname (ocpasswd -g), Remote IP and the IPv4/IPv6 of its tun; RX/TX grow by at least the
# bytes of a ping flood; `show status` counts 1 active session.
# Usage: 41-occtl-users.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
ocm_setup_net
ocm_make_certs
ops_add_user alice 'Users-Pass-1' engineering
ops_write_config
ocm_start_server

n=$(ops_occtl -j show users | ops_py count) || ocm_fail "occtl -j show users failed before any login"
[ "$n" = 0 ] || ocm_fail "expected 0 users before the login, got $n"
ocm_connect c1 alice 'Users-Pass-1'
ocm_wait 10 "alice in show users" ops_user_present alice ||
	ocm_fail "expected alice in occtl -j show users, got: $(ops_occtl -j show users 2>&1 | head -c 600)"

# expect_field FIELD EXPECTED
expect_field()
{
	local got
	got=$(ops_user_field alice "$1")
	[ "$got" = "$2" ] || ocm_fail "show users: expected $1 '$2', got '$got'"
	ocm_ok "show users: $1 = $got"
}

tun4=$(ip -n "$OCM_NS_CLI" -4 -o addr show dev oc-c1 | awk '{print $4}' | cut -d/ -f1 | head -n1)
tun6=$(ip -n "$OCM_NS_CLI" -6 -o addr show dev oc-c1 scope global | awk '{print $4}' |
	cut -d/ -f1 | head -n1)
[ -n "$tun4" ] || ocm_fail "expected an IPv4 address on the client's oc-c1, got none"
[ -n "$tun6" ] || ocm_fail "expected a global IPv6 address on the client's oc-c1, got none"
expect_field Username alice
expect_field Groupname engineering
expect_field "Remote IP" 198.18.0.2
expect_field IPv4 "$tun4"
got6=$(ops_user_field alice IPv6)
[ "${got6%/*}" = "$tun6" ] || ocm_fail "show users: expected IPv6 '$tun6' (oc-c1), got '$got6'"
ocm_ok "show users: IPv6 = $got6"

active=$(ops_status_field "Active sessions")
[ "$active" = 1 ] || ocm_fail "show status: expected 'Active sessions' 1, got '$active'"
ocm_ok "show status: Active sessions = 1"
ops_occtl show status | grep -q 'Active sessions: 1' ||
	ocm_fail "occtl show status (text): expected 'Active sessions: 1', got: $(ops_occtl show status | grep -i active)"

rx0=$(ops_user_field alice RX)
tx0=$(ops_user_field alice TX)
# 200 echo requests of 1000 bytes of payload: 1028 bytes of IPv4 packet each way.
out=$(ocm_in cli timeout 60 ping -n -q -c 200 -i 0.01 -s 1000 -W 2 "$OCM_LAN_IP" 2>&1)
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${recv:-0}" -ge 190 ] || ocm_fail "ping flood: expected >= 190 of 200 replies, got ${recv:-0}"
rx1=$(ops_user_field alice RX)
tx1=$(ops_user_field alice TX)
want_rx=$((recv * 1028)) # every answered request reached the server
want_tx=$((recv * 1028))
[ $((rx1 - rx0)) -ge "$want_rx" ] ||
	ocm_fail "show users: expected RX to grow by >= $want_rx bytes ($recv requests answered), got $rx0 -> $rx1 (+$((rx1 - rx0)))"
[ $((tx1 - tx0)) -ge "$want_tx" ] ||
	ocm_fail "show users: expected TX to grow by >= $want_tx bytes ($recv replies), got $tx0 -> $tx1 (+$((tx1 - tx0)))"
ocm_ok "RX $rx0 -> $rx1, TX $tx0 -> $tx1 after 200x1000-byte pings ($recv replies)"

# A second, plain user: two entries, the count follows.
ocm_add_user bob 'Users-Pass-2'
ocm_connect c2 bob 'Users-Pass-2'
ocm_wait 10 "2 active sessions" sh -c "[ \"\$(\"$OCM_OCCTL_BIN\" -s '$OCM_OCCTL_SOCK' -j show status | \
	'$OPS_PYTHON' '$OCM_LIB_DIR/ops.py' obj-field 'Active sessions')\" = 2 ]" ||
	ocm_fail "show status: expected 'Active sessions' 2 with two clients, got '$(ops_status_field "Active sessions")'"
n=$(ops_occtl -j show users | ops_py count)
[ "$n" = 2 ] || ocm_fail "expected 2 entries in show users, got $n"
ocm_ok "two clients: 2 users, Active sessions 2"
ocm_server_alive || ocm_fail "server exited"
