#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deny-roaming over DTLS: openconnect is connected over DTLS with `deny-roaming = true`; its
# address moves (198.18.0.2 -> 198.18.2.2, as in 34-dtls-roaming.sh). Its DTLS ClientHellos
# (and records) from the new address must be refused: no second DTLS establishment, on either
# side, and (ours) the server logs the refusal. A CSTP reconnect from there is refused too.
# Usage: 36-dtls-deny-roaming.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

DPD=3
WATCH=25
NEW_IP=198.18.2.2

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Deny-1'
ocm_dtls_config "dpd = $DPD" "mobile-dpd = $DPD" "keepalive = $DPD" "deny-roaming = true"
ocm_start_server
ocm_connect c1 test 'Dtls-Deny-1'
ocm_wait_dtls c1 20
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
ocm_expect_ping cli "before the move" "$OCM_LAN_IP" -I "$a4"
n_cli=$(ocm_dtls_count c1)
n_srv=0
ocm_is_ours && n_srv=$(grep -c 'DTLS established' "$OCM_WORK/server.log")

ip -n "$OCM_NS_CLI" addr del 198.18.0.2/30 dev v0 || ocm_fail "deleting 198.18.0.2 from the client"
ip -n "$OCM_NS_CLI" addr add "$NEW_IP/30" dev v0 || ocm_fail "adding $NEW_IP"
ip -n "$OCM_NS_CLI" route add "$OCM_SRV_IP/32" dev v0 src "$NEW_IP" || ocm_fail "client route"
ip -n "$OCM_NS_SRV" route add 198.18.2.0/30 dev v0 || ocm_fail "server route"
ocm_ok "client moved from 198.18.0.2 to $NEW_IP"

if ocm_is_ours; then
	ocm_wait "$WATCH" "deny-roaming refusal" grep -q 'deny-roaming: DTLS from another address refused' "$OCM_WORK/server.log" ||
		ocm_fail "expected the server to log 'deny-roaming: DTLS from another address refused' within $WATCH s of the move, got: $(grep -iE 'dtls|roam' "$OCM_WORK/server.log" | tail -n 3)"
	ocm_ok "server: $(grep -m1 -o 'deny-roaming: DTLS.*' "$OCM_WORK/server.log")"
fi
# Give openconnect time for its DTLS DPD to fail and a few re-handshakes from the new address.
sleep 10
[ "$(ocm_dtls_count c1)" = "$n_cli" ] ||
	ocm_fail "expected no new DTLS establishment after the move (deny-roaming), got: $(ocm_dtls_line c1)"
if ocm_is_ours; then
	m=$(grep -c 'DTLS established' "$OCM_WORK/server.log")
	[ "$m" = "$n_srv" ] ||
		ocm_fail "expected no 'DTLS established' in the server log after the move, got $m (was $n_srv): $(grep 'DTLS established' "$OCM_WORK/server.log" | tail -n1)"
	! grep -q "conn $NEW_IP:.*tunnel up" "$OCM_WORK/server.log" ||
		ocm_fail "expected no tunnel from $NEW_IP (deny-roaming), got: $(grep "conn $NEW_IP:.*tunnel up" "$OCM_WORK/server.log")"
fi
ocm_ok "roaming refused: no DTLS (and no tunnel) from $NEW_IP"
ocm_server_alive || ocm_fail "server exited"
