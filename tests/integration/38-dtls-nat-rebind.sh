#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# NAT rebinding: with openconnect up over DTLS, the client's NAT gives its flow a new source
# port (nftables in the client namespace rewrites openconnect's UDP source port P to NEW on the
# way out and NEW back to P on the way in; datagrams the server still sends to P are dropped, as
# behind a NAT whose old mapping expired). The server must follow the channel to the new port
# on its first authenticated record (no new DTLS handshake), and the tunnel keeps carrying
# pings over DTLS. A second openconnect from the same address (users behind one NAT address)
# stays where it is: the record's keys, not the address, pick the session that moves. Ours
# only: the rebinding rules are the server's own.
# Usage: 38-dtls-nat-rebind.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

NEW_PORT=40404
BOUND=20

ocm_init nft
ocm_is_ours || ocm_skip "NAT rebinding is checked for ocserv-modern only"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Rebind-1'
ocm_add_user other 'Dtls-Rebind-2'
# DPD far away: openconnect must not start a new DTLS handshake while the NAT moves.
ocm_dtls_config "dpd = 60" "mobile-dpd = 60" "keepalive = 60"
ocm_start_server
ocm_connect c2 other 'Dtls-Rebind-2'
ocm_wait_dtls c2 20
ocm_connect c1 test 'Dtls-Rebind-1'
ocm_wait_dtls c1 20
ocm_expect_ping cli "over c1's DTLS before the move" "$OCM_LAN_IP" -I oc-c1
ocm_expect_ping cli "over c2's DTLS before the move" "$OCM_LAN_IP" -I oc-c2

# The first address:port of the line is the local one (ss drops the State column here).
# c1's socket: the one openconnect c1 (its PID) holds.
old_port=$(ocm_in cli ss -Hunp "dport = :$OCM_UDP_PORT" | grep "pid=${OCM_CLIENT_PID[c1]}," |
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /:[0-9]+$/) { n = split($i, a, ":"); print a[n]; exit } }')
[ -n "$old_port" ] || ocm_fail "expected openconnect's UDP socket to the server in the client namespace, ss shows: $(ocm_in cli ss -Huan)"
[ "$old_port" != "$NEW_PORT" ] || NEW_PORT=40405
ocm_log "openconnect's DTLS socket: port $old_port; the NAT moves it to $NEW_PORT"

hs0=$(grep -c 'DTLS handshake started' "$OCM_WORK/server.log")
# raw priority: before conntrack, so the client's own conntrack never sees the new port.
ocm_in cli nft -f - <<EOF || ocm_fail "nft rules in the client namespace"
table ip ocm_rebind {
	chain out {
		type filter hook output priority raw; policy accept;
		udp sport $old_port udp dport $OCM_UDP_PORT udp sport set $NEW_PORT
	}
	chain in {
		type filter hook prerouting priority raw; policy accept;
		udp sport $OCM_UDP_PORT udp dport $old_port counter drop
		udp sport $OCM_UDP_PORT udp dport $NEW_PORT udp dport set $old_port
	}
}
EOF
moved_at=$SECONDS
ocm_bg cli "$OCM_WORK/ping-during.txt" ping -n -i 0.2 -W 1 -w "$BOUND" -I oc-c1 "$OCM_LAN_IP"
ocm_bg cli "$OCM_WORK/ping-c2.txt" ping -n -i 0.2 -W 1 -w "$BOUND" -I oc-c2 "$OCM_LAN_IP"
ocm_wait "$BOUND" "the server following the client to port $NEW_PORT" \
	grep -q 'NAT rebinding' "$OCM_WORK/server.log" ||
	ocm_fail "expected the server to log 'client port changed (NAT rebinding)' within $BOUND s, its DTLS lines: $(grep DTLS "$OCM_WORK/server.log" | tail -n 3)"
ocm_ok "server followed the NAT after $((SECONDS - moved_at)) s: $(grep -m1 -o 'DTLS: client port.*' "$OCM_WORK/server.log")"

in0=$(ocm_udp_stat srv InDatagrams)
got=$(ocm_ping_count cli "$OCM_LAN_IP" 50 -i 0.05 -I oc-c1)
in1=$(ocm_udp_stat srv InDatagrams)
[ "$got" -ge 45 ] || ocm_fail "expected >= 45 of 50 pings answered after the rebinding, got $got"
[ $((in1 - in0)) -ge "$got" ] ||
	ocm_fail "expected the pings to travel over DTLS (server Udp InDatagrams +$((in1 - in0)) for $got replies)"
hs1=$(grep -c 'DTLS handshake started' "$OCM_WORK/server.log")
[ "$hs1" = "$hs0" ] ||
	ocm_fail "expected the live channel to move, not a new DTLS handshake ($hs0 -> $hs1 'DTLS handshake started')"
[ "$(ocm_dtls_count c1)" = 1 ] ||
	ocm_fail "expected openconnect to keep its first DTLS session, it logged $(ocm_dtls_count c1) establishments"
ocm_log "datagrams the server sent to the old port (dropped): $(ocm_in cli nft list chain ip ocm_rebind in | grep -o 'packets [0-9]*')"
ocm_ok "after the rebinding: $got/50 pings over DTLS (InDatagrams +$((in1 - in0))), no new handshake"
got2=$(ocm_ping_count cli "$OCM_LAN_IP" 20 -i 0.05 -I oc-c2)
[ "$got2" -ge 18 ] || ocm_fail "expected c2 (same address, not moved) to keep working, got $got2 of 20 pings"
[ "$(grep -c 'NAT rebinding' "$OCM_WORK/server.log")" = 1 ] ||
	ocm_fail "expected exactly one channel to move, the server logged: $(grep 'NAT rebinding' "$OCM_WORK/server.log")"
[ "$(ocm_dtls_count c2)" = 1 ] || ocm_fail "expected c2 to keep its first DTLS session"
ocm_ok "c2 behind the same address: $got2/20 pings, untouched"
ocm_server_alive || ocm_fail "server exited"
