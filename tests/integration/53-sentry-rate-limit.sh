#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rate-limit-ms (as ocserv): one accepted connection per period for the whole server. Six TLS
# handshakes started at once from two client addresses finish about rate-limit-ms apart (the
# others wait in the listen backlog, none is refused); the server keeps serving afterwards.
# Usage: 53-sentry-rate-limit.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

RATE_MS=400
N=6

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Rate-Pass-1'
ops_write_config "rate-limit-ms = $RATE_MS" "max-ban-score = 0"
ocm_start_server

# tls_times HOST SRC COUNT: handshake completion times, one a line, sorted.
tls_times()
{
	ocm_in cli timeout 40 "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" tls-times "$1" "$OCM_PORT" "$3" "$2" 15
}

# Let the rate-limit slot of the probes above (none) and of the listening check pass.
sleep 1
out=$( (tls_times "$OCM_SRV_IP" 198.18.0.2 $((N / 2)) & tls_times "$OCM_SRV_IP_ALT" 198.18.0.6 $((N / 2)) & wait) | sort -n)
ocm_log "handshakes finished at: $(xargs <<<"$out")"
errors=$(grep -c '^error' <<<"$out")
[ "$errors" = 0 ] || ocm_fail "rate-limit-ms: expected every handshake to complete (waiting, not refused), got: $(xargs <<<"$out")"
first=$(head -n1 <<<"$out")
last=$(tail -n1 <<<"$out")
span_ms=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%d", (b - a) * 1000 }')
min_ms=$(((N - 1) * RATE_MS * 8 / 10))
[ "$span_ms" -ge "$min_ms" ] ||
	ocm_fail "rate-limit-ms = $RATE_MS: expected $N simultaneous handshakes spread over >= ${min_ms} ms (one accept per period), got ${span_ms} ms: $(xargs <<<"$out")"
# Consecutive completions are about one period apart: none two within half a period.
close=$(awk -v r="$RATE_MS" 'NR > 1 && ($1 - p) * 1000 < r / 2 { n++ } { p = $1 } END { print n + 0 }' <<<"$out")
[ "$close" = 0 ] ||
	ocm_fail "rate-limit-ms = $RATE_MS: expected handshakes >= $((RATE_MS / 2)) ms apart, $close pairs were closer: $(xargs <<<"$out")"
ocm_ok "$N handshakes spread over ${span_ms} ms (rate-limit-ms $RATE_MS, >= ${min_ms} expected)"

ocm_connect c1 alice 'Rate-Pass-1'
ocm_in cli ping -c2 -i 0.2 -W2 -q "$OCM_LAN_IP" >/dev/null ||
	ocm_fail "expected the tunnel to pass pings after the burst"
ocm_ok "a client connects and its tunnel works after the burst"
ocm_server_alive || ocm_fail "server exited"
