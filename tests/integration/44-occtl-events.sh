#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# occtl show events: a subscriber sees a client's tunnel come up and go down, with its user,
# addresses and the disconnect reason.
# Usage: 44-occtl-events.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
ocm_setup_net
ocm_make_certs
ops_add_user alice 'Events-Pass-1' engineering
ops_write_config
ocm_start_server

events=$OCM_WORK/events.txt
# The subscriber runs until the test ends (bounded by timeout); its output is the evidence.
timeout 60 "$OCM_OCCTL_BIN" -s "$OCM_OCCTL_SOCK" show events >"$events" 2>&1 </dev/null &
OCM_PIDS+=($!)
ocm_wait 5 "the events subscriber" grep -q "Press" "$events" ||
	ocm_fail "occtl show events: expected its banner, got: $(head -c 300 "$events")"

ocm_connect c1 alice 'Events-Pass-1'
tun4=$(ip -n "$OCM_NS_CLI" -4 -o addr show dev oc-c1 | awk '{print $4}' | cut -d/ -f1 | head -n1)
ocm_wait 10 "a connect event" grep -q "connected user 'alice'" "$events" ||
	ocm_fail "expected \"connected user 'alice'\" in show events, got: $(cat "$events")"
grep "connected user 'alice'" "$events" | grep -q "with IP $tun4" ||
	ocm_fail "expected the connect event to carry IP $tun4, got: $(grep alice "$events")"
ocm_ok "connect event: $(grep "connected user 'alice'" "$events" | head -n1)"

sleep 3 # the disconnect must say how long the tunnel lasted, not "0s"
ocm_stop_client c1
ocm_wait 10 "a disconnect event" grep -q "disconnect user 'alice'" "$events" ||
	ocm_fail "expected \"disconnect user 'alice'\" in show events, got: $(cat "$events")"
grep "disconnect user 'alice'" "$events" | grep -q "reason:" ||
	ocm_fail "expected a reason on the disconnect event, got: $(grep disconnect "$events")"
secs=$(grep "disconnect user 'alice'" "$events" | sed -n 's/.*time: *\([0-9]\+\)s).*/\1/p' | head -n1)
[ "${secs:-0}" -ge 3 ] ||
	ocm_fail "expected the disconnect event's time to be >= 3s (the tunnel's life), got: $(grep disconnect "$events")"
ocm_ok "disconnect event: $(grep "disconnect user 'alice'" "$events" | head -n1)"
echo "[44-occtl-events] PASS ($OCM_SERVER)"
