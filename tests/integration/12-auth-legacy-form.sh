#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Legacy (non-XML) form flow: `openconnect --no-xmlpost` fetches the HTML-less form with a GET
# and posts urlencoded username/password (reference §2), gets the cookie and a tunnel.
# Usage: 12-auth-legacy-form.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Legacy-Pass-1'
ocm_write_config
ocm_start_server
ocm_connect l1 test 'Legacy-Pass-1' --no-xmlpost -v
grep -q 'XML POST enabled' "$OCM_WORK/client-l1.log" &&
	ocm_fail "expected openconnect --no-xmlpost not to use XML POST, but it says 'XML POST enabled'"
grep -qE '^(GET|POST) https://[^ ]+/' "$OCM_WORK/client-l1.log" ||
	ocm_fail "expected openconnect's request lines in its -v log"
ocm_in cli ping -c2 -i 0.5 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "ping through the legacy-form tunnel"
ocm_ok "openconnect --no-xmlpost logged in with the legacy form and pings through the tunnel"
ocm_stop_client l1
ocm_start_client l2 test 'Wrong-Pass-1' --no-xmlpost
ocm_wait 30 "openconnect l2 to give up" ocm_client_exited l2 ||
	ocm_fail "legacy form, wrong password: expected openconnect to give up within 30 s"
[ -s "$OCM_WORK/client-l2.env" ] && ocm_fail "legacy form, wrong password: the client script ran (a tunnel came up)"
grep -q 'login of test failed' "$OCM_WORK/server.log" ||
	ocm_fail "legacy form, wrong password: expected 'login of test failed' in the server log"
ocm_ok "legacy form with a wrong password refused and logged"
ocm_server_alive || ocm_fail "server exited"
