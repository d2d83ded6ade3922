#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Legacy DTLS (session resumption with X-DTLS-Master-Secret): with dtls-psk = false openconnect
# must establish a resumed DTLS 1.2 session ("(DTLS1.2)-(RSA)-(AES-256-GCM)" or an ECDHE
# equivalent) and ping over it (UDP counters grow). Run twice: ECDSA and RSA server certificate.
# Usage: 32-dtls-legacy.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ecdsa_pin=$OCM_PIN
ocm_make_rsa_cert
rsa_pin=$OCM_PIN
ocm_add_user test 'Dtls-Legacy-1'

# run_case NAME CERT KEY PIN
run_case()
{
	local name=$1 cert=$2 key=$3 suite in0 in1 got n up
	OCM_PIN=$4
	ocm_dtls_config "dtls-psk = false" "server-cert = $cert" "server-key = $key"
	ocm_start_server
	ocm_connect "$name" test 'Dtls-Legacy-1'
	grep -q 'Connected to HTTPS.*('"$( [ "$name" = rsa ] && echo RSA || echo ECDSA)" \
		"$OCM_WORK/client-$name.log" ||
		ocm_fail "$name: expected the TLS connection to use the $name certificate, got: $(grep 'Connected to HTTPS' "$OCM_WORK/client-$name.log")"
	ocm_wait_dtls "$name" 20
	suite=$(ocm_dtls_suite "$name")
	[[ $suite =~ ^\(DTLS1\.2\)-\((RSA|ECDHE-RSA|ECDHE-ECDSA)\)-\(AES-(256|128)-GCM\)$ ]] ||
		ocm_fail "$name: expected a legacy DTLS1.2 suite like (DTLS1.2)-(RSA)-(AES-256-GCM), got '$suite'"
	[[ $suite == *PSK* ]] && ocm_fail "$name: expected no PSK with dtls-psk = false, got '$suite'"
	echo "DTLS legacy suite with the $name certificate: $suite"
	if ocm_is_ours; then
		n=$(grep -c 'DTLS established' "$OCM_WORK/server.log")
		[ "$n" -ge 1 ] || ocm_fail "$name: expected 'DTLS established' in the server log"
		up=$(grep 'tunnel up' "$OCM_WORK/server.log" | tail -n1)
		[[ $up == *"dtls legacy"* ]] ||
			ocm_fail "$name: expected the server's 'tunnel up' line to say 'dtls legacy', got: $up"
		ocm_ok "$name: server: $(grep 'DTLS established' "$OCM_WORK/server.log" | tail -n1 | grep -o 'DTLS established.*')"
	fi
	in0=$(ocm_udp_stat srv InDatagrams)
	got=$(ocm_ping_count cli "$OCM_LAN_IP" 20 -i 0.1)
	in1=$(ocm_udp_stat srv InDatagrams)
	[ "$got" -ge 19 ] || ocm_fail "$name: expected >= 19 of 20 pings over legacy DTLS, got $got"
	[ $((in1 - in0)) -ge 20 ] ||
		ocm_fail "$name: expected the pings over UDP (InDatagrams +20), got +$((in1 - in0))"
	got=$(ocm_ping_count cli "$OCM_LAN_IP6" 5 -i 0.2)
	[ "$got" -ge 4 ] || ocm_fail "$name: expected >= 4 of 5 IPv6 pings, got $got"
	ocm_ok "$name: $suite, 20 pings over UDP (InDatagrams +$((in1 - in0))), IPv6 ok"
	ocm_stop_client "$name"
	unset "OCM_CLIENT_PID[$name]"
}

run_case ecdsa "$OCM_WORK/certs/server-cert.pem" "$OCM_WORK/certs/server-key.pem" "$ecdsa_pin"
ocm_check_server_exit || exit 1
OCM_SERVER_PID=""
run_case rsa "$OCM_WORK/certs/rsa-server-cert.pem" "$OCM_WORK/certs/rsa-server-key.pem" "$rsa_pin"
ocm_server_alive || ocm_fail "server exited"
