#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Auth: a wrong password and an unknown user are rejected (openconnect exits non-zero, no
# tunnel); a correct login right afterwards works. As ocserv: the form comes back with
# "Login failed.\nPlease enter your password." twice, the third failure is 401 + close.
# Usage: 10-auth-wrong-password.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Right-Pass-1'
ocm_write_config
ocm_start_server

# expect_rejected NAME USER PASSWORD: openconnect must exit non-zero without a tunnel.
expect_rejected()
{
	local rc
	ocm_start_client "$1" "$2" "$3"
	# Bounded: openconnect gives up on its own; the wait only guards against a hang.
	ocm_wait 40 "openconnect $1 to exit" ocm_client_exited "$1" ||
		ocm_fail "$1: expected openconnect to give up within 40 s, it is still running"
	wait "${OCM_CLIENT_PID[$1]}"
	rc=$?
	[ "$rc" -ne 0 ] || ocm_fail "$1: expected a non-zero exit status for $2/'$3', got 0"
	! ip -n "$OCM_NS_CLI" link show "oc-$1" >/dev/null 2>&1 ||
		ocm_fail "$1: expected no tunnel device, oc-$1 exists"
	[ ! -s "$OCM_WORK/client-$1.env" ] ||
		ocm_fail "$1: expected no connect, but the client script ran: $(cat "$OCM_WORK/client-$1.env")"
	ocm_ok "$1: $2 with a bad credential rejected (openconnect exit $rc)"
}

expect_rejected bad1 test 'Wrong-Pass-1'
expect_rejected bad2 nosuchuser 'Right-Pass-1'
expect_rejected bad3 test ''
ocm_server_alive || ocm_fail "server exited after rejected logins"
ocm_connect good test 'Right-Pass-1'

# As ocserv (plain auth, MAX_PASSWORD_TRIES = 3): a wrong password gets the form again with
# "Login failed.\nPlease enter your password." (openconnect prints it), twice; the third wrong
# password on the same connection gets 401 and the connection is closed.
grep -q 'Login failed\.' "$OCM_WORK/client-bad1.log" &&
	grep -q 'Please enter your password\.' "$OCM_WORK/client-bad1.log" ||
	ocm_fail "bad1: expected openconnect to show ocserv's 'Login failed.' / 'Please enter your password.', got: $(tail -n 8 "$OCM_WORK/client-bad1.log")"
ocm_ok "bad1: openconnect showed the form again with 'Login failed. Please enter your password.'"
out=$(ocm_in cli timeout 60 "$(command -v /usr/bin/python3 || command -v python3)" - \
	"$OCM_LIB_DIR" "$OCM_SRV_IP" "$OCM_PORT" "$OCM_WORK/certs/ca.pem" <<'PY' 2>&1
import argparse, re, sys
sys.path.insert(0, sys.argv[1])
sys.dont_write_bytecode = True
import badinput as bi
bi.ARGS = argparse.Namespace(host=sys.argv[2], port=int(sys.argv[3]), ca=sys.argv[4], strict=True)
h = bi.Http()
st, _, body = h.request("POST", "/", bi.INIT.format(host=sys.argv[2], port=sys.argv[3]).encode())
for i in range(3):
    opaque = re.search(r"<opaque.*?</opaque>", body, re.S)
    reply = ('<?xml version="1.0" encoding="UTF-8"?>\n<config-auth client="vpn" '
             'type="auth-reply" aggregate-auth-version="2"><version who="vpn">v9.01-3</version>'
             f'{opaque.group(0) if opaque else ""}<auth><username>test</username>'
             f'<password>Wrong-{i}</password></auth></config-auth>')
    st, _, body = h.request("POST", "/auth", reply.encode())
    form = 'name="password"' in body
    msg = "Login failed." in body and "Please enter your password." in body
    print(f"try {i + 1}: {st} form={form} message={msg} closed={h.s is None}")
PY
)
want=$'try 1: 200 form=True message=True closed=False\ntry 2: 200 form=True message=True closed=False\ntry 3: 401 form=False message=False closed=True'
[ "$out" = "$want" ] || ocm_fail "three wrong passwords on one connection: expected
$want
got
$out"
ocm_ok "three wrong passwords: form + message twice, then 401 and close"
n=$(grep -c 'login of test failed: wrong username or password' "$OCM_WORK/server.log")
[ "$n" -ge 5 ] || ocm_fail "expected >= 5 'login of test failed' log lines (bad1, bad3, 3 tries), got $n"
ocm_connect good2 test 'Right-Pass-1'
