#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs ocload against ocserv-modern in throw-away network namespaces (the integration tests'
# lib/netns.sh): a /16 pool from 198.18.0.0/15, DTLS on, max-clients sized for the run.
# Usage (root): netns-run.sh SERVER-BIN OCLOAD-BIN MAX-CLIENTS [ocload options...]
# The server, user, password and pin are filled in; add --clients, --rate, --duration, ….
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: $0 SERVER-BIN OCLOAD-BIN MAX-CLIENTS [ocload options]" >&2; exit 2; }
server=$1 ocload=$2 max=$3
shift 3
args=("$@")
src=$(cd "$(dirname "$0")/../.." && pwd)
set -- "$server" "$src"
# shellcheck source=../../tests/integration/lib/netns.sh
. "$src/tests/integration/lib/netns.sh"
OCM_CHECK_EXIT=0 # a load run is not a shutdown test

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user load 'Load-Pass-1'
# One source address for every client: the per-source limits must be off (ours only).
ours=()
ocm_is_ours && ours=("per-source-connect-rate = 0" "metrics-listen = 127.0.0.1:9812" ${OCL_EXTRA_CONF:+"$OCL_EXTRA_CONF"})
ocm_write_config "ipv4-network = 198.19.0.0/16" "max-clients = $((max + 16))" \
	"udp-port = $OCM_PORT" "cookie-timeout = 300" "max-ban-score = 0" "rate-limit-ms = 0" \
	"${ours[@]}"
ocm_start_server
ocm_in cli "$ocload" --server "$OCM_SRV_IP:$OCM_PORT" --servercert "$OCM_PIN" \
	--user load --password 'Load-Pass-1' "${args[@]}"
rc=$?
ocm_log "ocload exit $rc; server rss $(ps -o rss= -p "$OCM_SERVER_PID") KiB, $(ls /proc/"$OCM_SERVER_PID"/fd | wc -l) fds"
grep -m1 -E 'DTLS steering' "$OCM_WORK/server.log" >&2
! ocm_is_ours || ocm_in srv curl -s http://127.0.0.1:9812/metrics |
	grep -E '^ocserv_modern_dtls_(handovers|fallbacks)' >&2
grep -cE ' (err|crit|alert|emerg): ' "$OCM_WORK/server.log" | xargs -I{} echo "server error lines: {}" >&2
grep -E ' (err|crit): ' "$OCM_WORK/server.log" | sort | uniq -c | sort -rn | head -5 >&2
exit 0
