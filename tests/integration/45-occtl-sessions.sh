#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# occtl session commands: `show sessions all|valid` list the cookie sessions (a tunnel and an
# authenticated-only one), `show session SID` shows one (and says "not found" for an unknown
# SID), `terminate session SID` ends it (no longer valid, its cookie refused), `show iroutes`
# lists the connected user, and `stop now` stops the server cleanly.
# Usage: 45-occtl-sessions.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Sess-Pass-1'
ocm_add_user bob 'Sess-Pass-2'
ops_write_config
ocm_start_server

ocm_connect c1 alice 'Sess-Pass-1'
ocm_wait 10 "alice in show users" ops_user_present alice || ocm_fail "expected alice in show users"
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a_sid=$(ops_user_field alice Session)
[ ${#a_sid} -eq 6 ] || ocm_fail "show users: expected a 6-character Session for alice, got '$a_sid'"

# bob authenticates only: a session with a cookie and no tunnel.
out=$(timeout 30 ip netns exec "$OCM_NS_CLI" openconnect --authenticate --non-inter \
	--servercert "$OCM_PIN" --user bob --passwd-on-stdin "https://$OCM_SRV_IP:$OCM_PORT" \
	<<<'Sess-Pass-2' 2>"$OCM_WORK/authenticate.log") ||
	ocm_fail "expected openconnect --authenticate for bob to succeed"
cookie=$(sed -n "s/^COOKIE='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" <<<"$out")
[ ${#cookie} -ge 16 ] || ocm_fail "expected a cookie for bob, got '${cookie}'"

# sessions_field FILTER USER FIELD: FIELD of USER's entry in `occtl -j show sessions FILTER`.
sessions_field() { ops_occtl -j show sessions "$1" | ops_py user-field "$2" "$3"; }
sessions_count() { ops_occtl -j show sessions "$1" | ops_py count; }
ocm_server_gone() { ! ocm_alive "$OCM_SERVER_PID"; }

n=$(sessions_count all)
[ "$n" = 2 ] || ocm_fail "show sessions all: expected 2 sessions (alice, bob), got $n"
n=$(sessions_count valid)
[ "$n" = 2 ] || ocm_fail "show sessions valid: expected 2 valid sessions, got $n"
st=$(sessions_field all alice State)
[ "$st" = connected ] || ocm_fail "show sessions all: expected alice 'connected', got '$st'"
st=$(sessions_field all bob State)
[ "$st" = authenticated ] || ocm_fail "show sessions all: expected bob 'authenticated', got '$st'"
b_sid=$(sessions_field all bob Session)
[ "$(sessions_field all alice Session)" = "$a_sid" ] ||
	ocm_fail "show sessions all: expected alice's Session '$a_sid' (as in show users)"
ocm_ok "show sessions all|valid: alice connected ($a_sid), bob authenticated ($b_sid)"
ops_occtl show sessions all | grep -qE "^$a_sid +alice " ||
	ocm_fail "show sessions all (text): expected a line '$a_sid alice …', got: $(ops_occtl show sessions all)"

# show session SID
u=$(ops_occtl -j show session "$a_sid" | ops_py user-field alice Session)
[ "$u" = "$a_sid" ] || ocm_fail "show session $a_sid: expected alice's session, got '$u'"
ops_occtl show session "$a_sid" | grep -qE $'^\tUsername: alice' ||
	ocm_fail "show session $a_sid (text): expected 'Username: alice', got: $(ops_occtl show session "$a_sid")"
rc=0
out=$(ops_occtl show session zzzzzz 2>&1) || rc=$?
[ "$rc" -ne 0 ] && [[ $out == *"not found"* ]] ||
	ocm_fail "show session zzzzzz: expected 'Session ID not found or expired' and a non-zero exit, got $rc: $out"
ocm_ok "show session: $a_sid found, an unknown SID not"

# show iroutes: the connected user, its VPN address, no iroutes.
ops_occtl -j show iroutes | ocm_python -c '
import json, sys
l = json.load(sys.stdin)
e = [x for x in l if x.get("Username") == "alice"]
if len(e) != 1 or e[0].get("IP") != sys.argv[1] or e[0].get("iRoutes") != []:
    sys.exit("expected one alice entry with IP %s and no iRoutes, got %r" % (sys.argv[1], l))
' "$a4" || ocm_fail "occtl -j show iroutes (above)"
ops_occtl show iroutes | grep -q 'iroute' || ocm_fail "show iroutes (text): expected its header"
ocm_ok "show iroutes: alice $a4"

# terminate session SID: bob's session is no longer valid and its cookie is refused.
out=$(ops_occtl terminate session "$b_sid") || ocm_fail "terminate session $b_sid: $out"
[[ $out == *"was terminated"* ]] || ocm_fail "terminate session: expected 'was terminated', got: $out"
ocm_wait 10 "bob gone from the valid sessions" sh -c "[ \"\$(timeout 15 '$OCM_OCCTL_BIN' -s '$OCM_OCCTL_SOCK' -j show sessions valid | \
	'$OPS_PYTHON' '$OCM_LIB_DIR/ops.py' count)\" = 1 ]" ||
	ocm_fail "show sessions valid: expected only alice after terminating bob's session, got: $(ops_occtl show sessions valid)"
ocm_start_client b bob "$cookie" --cookie-on-stdin
ocm_wait 40 "openconnect with bob's terminated cookie to exit" ocm_client_exited b ||
	ocm_fail "expected openconnect with bob's terminated cookie to give up"
ip -n "$OCM_NS_CLI" -4 addr show dev oc-b 2>/dev/null | grep -q 'inet ' &&
	ocm_fail "expected no tunnel with bob's terminated cookie"
rc=0
out=$(ops_occtl terminate session zzzzzz 2>&1) || rc=$?
[ "$rc" -ne 0 ] || ocm_fail "terminate session zzzzzz: expected a non-zero exit, got 0: $out"
ocm_ok "terminate session $b_sid: invalid, its cookie refused"

# stop now: the server says so and exits 0 by itself.
ocm_stop_client c1
OCM_CHECK_EXIT=0
out=$(ops_occtl stop now) || ocm_fail "occtl stop now: $out"
[[ $out == *"scheduled to stop"* ]] || ocm_fail "occtl stop now: expected 'Server scheduled to stop', got: $out"
ocm_wait 15 "the server to exit" ocm_server_gone
ocm_alive "$OCM_SERVER_PID" && ocm_fail "occtl stop now: expected the server to exit within 15 s"
wait "$OCM_SERVER_PID"
st=$?
[ "$st" -eq 0 ] || ocm_fail "occtl stop now: expected exit status 0, got $st"
grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$OCM_WORK/server.log" &&
	ocm_fail "sanitizer report in the server log after stop now"
ocm_ok "stop now: the server exited with 0"
