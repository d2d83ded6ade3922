#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The one place where dependencies are installed (root, idempotent):
# Debian packages, then wolfSSL 5.5.4 built from Debian's source package into
# third_party/wolfssl/prefix (cached: a second run takes seconds).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
WOLFSSL_VERSION=5.5.4-2+deb12u3
prefix=$top/third_party/wolfssl/prefix
# Our patches (scripts/wolfssl-patches, reference/wolfssl.md) are part of the build's identity.
patches_id=$(cat "$top"/scripts/wolfssl-patches/*.patch 2>/dev/null | sha256sum | cut -c1-12)
stamp=$prefix/.built-$WOLFSSL_VERSION-$patches_id

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: run as root (it installs Debian packages)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

packages=(
	# toolchain
	clang-19 lld-19 libclang-rt-19-dev clang-format-19 cmake ninja-build pkg-config make
	# wolfSSL source build
	dpkg-dev autoconf automake libtool patch
	# libraries we link
	libcrypt-dev libmnl-dev libcmocka-dev libexpat1-dev libcjson-dev libssl-dev
	# eBPF: programs built with clang-19, skeletons with bpftool, loaded with libbpf
	libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev
	# process hardening
	libseccomp-dev libcap-dev
	# test peers and tools
	openconnect ocserv iperf3 iproute2 iputils-ping procps psmisc python3 openssl
	gnutls-bin python3-prometheus-client tcpdump nftables jq
)

need_install=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		need_install+=("$p")
done

src_list=/etc/apt/sources.list.d/ocm-deb-src.sources
if [ ! -f "$stamp" ] && [ ! -f "$src_list" ]; then
	cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi

if [ ${#need_install[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
	# Unreachable third-party entries must not stop us: Debian's are what we use.
	apt-get update || echo "setup.sh: apt-get update reported errors; continuing" >&2
fi
if [ ${#need_install[@]} -gt 0 ]; then
	apt-get install -y --no-install-recommends "${need_install[@]}"
fi

# ocserv is only a benchmark peer: never let its service run on this machine.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now ocserv.service ocserv.socket >/dev/null 2>&1 || true
fi

if [ -f "$stamp" ]; then
	echo "setup.sh: wolfSSL $WOLFSSL_VERSION already built in $prefix"
	exit 0
fi

work=$top/third_party/wolfssl/src
rm -rf "$work" "$prefix"
mkdir -p "$work"
(
	cd "$work"
	apt-get source --download-only "wolfssl=$WOLFSSL_VERSION"
	dpkg-source -x ./*.dsc tree >/dev/null
	cd tree
	for p in "$top"/scripts/wolfssl-patches/*.patch; do
		patch -p1 --forward --quiet <"$p"
	done
	./autogen.sh >/dev/null
	./configure --prefix="$prefix" \
		--enable-aesni --enable-intelasm --enable-dtls --enable-dtls13 --enable-dtlscid \
		--enable-dtls-mtu --enable-psk --enable-tls13 --enable-opensslall \
		--enable-opensslextra --enable-keying-material --enable-sessioncerts \
		--enable-curve25519 --enable-ed25519 --enable-chacha --enable-poly1305 \
		--enable-aesgcm --enable-sp --enable-sp-asm --enable-harden \
		--enable-session-ticket --enable-secure-renegotiation --enable-sni --enable-alpn \
		--enable-static --disable-shared --disable-examples --disable-crypttests \
		CC=clang-19 CFLAGS="-O2 -fPIC" \
		CPPFLAGS="-DWOLFSSL_STATIC_PSK -DWOLFSSL_STATIC_RSA" >configure.log
	make -j"$(nproc)" >make.log
	make install >/dev/null
	# internal.h is needed for legacy DTLS resumption (reference/wolfssl.md).
	mkdir -p "$prefix/include/wolfssl"
	cp wolfssl/internal.h "$prefix/include/wolfssl/internal.h"
)
touch "$stamp"
echo "setup.sh: wolfSSL $WOLFSSL_VERSION built into $prefix"
