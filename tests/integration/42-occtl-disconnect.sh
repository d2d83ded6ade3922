#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# occtl: `disconnect user` drops the connection but keeps the session, so openconnect
# reconnects by itself with the same addresses; `terminate user` ends the session: openconnect
# gives up and the saved cookie is refused. Unknown users/ids are refused.
# Usage: 42-occtl-disconnect.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Disc-Pass-1'
ops_write_config
ocm_start_server

out=$(timeout 30 ip netns exec "$OCM_NS_CLI" openconnect --authenticate --non-inter \
	--servercert "$OCM_PIN" --user alice --passwd-on-stdin "https://$OCM_SRV_IP:$OCM_PORT" \
	<<<'Disc-Pass-1' 2>"$OCM_WORK/authenticate.log") ||
	ocm_fail "expected openconnect --authenticate to succeed"
cookie=$(sed -n "s/^COOKIE='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" <<<"$out")
[ ${#cookie} -ge 16 ] || ocm_fail "expected a cookie of >= 16 characters, got ${#cookie}"

ocm_connect c1 alice "$cookie" --cookie-on-stdin
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
ocm_wait 10 "alice in show users" ops_user_present alice || ocm_fail "expected alice in show users"
conns0=$(ops_server_conns 198.18.0.2)

# --- disconnect: the client comes back by itself ---
# The ID is the session's (it survives the reconnect), so count tunnels in the server log.
tunnels() { grep -c ", alice): tunnel up" "$OCM_WORK/server.log"; }
t0=$(tunnels)
rc=0
msg=$(ops_occtl disconnect user alice 2>&1) || rc=$?
[ "$rc" -eq 0 ] || ocm_fail "occtl disconnect user alice: expected exit 0, got $rc: $msg"
back() { [ "$(tunnels)" -gt "$t0" ] && ops_user_present alice; }
ocm_wait 40 "alice back with a new tunnel" back ||
	ocm_fail "after disconnect: expected a new tunnel of alice in the server log and alice in show users within 40 s; tunnels $t0 -> $(tunnels), show users: $(ops_user_field alice Username) (openconnect $(ocm_alive "${OCM_CLIENT_PID[c1]}" && echo running || echo exited))"
grep -q "alice): closed: disconnected by the operator" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'closed: disconnected by the operator' in the server log"
ocm_alive "${OCM_CLIENT_PID[c1]}" || ocm_fail "expected openconnect to survive a disconnect, it exited"
conns1=$(ops_server_conns 198.18.0.2)
[ "$conns1" -gt "$conns0" ] ||
	ocm_fail "expected a new connection from 198.18.0.2 in the server log after the disconnect ($conns0 before, got $conns1)"
b4=$(ops_user_field alice IPv4)
b6=$(ops_user_field alice IPv6)
[ "$b4" = "$a4" ] || ocm_fail "after the reconnect: expected IPv4 $a4, got $b4"
[ "${b6%/*}" = "${a6%/*}" ] || ocm_fail "after the reconnect: expected IPv6 $a6, got $b6"
ocm_wait 15 "ping through the reconnected tunnel" ocm_in cli ping -c1 -W1 -q "$OCM_LAN_IP" ||
	ocm_fail "expected ping to $OCM_LAN_IP through the reconnected tunnel to work"
ocm_ok "disconnect: openconnect reconnected by itself (tunnels $t0 -> $(tunnels)), same $b4 $b6"
active=$(ops_status_field "Active sessions")
[ "$active" = 1 ] || ocm_fail "after the reconnect: expected 'Active sessions' 1, got '$active'"

# --- terminate: session ended, the cookie is dead ---
rc=0
msg=$(ops_occtl terminate user alice 2>&1) || rc=$?
[ "$rc" -eq 0 ] || ocm_fail "occtl terminate user alice: expected exit 0, got $rc: $msg"
ocm_wait 60 "openconnect to give up" ocm_client_exited c1 ||
	ocm_fail "after terminate: expected openconnect to exit within 60 s (cookie refused), it still runs"
ocm_ok "terminate: openconnect exited ($(grep -iE 'cookie|401|terminat|fail' "$OCM_WORK/client-c1.log" | tail -n1))"
! ops_user_present alice || ocm_fail "after terminate: expected alice gone from show users"
ocm_start_client c2 alice "$cookie" --cookie-on-stdin
if ocm_wait_tunnel c2 15; then
	ocm_fail "after terminate: expected the saved cookie to be refused, but a tunnel came up"
fi
ocm_ok "terminate: the saved cookie is refused"

# (occtl exits 0 for an unknown user but 1 for an unknown id; only the message is checked.)
msg=$(ops_occtl disconnect user nosuchuser 2>&1)
[[ $msg == *"could not disconnect user"* ]] ||
	ocm_fail "occtl disconnect user nosuchuser: expected 'could not disconnect user', got: $msg"
rc=0
msg=$(ops_occtl terminate id 999999 2>&1) || rc=$?
[ "$rc" -eq 1 ] || ocm_fail "occtl terminate id 999999: expected exit 1, got $rc: $msg"
ocm_ok "unknown user refused, unknown id: exit 1"
# A fresh login still works.
ocm_connect c3 alice 'Disc-Pass-1'
ocm_server_alive || ocm_fail "server exited"
