#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rekey-method (anyconnect-protocol.md §6.6). "ssl" on TLS 1.3: the CONNECT reply says
# "X-CSTP-Rekey-Method: ssl" with a one-year Rekey-Time (as ocserv >= 1.5.1) and the server
# sends a KeyUpdate every rekey-time; the tunnel keeps carrying traffic without a reconnect.
# "ssl" on TLS 1.2 (no renegotiation here) and "new-tunnel": "new-tunnel" at rekey-time, and
# openconnect reconnects with its cookie to the same address.
# Usage: 24-cstp-rekey.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_is_ours || ocm_skip "ocserv-modern only (KeyUpdate log line)"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Rekey-Pass-1'

# header NAME CLIENT: the value openconnect -v logged for a CONNECT reply header (last one).
header()
{
	sed -n "s/^$1: \(.*\)\$/\1/p" "$OCM_WORK/client-$2.log" | tail -n1 | tr -d '\r'
}

# ping_for SECONDS: one echo request every 0.5 s; prints how many were answered / sent.
ping_for()
{
	local n=$(($1 * 2)) out
	out=$(ocm_in cli timeout $(($1 + 10)) ping -n -c "$n" -i 0.5 -W 2 "$OCM_LAN_IP" 2>&1)
	echo "$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")/$n"
}

# --- 1. rekey-method = ssl, TLS 1.3: in-place KeyUpdates ---
ocm_write_config "rekey-method = ssl" "rekey-time = 2"
ocm_start_server
ocm_connect k1 test 'Rekey-Pass-1' -v
[ "$(header X-CSTP-Rekey-Method k1)" = ssl ] ||
	ocm_fail "TLS 1.3 + ssl: expected X-CSTP-Rekey-Method: ssl, got '$(header X-CSTP-Rekey-Method k1)'"
[ "$(header X-CSTP-Rekey-Time k1)" = 31536000 ] ||
	ocm_fail "TLS 1.3 + ssl: expected X-CSTP-Rekey-Time: 31536000, got '$(header X-CSTP-Rekey-Time k1)'"
got=$(ping_for 7)
[ "${got%/*}" -ge 12 ] || ocm_fail "expected >= 12 of 14 pings answered across the key updates, got $got"
n=$(grep -c 'rekey: TLS 1.3 key update sent' "$OCM_WORK/server.log")
[ "$n" -ge 2 ] || ocm_fail "expected >= 2 'rekey: TLS 1.3 key update sent' lines in 7 s with rekey-time 2, got $n"
ups=$(grep -c 'tunnel up' "$OCM_WORK/server.log")
[ "$ups" -eq 1 ] || ocm_fail "expected one tunnel (rekeyed in place, no reconnect), got $ups 'tunnel up' lines"
ocm_ok "TLS 1.3 + ssl: announced ssl/31536000, $n key updates, pings $got, no reconnect"
ocm_stop_client k1 TERM
ocm_check_server_exit || exit 1
mv "$OCM_WORK/server.log" "$OCM_WORK/server-1.log"

# --- 2. rekey-method = ssl, TLS 1.2 only: falls back to new-tunnel at rekey-time ---
ocm_write_config "rekey-method = ssl" "rekey-time = 3" "tls-priorities = NORMAL:-VERS-TLS1.3"
ocm_start_server
ocm_connect k2 test 'Rekey-Pass-1' -v
a4=$(ocm_client_var k2 INTERNAL_IP4_ADDRESS)
[ "$(header X-CSTP-Rekey-Method k2)" = new-tunnel ] ||
	ocm_fail "TLS 1.2 + ssl: expected X-CSTP-Rekey-Method: new-tunnel, got '$(header X-CSTP-Rekey-Method k2)'"
[ "$(header X-CSTP-Rekey-Time k2)" = 3 ] ||
	ocm_fail "TLS 1.2 + ssl: expected X-CSTP-Rekey-Time: 3, got '$(header X-CSTP-Rekey-Time k2)'"
ocm_wait 20 "a second tunnel (rekey by reconnect)" \
	eval '[ "$(grep -c "tunnel up" "$OCM_WORK/server.log")" -ge 2 ]' ||
	ocm_fail "TLS 1.2: expected openconnect to reconnect for the rekey within 20 s"
grep -q 'key update sent' "$OCM_WORK/server.log" && ocm_fail "TLS 1.2: no KeyUpdate expected"
ocm_in cli ping -c2 -i 0.5 -W2 -q "$OCM_LAN_IP" >/dev/null ||
	ocm_fail "TLS 1.2: ping through the re-established tunnel"
b4=$(ocm_client_var k2 INTERNAL_IP4_ADDRESS)
[ "$a4" = "$b4" ] || ocm_fail "TLS 1.2: expected the same address after the rekey, $a4 vs $b4"
ocm_client_exited k2 && ocm_fail "TLS 1.2: openconnect exited during the rekey"
ocm_ok "TLS 1.2 + ssl: announced new-tunnel/3, client reconnected, same address $b4"
ocm_server_alive || ocm_fail "server exited"
