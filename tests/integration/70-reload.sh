#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Reload: with client A connected, a changed `dns` line is applied by `occtl reload` and by
# SIGHUP; A keeps its tunnel (no reconnect, pings keep flowing, old DNS) while new clients get
# the new DNS. A config with a garbage line and a tcp-port change are refused (occtl prints the
# error, the log says "reload refused") and the server keeps serving with the old config.
# Usage: 70-reload.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Reload-Pass-1'
ocm_add_user bob 'Reload-Pass-2'
ops_write_config "dns = 198.18.1.53"
ocm_start_server

RELOADED="configuration reloaded from"
REFUSED="reload refused, configuration unchanged"

ocm_connect a alice 'Reload-Pass-1'
i6_expect_var a INTERNAL_IP4_DNS 198.18.1.53
a4=$(ocm_client_var a INTERNAL_IP4_ADDRESS)
ocm_wait 10 "alice in show users" ops_user_present alice || ocm_fail "expected alice in show users"
a_id=$(ops_user_field alice ID)

# A steady ping through A's tunnel across all the reloads below (stopped with SIGINT).
ocm_bg cli "$OCM_WORK/ping-a.log" ping -n -I oc-a -i 0.2 -c 1000 -w 200 -W 2 "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID
ping_started=$SECONDS

# --- occtl reload with a new DNS server ---
ops_write_config "dns = 198.18.1.54"
r0=$(i6_log_count "$RELOADED")
rc=0
out=$(ops_occtl reload 2>&1) || rc=$?
[ "$rc" -eq 0 ] || ocm_fail "occtl reload: expected exit 0, got $rc: $out"
[[ $out == *"scheduled to reload"* ]] ||
	ocm_fail "occtl reload: expected 'Server scheduled to reload', got: $out"
ocm_wait 10 "'$RELOADED' in the log" i6_log_grew "$RELOADED" "$r0" ||
	ocm_fail "expected '$RELOADED' in the server log after occtl reload"
ocm_ok "occtl reload: $out"

ocm_connect b1 bob 'Reload-Pass-2'
i6_expect_var b1 INTERNAL_IP4_DNS 198.18.1.54
i6_expect_var a INTERNAL_IP4_DNS 198.18.1.53
# occtl shows each session's own DNS: the live one keeps the old, the new one the new.
ocm_wait 10 "bob in show users" ops_user_present bob || ocm_fail "expected bob in show users"
for uv in alice=198.18.1.53 bob=198.18.1.54; do
	got=$(ops_user_field "${uv%%=*}" DNS)
	[ "$got" = "${uv#*=}" ] ||
		ocm_fail "occtl -j show users after the reload: expected ${uv%%=*}'s DNS '${uv#*=}', got '$got'"
	ocm_ok "occtl after the reload: ${uv%%=*} DNS = $got"
done
ocm_stop_client b1

# --- SIGHUP with another DNS server ---
ops_write_config "dns = 198.18.1.55"
r0=$(i6_log_count "$RELOADED")
kill -HUP "$OCM_SERVER_PID" || ocm_fail "kill -HUP $OCM_SERVER_PID"
ocm_wait 10 "'$RELOADED' after SIGHUP" i6_log_grew "$RELOADED" "$r0" ||
	ocm_fail "expected '$RELOADED' in the server log after SIGHUP"
ocm_server_alive || ocm_fail "expected the server to survive SIGHUP, it exited"
ocm_ok "SIGHUP reloaded the configuration"
ocm_connect b2 bob 'Reload-Pass-2'
i6_expect_var b2 INTERNAL_IP4_DNS 198.18.1.55
ocm_stop_client b2

# --- a broken config is refused; the old one (dns .55) stays ---
ops_write_config "dns = 198.18.1.56" "this line is garbage"
f0=$(i6_log_count "$REFUSED")
rc=0
out=$(ops_occtl reload 2>&1) || rc=$?
[ "$rc" -ne 0 ] || ocm_fail "occtl reload of a broken config: expected a non-zero exit, got 0: $out"
[[ $out == *ocserv.conf:*this* ]] ||
	ocm_fail "occtl reload of a broken config: expected the parse error (ocserv.conf:<line>: this…), got: $out"
ocm_wait 10 "'$REFUSED' in the log" i6_log_grew "$REFUSED" "$f0" ||
	ocm_fail "expected '$REFUSED' in the server log after the broken reload"
ocm_ok "broken config refused: occtl said '${out//$'\n'/ | }' (exit $rc)"
f0=$(i6_log_count "$REFUSED")
kill -HUP "$OCM_SERVER_PID" || ocm_fail "kill -HUP $OCM_SERVER_PID"
ocm_wait 10 "'$REFUSED' after SIGHUP" i6_log_grew "$REFUSED" "$f0" ||
	ocm_fail "expected '$REFUSED' in the server log after SIGHUP with a broken config"
ocm_server_alive || ocm_fail "expected the server to survive SIGHUP with a broken config"
ocm_ok "SIGHUP with a broken config refused: $(grep -F "$REFUSED" "$OCM_WORK/server.log" | tail -n1)"
ocm_connect b3 bob 'Reload-Pass-2'
i6_expect_var b3 INTERNAL_IP4_DNS 198.18.1.55
ocm_stop_client b3

# --- a restart-only key (tcp-port) is refused ---
ops_write_config "dns = 198.18.1.57" "tcp-port = $((OCM_PORT + 1))"
f0=$(i6_log_count "$REFUSED")
rc=0
out=$(ops_occtl reload 2>&1) || rc=$?
[ "$rc" -ne 0 ] || ocm_fail "occtl reload with a new tcp-port: expected a non-zero exit, got 0: $out"
[[ $out == *tcp-port*restart* ]] ||
	ocm_fail "occtl reload with a new tcp-port: expected 'tcp-port: changing it needs a restart', got: $out"
ocm_wait 10 "'$REFUSED' in the log" i6_log_grew "$REFUSED" "$f0" ||
	ocm_fail "expected '$REFUSED' in the server log after the tcp-port change"
ocm_ok "tcp-port change refused: $out"
ocm_in srv ss -Htln "sport = :$((OCM_PORT + 1))" | grep -q . &&
	ocm_fail "expected nothing listening on tcp/$((OCM_PORT + 1)) after the refused reload"
ocm_connect b4 bob 'Reload-Pass-2'
i6_expect_var b4 INTERNAL_IP4_DNS 198.18.1.55
ocm_stop_client b4

# --- A was never disturbed ---
ocm_alive "${OCM_CLIENT_PID[a]}" || ocm_fail "expected client A's openconnect to keep running, it exited"
t=$(i6_tunnels alice)
[ "$t" = 1 ] || ocm_fail "expected alice's tunnel to come up once (no reconnect), got $t tunnels in the log"
l=$(i6_log_count "user alice (")
[ "$l" = 1 ] || ocm_fail "expected alice to log in once (no reconnect), got $l logins in the log"
grep -qiE 'reconnect' "$OCM_WORK/client-a.log" &&
	ocm_fail "expected no reconnect in client A's log, got: $(grep -iE 'reconnect' "$OCM_WORK/client-a.log" | head -n3)"
[ "$(ops_user_field alice ID)" = "$a_id" ] ||
	ocm_fail "expected alice's session ID $a_id, got $(ops_user_field alice ID)"
[ "$(ops_user_field alice IPv4)" = "$a4" ] ||
	ocm_fail "expected alice's IPv4 $a4, got $(ops_user_field alice IPv4)"
i6_expect_var a INTERNAL_IP4_DNS 198.18.1.53
# At least 5 s of pings (>= 25 sent at 0.2 s) however fast the reloads went; then SIGINT:
# ping stops and prints its summary.
while [ $((SECONDS - ping_started)) -lt 5 ]; do sleep 0.5; done
kill -INT "$ping_pid" 2>/dev/null
ocm_wait 10 "the background ping to stop" i6_gone "$ping_pid"
wait "$ping_pid" 2>/dev/null
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' "$OCM_WORK/ping-a.log")
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$OCM_WORK/ping-a.log")
[ -n "$sent" ] && [ "${recv:-0}" -ge $((sent * 95 / 100)) ] && [ "$sent" -ge 15 ] ||
	ocm_fail "ping through A during the reloads: expected >= 95% of >= 15 replies, got ${recv:-?} of ${sent:-?}: $(tail -n2 "$OCM_WORK/ping-a.log")"
ocm_ok "A untouched: same session $a_id, one tunnel, old DNS, $recv/$sent pings answered during the reloads"
[ "$(i6_ping_via a 5)" -ge 4 ] || ocm_fail "expected ping through A after the reloads to work"
ocm_server_alive || ocm_fail "server exited"
