#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Timeouts of a live tunnel. idle-timeout = 3: traffic keeps the tunnel up past it; once the
# traffic stops the server sends DISCONNECT, logs "idle timeout" and openconnect exits.
# session-timeout = 6: even with traffic the server ends the session at 6 s (TERMINATE, "session
# timeout") and the cookie does not work any more.
# Usage: 28-cstp-timeouts.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_is_ours || ocm_skip "ocserv-modern only (its log lines)"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Timeout-Pass-1'

# --- idle-timeout ---
ocm_write_config "idle-timeout = 3" "mobile-idle-timeout = 3"
ocm_start_server
ocm_connect i1 test 'Timeout-Pass-1'
out=$(ocm_in cli timeout 20 ping -n -c 12 -i 0.5 -W 2 "$OCM_LAN_IP" 2>&1)
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${got:-0}" -ge 11 ] || ocm_fail "idle: expected traffic (6 s > idle-timeout 3) to keep the tunnel, got ${got:-0}/12 replies"
ocm_client_exited i1 && ocm_fail "idle: openconnect exited while traffic was flowing"
grep -q 'idle timeout' "$OCM_WORK/server.log" && ocm_fail "idle: kicked although traffic was flowing"
ocm_ok "idle: 6 s of traffic kept the tunnel ($got/12 replies)"
t0=$SECONDS
ocm_wait 15 "idle disconnect" ocm_client_exited i1 ||
	ocm_fail "idle: expected openconnect to be disconnected within 15 s of silence (idle-timeout 3)"
dt=$((SECONDS - t0))
grep -q 'closed: idle timeout' "$OCM_WORK/server.log" ||
	ocm_fail "idle: expected 'closed: idle timeout' in the server log"
[ "$dt" -ge 2 ] || ocm_fail "idle: disconnected after ${dt} s of silence, before the 3 s idle-timeout"
ocm_ok "idle: disconnected ${dt} s after the traffic stopped, server logged 'idle timeout'"
ocm_check_server_exit || exit 1
mv "$OCM_WORK/server.log" "$OCM_WORK/server-idle.log"

# --- session-timeout ---
ocm_write_config "session-timeout = 6"
ocm_start_server
out=$(timeout 30 ip netns exec "$OCM_NS_CLI" openconnect --authenticate --non-inter \
	--servercert "$OCM_PIN" --user test --passwd-on-stdin "https://$OCM_SRV_IP:$OCM_PORT" \
	<<<'Timeout-Pass-1' 2>>"$OCM_WORK/authenticate.log")
cookie=$(sed -n "s/^COOKIE='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" <<<"$out")
[ -n "$cookie" ] || ocm_fail "session: no cookie from --authenticate"
t0=$SECONDS
ocm_connect s1 test "$cookie" --cookie-on-stdin
ocm_bg cli "$OCM_WORK/session-ping.txt" ping -n -i 0.5 -w 20 "$OCM_LAN_IP"
ocm_wait 20 "session-timeout disconnect" ocm_client_exited s1 ||
	ocm_fail "session: expected the session to end within 20 s (session-timeout 6)"
dt=$((SECONDS - t0))
grep -q 'closed: session timeout' "$OCM_WORK/server.log" ||
	ocm_fail "session: expected 'closed: session timeout' in the server log"
[ "$dt" -ge 5 ] || ocm_fail "session: ended after ${dt} s, before the 6 s session-timeout"
ocm_ok "session: ended ${dt} s after login despite traffic, server logged 'session timeout'"
ocm_start_client s2 test "$cookie" --cookie-on-stdin
if ocm_wait_tunnel s2 10; then
	ocm_fail "session: expected the expired session's cookie to be refused, a tunnel came up"
fi
ocm_ok "session: the expired cookie is refused"
ocm_server_alive || ocm_fail "server exited"
