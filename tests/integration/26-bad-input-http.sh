#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input, HTTP and handshake side (lib/badinput_http.py): pipelined requests in both
# timings (same read; while a login waits for its verdict) are answered in order and the early
# one refused, the 17th request on a connection gets 429, XML that is not well-formed or has
# duplicate fields is refused end to end, and a TCP client that stalls half-way through its
# ClientHello is closed at the handshake deadline. Each case checks its server log line; then
# every worker must still serve fresh tunnels, and a client connected beforehand keeps pinging.
# Usage: 26-bad-input-http.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

WORKERS=2
ocm_init
ocm_is_ours || ocm_skip "ocserv-modern only (its log lines)"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Http-Pass-1'
ocm_add_user hostile 'Hostile-Pass-1'
# A user whose SHA-256 crypt hash takes seconds: a login that stays in the auth wait.
slow_hash=$(ocm_python -c 'import crypt; print(crypt.crypt("Slow-Pass-1", "$5$rounds=9000000$ocmslowsalt$"))' 2>/dev/null)
[[ $slow_hash == '$5$rounds=9000000$'* ]] || ocm_fail "could not make the slow hash: '$slow_hash'"
echo "slow:*:$slow_hash" >>"$OCM_WORK/ocpasswd"
ocm_write_config "worker-threads = $WORKERS" "max-ban-score = 0"
ocm_start_server
ocm_connect good test 'Http-Pass-1'

ocm_bg cli "$OCM_WORK/background-ping.txt" ping -n -i 0.5 -w 300 "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID

ocm_in cli timeout 200 "$(command -v /usr/bin/python3 || command -v python3)" \
	"$OCM_LIB_DIR/badinput_http.py" --host "$OCM_SRV_IP" --port "$OCM_PORT" \
	--ca "$OCM_WORK/certs/ca.pem" --user hostile --password 'Hostile-Pass-1' \
	--slow-user slow --slow-password 'Slow-Pass-1' --server-log "$OCM_WORK/server.log" \
	--workers "$WORKERS" --handshake-timeout 30 ${OCM_BADINPUT_ONLY:+--only "$OCM_BADINPUT_ONLY"}
rc=$?

ocm_server_alive || ocm_fail "expected the server to survive the bad input; pid $OCM_SERVER_PID is gone"
ocm_alive "${OCM_CLIENT_PID[good]}" ||
	ocm_fail "expected the well-behaved client to stay connected; openconnect exited"
kill -INT "$ping_pid" 2>/dev/null
wait "$ping_pid" 2>/dev/null
stats=$(grep 'packets transmitted' "$OCM_WORK/background-ping.txt")
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' <<<"$stats")
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$stats")
[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ $((got * 100 / sent)) -ge 90 ] ||
	ocm_fail "expected >= 90% of background pings answered during the attack, got '$stats'"
ocm_ok "background ping during the attack: $stats"
[ "$rc" -eq 0 ] || ocm_fail "badinput_http.py reported failed cases (exit $rc), see above"
ocm_ok "all HTTP/handshake bad-input cases handled, every worker serves, good client alive"
