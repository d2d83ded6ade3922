# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/integration/3N-dtls-*.sh after lib/netns.sh: DTLS server config, an RSA
# server certificate, waiting for openconnect's DTLS line, UDP counters and ping helpers.
# shellcheck shell=bash disable=SC2034 # OCM_CLIENT_DTLS and OCM_PIN are read by lib/netns.sh

OCM_CLIENT_DTLS=1
OCM_UDP_PORT=$OCM_PORT

# ocm_dtls_config ["key = value"]...: ocm_write_config with DTLS on the UDP port.
# OCM_DTLS_EXTRA_CONF="key = value;key = value" adds/overrides lines (for debugging).
ocm_dtls_config()
{
	local -a extra=()
	[ -n "${OCM_DTLS_EXTRA_CONF:-}" ] && IFS=';' read -ra extra <<<"$OCM_DTLS_EXTRA_CONF"
	ocm_write_config "udp-port = $OCM_UDP_PORT" "$@" "${extra[@]}"
}

# ocm_make_rsa_cert: an RSA-2048 server certificate signed by the test CA (ocm_make_certs
# first) in certs/rsa-server-{cert,key}.pem; sets OCM_PIN to its pin.
ocm_make_rsa_cert()
{
	local d=$OCM_WORK/certs san="IP:$OCM_SRV_IP,IP:$OCM_SRV_IP_ALT,DNS:localhost"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" "subjectAltName=$san" >"$d/rsa-ext.cnf"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/rsa-server-key.pem" \
		2>/dev/null || ocm_fail "RSA key generation"
	openssl req -new -key "$d/rsa-server-key.pem" -subj "/O=ocserv-modern/CN=$OCM_SRV_IP" \
		-out "$d/rsa-server.csr" 2>/dev/null || ocm_fail "RSA CSR"
	openssl x509 -req -in "$d/rsa-server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAserial "$d/ca.srl" -CAcreateserial -days 30 -sha256 -extfile "$d/rsa-ext.cnf" \
		-out "$d/rsa-server-cert.pem" 2>/dev/null || ocm_fail "RSA certificate"
	OCM_PIN="pin-sha256:$(openssl x509 -in "$d/rsa-server-cert.pem" -noout -pubkey |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | openssl base64 -A)"
}

# ocm_dtls_line NAME: openconnect's last "Established DTLS connection" line (empty if none).
ocm_dtls_line()
{
	grep 'Established DTLS connection' "$OCM_WORK/client-$1.log" 2>/dev/null | tail -n1
}

ocm_dtls_count() { grep -c 'Established DTLS connection' "$OCM_WORK/client-$1.log" 2>/dev/null; }

# ocm_wait_dtls NAME SECONDS [MIN_COUNT]: wait until openconnect NAME has logged its
# MIN_COUNT-th (default 1st) DTLS establishment; fails the test with expected vs got.
ocm_wait_dtls()
{
	local name=$1 secs=$2 min=${3:-1}
	ocm_wait "$secs" "DTLS of $name" sh -c \
		"[ \$(grep -c 'Established DTLS connection' '$OCM_WORK/client-$name.log') -ge $min ]" ||
		ocm_fail "client $name: expected openconnect to log 'Established DTLS connection' (#$min) within $secs s, got: $(grep -iE 'dtls|udp' "$OCM_WORK/client-$name.log" | tail -n 5)"
	ocm_ok "client $name: $(ocm_dtls_line "$name")"
}

# ocm_dtls_suite NAME: "(DTLS1.2)-(PSK)-(AES-256-GCM)" from the last DTLS line.
ocm_dtls_suite()
{
	ocm_dtls_line "$1" | grep -o '(DTLS[^ ]*)' | tail -n1 | sed 's/\.$//'
}

# ocm_udp_stat NS FIELD: a counter of the namespace's "Udp:" row in /proc/net/snmp
# (InDatagrams, OutDatagrams, InErrors, RcvbufErrors, …).
ocm_udp_stat()
{
	ocm_in "$1" awk -v f="$2" '/^Udp:/ {
		if (!n) { for (i = 1; i <= NF; i++) col[$i] = i; n = 1; next }
		print $col[f]; exit }' /proc/net/snmp
}

# ocm_tcp_bytes_received NS PORT: bytes the server's TLS connection(s) on PORT received
# (ss -ti bytes_received summed over established sockets in NS, server side).
ocm_tcp_bytes_received()
{
	ocm_in "$1" ss -Htin state established "sport = :$2" |
		grep -o 'bytes_received:[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}

# ocm_ping_count NS ADDR COUNT [ping options]: prints the number of replies.
ocm_ping_count()
{
	local ns=$1 addr=$2 count=$3 out
	shift 3
	out=$(ocm_in "$ns" timeout $((count / 5 + 20)) ping -n -q -c "$count" -W 2 "$@" "$addr" 2>&1)
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | grep . || echo 0
}

# ocm_expect_ping NS DESCRIPTION ADDR [ping options]: 5 echo requests, >= 4 answered.
ocm_expect_ping()
{
	local ns=$1 what=$2 addr=$3 got
	shift 3
	got=$(ocm_ping_count "$ns" "$addr" 5 -i 0.2 "$@")
	[ "$got" -ge 4 ] || ocm_fail "$what: expected >= 4 of 5 replies from $addr, got $got"
	ocm_ok "$what: $got/5 replies from $addr"
}

# ocm_rss_kib PID: resident set size of a process in KiB.
ocm_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
