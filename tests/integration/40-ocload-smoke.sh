#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocload against the real server: 50 emulated clients (TLS + XML auth + CONNECT + DTLS-PSK)
# for 10 s, each pinging the server's own TUN address every 200 ms. Every handshake must
# succeed, every session must still be up at the end, and the pings must be answered.
# Usage: 40-ocload-smoke.sh [SERVER-BINARY [SOURCE-DIR]]   (OCM_OCLOAD_BIN overrides the tool)
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

CLIENTS=${OCM_OCLOAD_CLIENTS:-50}

ocm_init jq
OCLOAD=${OCM_OCLOAD_BIN:-$(dirname "${OCM_SERVER_BIN:-/nonexistent}")/../tools/ocload/ocload}
[ -x "$OCLOAD" ] || ocm_missing "ocload not built at $OCLOAD"
ocm_setup_net
ocm_make_certs
ocm_add_user load 'Load-Pass-1'
# A /16 pool from 198.18.0.0/15, DTLS on, room for every client; one source address opens
# every connection, so the per-source ban score and rate limit are off.
ocm_write_config "ipv4-network = 198.19.0.0/16" "max-clients = $((CLIENTS + 16))" \
	"udp-port = $OCM_PORT" "max-ban-score = 0" "rate-limit-ms = 0"
ocm_start_server

out="$OCM_WORK/ocload.json"
ocm_log "ocload: $CLIENTS clients, DTLS, 10 s"
ocm_in cli timeout 60 "$OCLOAD" --server "$OCM_SRV_IP:$OCM_PORT" --servercert "$OCM_PIN" \
	--user load --password 'Load-Pass-1' --clients "$CLIENTS" --rate 50 --duration 10 \
	--dtls --ping-interval 200 --payload 64 --json --verbose >"$out" 2>"$OCM_WORK/ocload.log"
rc=$?
ocm_log "ocload exit $rc: $(cat "$out")"
[ -s "$out" ] || ocm_fail "ocload printed no summary (exit $rc): $(tail -n 5 "$OCM_WORK/ocload.log")"

j() { jq -r "$1" "$out"; }
[ "$(j .handshakes)" = "$CLIENTS" ] ||
	ocm_fail "expected $CLIENTS full handshakes, got $(j .handshakes) (failed: $(jq -c .failed "$out"))"
[ "$(j .dtls_up)" = "$CLIENTS" ] || ocm_fail "expected $CLIENTS DTLS channels, got $(j .dtls_up)"
[ "$(j .failed_total)" = 0 ] || ocm_fail "expected no failures, got $(jq -c .failed "$out")"
[ "$(j .alive_end)" = "$CLIENTS" ] ||
	ocm_fail "expected $CLIENTS sessions alive at the end, got $(j .alive_end)"
sent=$(j .pings.sent)
answered=$(j .pings.answered)
# Pings still in flight when the run stops are not answered: allow 2 per client.
[ "$sent" -gt 0 ] && [ "$answered" -ge $((sent - 2 * CLIENTS)) ] ||
	ocm_fail "expected pings answered, got $answered of $sent"
[ "$rc" -eq 0 ] || ocm_fail "expected ocload exit 0, got $rc"
ocm_ok "$(j .handshakes) handshakes ($(j .handshakes_per_s)/s), $answered/$sent pings, rtt p50 $(j .pings.rtt_ms.p50) ms p99 $(j .pings.rtt_ms.p99) ms"
ocm_server_alive || ocm_fail "server exited"
