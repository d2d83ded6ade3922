#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DPD: the client's link is cut and openconnect killed without a goodbye. With dpd = 2,
# a short cookie-timeout and max-same-clients = 1, a new login of the same user (over the
# spare link) is refused while the dead session's tunnel lives and accepted once DPD has ended
# that tunnel (ocserv: its worker process exits; ours: the session leaves its place, its
# cookie may still reconnect). Our server must log "DPD timeout".
# Usage: 23-cstp-dpd-free.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

DPD=2
COOKIE_TIMEOUT=5
# ocserv checks DPD every 30 s and keeps cookies 15 s past cookie-timeout: allow for both.
LIMIT=$((3 * DPD + 30 + COOKIE_TIMEOUT + 15 + 30))

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dpd-Pass-1'
ocm_write_config "dpd = $DPD" "mobile-dpd = $DPD" "keepalive = $DPD" \
	"cookie-timeout = $COOKIE_TIMEOUT" "max-same-clients = 1"
ocm_start_server
ocm_connect old test 'Dpd-Pass-1'
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping through the tunnel"

# Cut: deleting the veth removes both ends, so the server's packets to the old client
# vanish silently (no RST can come back) and only DPD can notice.
ip -n "$OCM_NS_CLI" link del v0 || ocm_fail "cutting the client link"
kill -KILL "${OCM_CLIENT_PID[old]}"
wait "${OCM_CLIENT_PID[old]}" 2>/dev/null
cut_at=$SECONDS
ocm_ok "link cut and openconnect killed"

alt_url="https://$OCM_SRV_IP_ALT:$OCM_PORT"
ocm_start_client early test 'Dpd-Pass-1' "$alt_url"
if ocm_wait_tunnel early 10; then
	ocm_fail "expected a second login of 'test' to be refused while the old session lives (max-same-clients = 1), but it connected after $((SECONDS - cut_at)) s"
fi
ocm_stop_client early
why=$(grep -m1 -E 'HTTP/1\.[01] [45][0-9][0-9]|rejected|[Ff]ailed to' "$OCM_WORK/client-early.log")
ocm_ok "second login refused while the old session lives: ${why:-no reason printed}"

n=0
while :; do
	if [ $((SECONDS - cut_at)) -gt "$LIMIT" ]; then
		ocm_fail "expected the session to be freed within $LIMIT s (dpd $DPD, cookie-timeout $COOKIE_TIMEOUT), still refused after $n attempts"
	fi
	n=$((n + 1))
	ocm_start_client "try$n" test 'Dpd-Pass-1' "$alt_url"
	ocm_wait_tunnel "try$n" 10 && break
	ocm_stop_client "try$n"
	sleep 2
done
ocm_ok "login accepted $((SECONDS - cut_at)) s after the cut (attempt $n)"
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping through the new tunnel"

if ocm_is_ours; then
	grep -q 'DPD timeout' "$OCM_WORK/server.log" ||
		ocm_fail "expected 'DPD timeout' in the server log, not found"
	ocm_ok "server logged DPD timeout"
fi
ocm_server_alive || ocm_fail "server exited"
