#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Roaming: with openconnect connected over DTLS, the client's address moves (198.18.0.2 is
# deleted from its veth, 198.18.2.2/30 added with a route to the server). openconnect notices
# and re-handshakes DTLS from the new address; the tunnel must come back within a bound with
# the same VPN IPv4/IPv6 addresses. Then its stale TCP connection is killed (ss -K): openconnect
# reconnects CSTP with its cookie from the new address and must get the same addresses again
# (predictable-ips off: the server must keep the session's lease, not just recompute it).
# Usage: 34-dtls-roaming.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

DPD=3
BOUND=60
NEW_IP=198.18.2.2

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Roam-1'
ocm_add_user other 'Dtls-Roam-2'
ocm_dtls_config "dpd = $DPD" "mobile-dpd = $DPD" "keepalive = $DPD" "predictable-ips = false"
ocm_start_server
# A second user first, so the roaming user's addresses are not simply the pool's first ones.
ocm_connect o1 other 'Dtls-Roam-2'
ocm_connect c1 test 'Dtls-Roam-1'
ocm_wait_dtls c1 20
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
ocm_expect_ping cli "before the move" "$OCM_LAN_IP" -I "$a4"
ocm_stop_client o1 # its addresses are free now: a careless server could hand them out

ip -n "$OCM_NS_CLI" addr del 198.18.0.2/30 dev v0 || ocm_fail "deleting 198.18.0.2 from the client"
ip -n "$OCM_NS_CLI" addr add "$NEW_IP/30" dev v0 || ocm_fail "adding $NEW_IP"
ip -n "$OCM_NS_CLI" route add "$OCM_SRV_IP/32" dev v0 src "$NEW_IP" || ocm_fail "client route"
ip -n "$OCM_NS_SRV" route add 198.18.2.0/30 dev v0 || ocm_fail "server route"
moved_at=$SECONDS
ocm_ok "client moved from 198.18.0.2 to $NEW_IP"

# Back over DTLS from the new address (openconnect logs a second DTLS establishment).
ocm_wait_dtls c1 "$BOUND" 2
ocm_wait $((BOUND - (SECONDS - moved_at) + 5)) "ping after the move" \
	ocm_in cli ping -n -c1 -W1 -q "$OCM_LAN_IP" ||
	ocm_fail "expected the tunnel to carry pings within $BOUND s of the move; none answered"
ocm_ok "tunnel back $((SECONDS - moved_at)) s after the move"
ocm_alive "${OCM_CLIENT_PID[c1]}" || ocm_fail "expected openconnect to stay running, it exited"
b4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
b6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
[ "$a4" = "$b4" ] || ocm_fail "expected the same VPN IPv4 after roaming: $a4, got $b4"
[ "$a6" = "$b6" ] || ocm_fail "expected the same VPN IPv6 after roaming: $a6, got $b6"
ocm_in cli ip -4 addr show dev oc-c1 | grep -q "inet $a4/" ||
	ocm_fail "expected $a4 still on oc-c1, got: $(ocm_in cli ip -4 -br addr show dev oc-c1)"
if ocm_is_ours; then
	# openconnect either re-handshakes DTLS from the new address on the same CSTP session (the
	# server logs the TCP peer, still the old address) or reconnects CSTP from the new one.
	n=$(grep -c 'DTLS established' "$OCM_WORK/server.log")
	[ "$n" -ge 3 ] || grep -q "conn $NEW_IP:.*DTLS established" "$OCM_WORK/server.log" ||
		ocm_fail "expected a new 'DTLS established' in the server log after the move, got: $(grep 'DTLS' "$OCM_WORK/server.log" | tail -n 3)"
	ocm_ok "server: $(grep 'DTLS established' "$OCM_WORK/server.log" | tail -n1)"
fi
ocm_log "client TCP to the server after the move: $(ocm_in cli ss -Htn "dport = :$OCM_PORT" | awk '{ print $1, $4 }' | tr '\n' ' ')"
in0=$(ocm_udp_stat srv InDatagrams)
got=$(ocm_ping_count cli "$OCM_LAN_IP" 20 -i 0.1 -I "$a4")
in1=$(ocm_udp_stat srv InDatagrams)
[ "$got" -ge 19 ] || ocm_fail "expected >= 19 of 20 pings after roaming, got $got"
[ $((in1 - in0)) -ge 20 ] ||
	ocm_fail "expected the pings over UDP after roaming (InDatagrams +20), got +$((in1 - in0))"
got=$(ocm_ping_count lan "$a6" 5 -i 0.2)
[ "$got" -ge 4 ] || ocm_fail "expected lan -> $a6 pings to answer after roaming, got $got/5"
ocm_ok "same addresses $b4 $b6; 20 pings over DTLS from $NEW_IP, IPv6 from the LAN ok"
# Stays up for several DPD periods (a server killing the session on a dead CSTP would show).
got=$(ocm_ping_count cli "$OCM_LAN_IP" 30 -i 0.5 -I "$a4")
[ "$got" -ge 27 ] ||
	ocm_fail "expected >= 27 of 30 pings over $((15 / DPD)) DPD periods after roaming, got $got"
ocm_alive "${OCM_CLIENT_PID[c1]}" || ocm_fail "openconnect exited after roaming"
ocm_ok "stable for 15 s after roaming: $got/30"

# Phase 2: the TLS connection from the old address is dead; kill it (ss -K) so openconnect
# reconnects CSTP with its cookie from the new address: same addresses again, DTLS again.
want=$(($(ocm_dtls_count c1) + 1))
if [ "$(grep -c 'Got CONNECT response' "$OCM_WORK/client-c1.log")" -ge 2 ]; then
	# (Seen with the reference ocserv: openconnect's CSTP DPD already reconnected.)
	ocm_log "openconnect already reconnected CSTP by itself; not killing its connection"
	want=$((want - 1))
else
	ocm_in cli ss -Htn -K "dport = :$OCM_PORT" >/dev/null ||
		ocm_fail "ss -K could not close the client's stale TCP connection"
fi
killed_at=$SECONDS
if ocm_is_ours; then
	ocm_wait "$BOUND" "CSTP reconnect from $NEW_IP" grep -q "conn $NEW_IP:.*tunnel up" "$OCM_WORK/server.log" ||
		ocm_fail "expected openconnect to reconnect CSTP from $NEW_IP within $BOUND s (server 'tunnel up' from it), got: $(grep -E 'tunnel up|closed' "$OCM_WORK/server.log" | tail -n 3)"
	up=$(grep "conn $NEW_IP:.*tunnel up" "$OCM_WORK/server.log" | tail -n1)
	[[ $up == *"ipv4 $a4, ipv6 $a6,"* ]] ||
		ocm_fail "expected the cookie reconnect to get ipv4 $a4, ipv6 $a6, the server logged: $up"
	ocm_ok "server: $up"
fi
ocm_wait_dtls c1 "$BOUND" "$want"
ocm_wait 20 "client script reconnect" grep -q 'reason=reconnect' "$OCM_WORK/client-c1.env" ||
	ocm_fail "expected openconnect to call the script with reason=reconnect after the CSTP reconnect"
b4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
b6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
[ "$a4" = "$b4" ] || ocm_fail "expected the same VPN IPv4 after the CSTP reconnect: $a4, got $b4"
[ "$a6" = "$b6" ] || ocm_fail "expected the same VPN IPv6 after the CSTP reconnect: $a6, got $b6"
ocm_wait 20 "ping after the CSTP reconnect" ocm_in cli ping -n -c1 -W1 -q -I "$a4" "$OCM_LAN_IP" ||
	ocm_fail "expected pings after the CSTP reconnect, none answered within 20 s"
got=$(ocm_ping_count cli "$OCM_LAN_IP" 10 -i 0.2 -I "$a4")
[ "$got" -ge 9 ] || ocm_fail "expected >= 9 of 10 pings after the CSTP reconnect, got $got"
ocm_ok "CSTP reconnected from $NEW_IP in $((SECONDS - killed_at)) s with the same addresses, DTLS again, $got/10 pings"
ocm_server_alive || ocm_fail "server exited"
