#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Generates a self-signed CA and an ECDSA P-256 server certificate signed by it into DIR
# (ca.pem, ca-key.pem, server-cert.pem, server-key.pem) and prints the server's
# openconnect pin ("pin-sha256:<base64>"). Existing files are reused, never overwritten.
# Usage: gen-certs.sh DIR [SERVER-IP-OR-NAME]...
set -euo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 DIR [SERVER-IP-OR-NAME]..." >&2
	exit 2
fi
dir=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(localhost)

mkdir -p "$dir"
umask 077

if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/ca-key.pem" ]; then
	openssl ecparam -genkey -name prime256v1 -noout -out "$dir/ca-key.pem" 2>/dev/null
	openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days 3650 \
		-subj "/O=ocserv-modern/CN=ocserv-modern test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out "$dir/ca.pem" 2>/dev/null
	rm -f "$dir/server-cert.pem" # a new CA invalidates the old server certificate
fi

if [ ! -s "$dir/server-cert.pem" ] || [ ! -s "$dir/server-key.pem" ]; then
	san=""
	for n in "${names[@]}"; do
		if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then
			san+="${san:+,}IP:$n"
		else
			san+="${san:+,}DNS:$n"
		fi
	done
	ext=$(mktemp)
	trap 'rm -f "$ext" "$dir/server.csr"' EXIT
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=serverAuth" \
		"subjectAltName=$san" >"$ext"
	openssl ecparam -genkey -name prime256v1 -noout -out "$dir/server-key.pem" 2>/dev/null
	openssl req -new -key "$dir/server-key.pem" -subj "/O=ocserv-modern/CN=${names[0]}" \
		-out "$dir/server.csr" 2>/dev/null
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
		-CAcreateserial -CAserial "$dir/ca.srl" -days 825 -sha256 -extfile "$ext" \
		-out "$dir/server-cert.pem" 2>/dev/null
fi

# openconnect --servercert pin: SHA-256 over the DER SubjectPublicKeyInfo, base64.
pin=$(openssl x509 -in "$dir/server-cert.pem" -noout -pubkey |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | openssl base64 -A)
echo "pin-sha256:$pin"
