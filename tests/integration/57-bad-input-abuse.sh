#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input, abuse cases (lib/abuse.py on top of lib/badinput.py), while a client connected
# beforehand (from the routed 198.18.3.6) keeps pinging through its tunnel:
#  1. HTTP pipelining/desync: CL+TE, obfuscated TE, double Content-Length, a CONNECT with a
#     valid cookie smuggled in a body, CONNECT followed by bytes: no smuggled request served.
#  2. XML auth replies with 100,000 nested elements and entity tricks: refused, no session,
#     server RSS stays bounded.
#  3. 1,000 failed logins from the routed 198.18.3.2 (32 in parallel, <= 60 s): it is banned
#     (occtl show ip bans, new connections refused), the tunnel keeps >= 90% of its pings.
# The server must stay up throughout. Usage: 57-bad-input-abuse.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

A=198.18.3.2 # the login flood's source (via v0, added after cases 1 and 2)
B=198.18.3.6 # the well-behaved client (via v1)
RSS_SLACK_KB=$((128 * 1024))

ops_init
ocm_setup_net
ocm_routed_source "$B" v1
ocm_make_certs
ocm_add_user test 'Abuse-Pass-1'
ocm_add_user hostile 'Hostile-Pass-1'
ops_write_config "enable-ebpf = false" "max-ban-score = 50" "ban-points-wrong-password = 10" \
	"ban-points-connection = 1" "ban-reset-time = 600" "min-reauth-time = 300" \
	"rate-limit-ms = 0" "auth-timeout = 15"
ocm_start_server
ocm_connect good test 'Abuse-Pass-1' "https://$OCM_SRV_IP_ALT:$OCM_PORT"

# 50 pings over >= 10 s (bounded by -w) span the whole attack; waited for at the end.
ocm_bg cli "$OCM_WORK/background-ping.txt" ping -n -c 50 -i 0.2 -w 120 -I "oc-good" "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID

# server_rss_kb: VmRSS of the server and its direct children, in KiB.
server_rss_kb()
{
	local p t=0 v
	for p in "$OCM_SERVER_PID" $(ps -o pid= --ppid "$OCM_SERVER_PID" 2>/dev/null); do
		v=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]\+\) kB/\1/p' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

abuse()
{
	ocm_in cli timeout "${ABUSE_TIMEOUT:-200}" /usr/bin/python3 "$OCM_LIB_DIR/abuse.py" "$@" \
		--host "$OCM_SRV_IP" --port "$OCM_PORT" --ca "$OCM_WORK/certs/ca.pem" \
		--user hostile --password 'Hostile-Pass-1'
}

# --- 1. pipelining / desync ---
abuse desync || ocm_fail "desync cases failed (abuse.py exit $?), see above"
ocm_server_alive || ocm_fail "expected the server to survive the desync attempts"
ocm_ok "desync attempts: no smuggled request served, server up"

# --- 2. XML nesting and entities, memory bounded ---
rss0=$(server_rss_kb)
abuse xml || ocm_fail "XML cases failed (abuse.py exit $?), see above"
ocm_server_alive || ocm_fail "expected the server to survive the XML cases"
rss1=$(server_rss_kb)
[ "$rss1" -lt $((rss0 + RSS_SLACK_KB)) ] ||
	ocm_fail "expected the server's RSS to stay below ${rss0} + ${RSS_SLACK_KB} KiB after the XML cases, got ${rss1} KiB"
ocm_ok "XML cases refused, server RSS ${rss0} -> ${rss1} KiB"

# --- 3. 1,000 failed logins from one routed source ---
ocm_routed_source "$A" v0
t0=$SECONDS
out=$(ABUSE_TIMEOUT=100 abuse flood --count 1000 --parallel 32 --deadline 60) ||
	ocm_fail "login flood: abuse.py failed: $out"
ocm_log "login flood: $out ($((SECONDS - t0)) s)"
attempts=$(sed -n 's/.*attempts=\([0-9]\+\).*/\1/p' <<<"$out")
failed=$(sed -n 's/.*failed=\([0-9]\+\).*/\1/p' <<<"$out")
succeeded=$(sed -n 's/.*succeeded=\([0-9]\+\).*/\1/p' <<<"$out")
[ "${attempts:-0}" -eq 1000 ] || ocm_fail "login flood: expected 1000 attempts within 60 s, got: $out"
[ "${succeeded:-1}" -eq 0 ] || ocm_fail "login flood: expected no wrong password to log in, got: $out"
[ "${failed:-0}" -ge 1 ] || ocm_fail "login flood: expected some logins to fail before the ban, got: $out"
ops_is_banned "$A" || ocm_fail "login flood: expected $A in show ip bans, got: $(ops_bans | xargs); points: $(ops_occtl show ip ban points)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 3 "$A" 1 | sort | uniq -c | xargs)
[[ $v != *ok* ]] || ocm_fail "banned $A: expected its new connections refused, probes: $v"
[ "$failed" -lt 100 ] || ocm_fail "login flood: expected the ban well before 100 failed logins (max-ban-score 50), got: $out"
ocm_ok "login flood: $A banned ($(ops_occtl show ip bans | grep -F "$A" | xargs)), probes: $v"
ops_not_banned "$B" || ocm_fail "expected $B not banned"

# --- the server and the other client throughout ---
ocm_server_alive || ocm_fail "expected the server to survive; pid $OCM_SERVER_PID is gone"
ocm_alive "${OCM_CLIENT_PID[good]}" || ocm_fail "expected the good client to stay connected"
wait "$ping_pid" 2>/dev/null
stats=$(grep 'packets transmitted' "$OCM_WORK/background-ping.txt")
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' <<<"$stats")
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$stats")
[ -n "$sent" ] && [ "$sent" -ge 50 ] && [ $((got * 100 / sent)) -ge 90 ] ||
	ocm_fail "expected >= 90% of background pings answered during the abuse, got '$stats'"
ocm_ok "background ping through the good tunnel: $stats"
ocm_in cli ping -c1 -W2 -q -I oc-good "$OCM_LAN_IP" >/dev/null || ocm_fail "ping after the abuse"
ocm_ok "all abuse cases handled, server and good client alive"
