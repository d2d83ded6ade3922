#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: a hostile TLS client (lib/badinput.py) sends malformed HTTP, oversized and too
# many headers, a slowloris, XML with DTDs/entities, bad cookies and lying CSTP frames. Each
# must be rejected, while the server stays up and a client connected beforehand keeps pinging.
# Usage: 25-bad-input.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

AUTH_TIMEOUT=15

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Bad-Pass-1'
ocm_add_user hostile 'Hostile-Pass-1'
ocm_write_config "auth-timeout = $AUTH_TIMEOUT"
ocm_start_server
ocm_connect good test 'Bad-Pass-1'

# A steady ping through the good tunnel for the whole run (bounded by -w).
ocm_bg cli "$OCM_WORK/background-ping.txt" ping -n -i 0.5 -w 600 "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID

strict=()
ocm_is_ours && strict=(--strict)
ocm_in cli timeout 400 "$(command -v /usr/bin/python3 || command -v python3)" \
	"$OCM_LIB_DIR/badinput.py" --host "$OCM_SRV_IP" --port "$OCM_PORT" \
	--ca "$OCM_WORK/certs/ca.pem" --user hostile --password 'Hostile-Pass-1' \
	--auth-timeout "$AUTH_TIMEOUT" ${OCM_BADINPUT_ONLY:+--only "$OCM_BADINPUT_ONLY"} "${strict[@]}"
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
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping after the attack"
[ "$rc" -eq 0 ] || ocm_fail "badinput.py reported failed cases (exit $rc), see above"
ocm_ok "all bad-input cases rejected, server and good client alive"
