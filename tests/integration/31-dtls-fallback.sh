#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DTLS -> TLS -> DTLS: with a steady ping through a DTLS tunnel, UDP to/from the server port is
# silently dropped in the client namespace (nftables netdev egress/ingress on the client veth).
# The ping must keep answering over TLS (bounded loss while DPD notices), then, once the rule
# is removed, openconnect's periodic retry (every 60 s) must bring DTLS back: a second
# "Established DTLS connection", the server logs it, and UDP counters grow again.
# Usage: 31-dtls-fallback.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

DPD=3
INTERVAL=0.2
# Loss allowed while switching to TLS: DPD needs 2-3 x dpd to declare DTLS dead (+ slack).
MAX_LOST=$((6 * DPD * 5 + 10))
# openconnect retries DTLS every 60 s (dtls_attempt_period, not settable from the command line).
BACK_WITHIN=100
# Keep UDP blocked this long: longer than openconnect's ~12 s handshake attempt, so DTLS comes
# back through the periodic retry, not an attempt started before the unblock.
HOLD=${OCM_DTLS_BLOCK_SECONDS:-20}

ocm_init nft
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Fb-1'
ocm_dtls_config "dpd = $DPD" "mobile-dpd = $DPD" "keepalive = $DPD" "switch-to-tcp-timeout = 10"
ocm_start_server
ocm_connect c1 test 'Dtls-Fb-1'
ocm_wait_dtls c1 20
ocm_expect_ping cli "over DTLS" "$OCM_LAN_IP"

ocm_bg cli "$OCM_WORK/steady-ping.txt" ping -n -i "$INTERVAL" -W 2 -w 200 "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID
sleep 2

block()
{
	ocm_in cli nft -f - <<EOF
table netdev ocm_dtls_block {
	chain egress { type filter hook egress device "v0" priority 0; udp dport $OCM_UDP_PORT counter drop; }
	chain ingress { type filter hook ingress device "v0" priority 0; udp sport $OCM_UDP_PORT counter drop; }
}
EOF
}
block || ocm_fail "nft: could not add the UDP drop rule in the client namespace"
blocked_at=$SECONDS
ocm_ok "UDP port $OCM_UDP_PORT dropped both ways on the client veth"

# The server notices (3 x DPD silence, switch-to-tcp-timeout or CSTP data from the client).
if ocm_is_ours; then
	ocm_wait $((6 * DPD + 15)) "server falls back" grep -q 'falling back to TLS' "$OCM_WORK/server.log" ||
		ocm_fail "expected the server to log '… falling back to TLS' within $((6 * DPD + 15)) s of the UDP drop, not found"
	ocm_ok "server: $(grep -m1 -o '[^]]*falling back to TLS' "$OCM_WORK/server.log") after $((SECONDS - blocked_at)) s"
fi
# Traffic flows over TLS now: a ping answers and the TLS connection carries it.
ocm_wait $((6 * DPD + 15)) "ping over TLS" ocm_in cli ping -n -c1 -W1 -q "$OCM_LAN_IP" ||
	ocm_fail "expected pings to answer over TLS within $((6 * DPD + 15)) s of the UDP drop, none did"
tcp0=$(ocm_tcp_bytes_received srv "$OCM_PORT")
got=$(ocm_ping_count cli "$OCM_LAN_IP" 10 -i 0.2)
tcp1=$(ocm_tcp_bytes_received srv "$OCM_PORT")
[ "$got" -ge 9 ] || ocm_fail "expected >= 9 of 10 pings to answer over TLS, got $got"
[ $((tcp1 - tcp0)) -ge 500 ] ||
	ocm_fail "expected the pings to travel over the TLS connection, it received only $((tcp1 - tcp0)) bytes"
drops=$(ocm_in cli nft list table netdev ocm_dtls_block | grep -o 'packets [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
ocm_ok "over TLS $((SECONDS - blocked_at)) s after the drop: $got/10 replies, TLS +$((tcp1 - tcp0)) bytes, $drops UDP packets dropped"

while [ $((SECONDS - blocked_at)) -lt "$HOLD" ]; do sleep 1; done
ocm_in cli nft delete table netdev ocm_dtls_block || ocm_fail "nft: could not remove the rule"
unblocked_at=$SECONDS
ocm_ok "UDP unblocked; waiting up to $BACK_WITHIN s for openconnect's DTLS retry"
ocm_wait_dtls c1 "$BACK_WITHIN" 2
ocm_ok "DTLS back $((SECONDS - unblocked_at)) s after unblocking"
if ocm_is_ours; then
	ocm_wait 10 "server DTLS again" sh -c "grep -q 'DTLS active again' '$OCM_WORK/server.log' || [ \$(grep -c 'DTLS established' '$OCM_WORK/server.log') -ge 2 ]" ||
		ocm_fail "expected 'DTLS active again' or a second 'DTLS established' in the server log, got: $(grep -E 'DTLS' "$OCM_WORK/server.log" | tail -n 5)"
	ocm_ok "server: $(grep -E 'DTLS active again|DTLS established' "$OCM_WORK/server.log" | tail -n1)"
fi
sleep 1
in0=$(ocm_udp_stat srv InDatagrams)
got=$(ocm_ping_count cli "$OCM_LAN_IP" 20 -i 0.1)
in1=$(ocm_udp_stat srv InDatagrams)
[ "$got" -ge 19 ] || ocm_fail "expected >= 19 of 20 pings after DTLS came back, got $got"
[ $((in1 - in0)) -ge 20 ] ||
	ocm_fail "expected the pings over UDP again (InDatagrams +20), got +$((in1 - in0))"
ocm_ok "back on DTLS: $got/20 replies, InDatagrams +$((in1 - in0))"

kill -INT "$ping_pid" 2>/dev/null
wait "$ping_pid" 2>/dev/null
stats=$(grep 'packets transmitted' "$OCM_WORK/steady-ping.txt")
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' <<<"$stats")
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$stats")
[ -n "$sent" ] && [ -n "$recv" ] || ocm_fail "steady ping: no statistics: $(tail -n 3 "$OCM_WORK/steady-ping.txt")"
lost=$((sent - recv))
[ "$lost" -le "$MAX_LOST" ] ||
	ocm_fail "steady ping: expected <= $MAX_LOST lost (one DPD switch of ~$((6 * DPD)) s at ${INTERVAL} s intervals), got $lost of $sent"
ocm_ok "steady ping through both switches: $recv/$sent answered, $lost lost (bound $MAX_LOST)"
ocm_alive "${OCM_CLIENT_PID[c1]}" || ocm_fail "openconnect exited"
ocm_server_alive || ocm_fail "server exited"
