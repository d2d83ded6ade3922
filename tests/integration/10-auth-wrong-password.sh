#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Auth: a wrong password and an unknown user are rejected (openconnect exits non-zero, no
# tunnel); a correct login right afterwards works.
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
