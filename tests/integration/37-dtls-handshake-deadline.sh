#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A DTLS handshake that never completes is dropped after a fixed deadline (10 s,
# DTLS_HANDSHAKE_DEADLINE_S), not after wolfSSL's retransmissions: the client namespace drops
# every UDP datagram from the server (nftables ingress on the client veth) before openconnect
# connects, so the server sees ClientHellos but the client never answers its HelloVerifyRequest.
# The server must log the drop within the deadline + slack of starting the handshake; the
# tunnel carries traffic over TLS meanwhile. Our server only (the log lines are ours).
# Usage: 37-dtls-handshake-deadline.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

DEADLINE=10
SLACK=3

ocm_init nft
ocm_is_ours || ocm_skip "checks our server's log lines"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Dl-1'
ocm_dtls_config
ocm_start_server
ocm_in cli nft -f - <<EOF2 || ocm_fail "nft: could not add the UDP drop rule in the client namespace"
table netdev ocm_dtls_block {
	chain ingress { type filter hook ingress device "v0" priority 0; udp sport $OCM_UDP_PORT counter drop; }
}
EOF2
ocm_ok "UDP from the server's port $OCM_UDP_PORT dropped on the client veth"
ocm_connect c1 test 'Dtls-Dl-1'
ocm_wait 20 "server starts a DTLS handshake" grep -q 'DTLS handshake started' "$OCM_WORK/server.log" ||
	ocm_fail "expected 'DTLS handshake started' in the server log within 20 s, got: $(grep -i dtls "$OCM_WORK/server.log" | tail -n 3)"
ocm_wait $((DEADLINE + SLACK + 5)) "handshake dropped" grep -q "DTLS handshake not complete after $DEADLINE s: dropped" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'DTLS handshake not complete after $DEADLINE s: dropped' in the server log, got: $(grep -i dtls "$OCM_WORK/server.log" | tail -n 3)"
# The drop must come DEADLINE s after the handshake it ends started (the latest start before it).
ms_of() { awk -F'[:. ]' '{ print ((($1 * 60 + $2) * 60 + $3) * 1000 + $4) }' <<<"$1"; }
drop=$(grep -m1 "DTLS handshake not complete" "$OCM_WORK/server.log")
start=$(sed -n "1,/DTLS handshake not complete/p" "$OCM_WORK/server.log" | grep 'DTLS handshake started' | tail -n1)
t0=$(ms_of "$start")
t1=$(ms_of "$drop")
dt=$((t1 - t0))
[ "$dt" -ge $((DEADLINE * 1000 - 200)) ] && [ "$dt" -le $(((DEADLINE + SLACK) * 1000)) ] ||
	ocm_fail "expected the drop ${DEADLINE}..$((DEADLINE + SLACK)) s after the handshake started, got $dt ms ($start / $drop)"
ocm_ok "stuck handshake dropped after $dt ms"
grep -q 'DTLS established' "$OCM_WORK/server.log" &&
	ocm_fail "expected no DTLS establishment with the server's UDP dropped"
ocm_expect_ping cli "over TLS" "$OCM_LAN_IP"
ocm_server_alive || ocm_fail "server exited"
