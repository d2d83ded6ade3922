# SPDX-License-Identifier: GPL-2.0-or-later
# Cisco-like legacy DTLS client for 33-dtls-openssl-legacy.sh: python logs in (XML aggregate
# auth) and sends CONNECT with X-DTLS-Master-Secret and X-DTLS12-CipherSuite (no PSK-NEGOTIATE)
# under a Cisco Secure Client User-Agent, then runs tests/tools/dtls_legacy_client (OpenSSL,
# offers EMS) with the Session-ID from the reply while the TLS connection stays open.
# Prints what it expected and got; exit 0 = all good. Python standard library only.
import argparse
import re
import secrets
import socket
import ssl
import subprocess
import sys

UA = "Cisco AnyConnect VPN Agent for Linux 5.1.2.42"
CIPHERS12 = "ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384"
# OpenSSL names of the suites the server may answer in X-DTLS12-CipherSuite.
KNOWN = {"ECDHE-RSA-AES256-GCM-SHA384", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fail(msg):
    log(f"FAIL: {msg}")
    sys.exit(1)


def tls_connect(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(a.ca)
    s = ctx.wrap_socket(socket.create_connection((a.host, a.port), timeout=10),
                        server_hostname=a.host)
    s.settimeout(10)
    return s


def read_head(s):
    """Reads one HTTP response head + Content-Length body: (status, {lower name: [values]}, body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            fail(f"connection closed before a complete response; got {buf[:200]!r}")
        buf += chunk
        if len(buf) > 65536:
            fail("response head over 64 KiB")
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    clen = int(hdrs.get("content-length", ["0"])[0])
    while len(body) < clen:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return (int(m.group(1)) if m else 0), hdrs, body.decode("utf-8", "replace")


def post(s, a, path, body, cookies):
    req = [f"POST {path} HTTP/1.1", f"Host: {a.host}:{a.port}", f"User-Agent: {UA}",
           "Accept: */*", "X-Transcend-Version: 1", "X-Aggregate-Auth: 1",
           "X-AnyConnect-Platform: linux-64", "Content-Type: text/xml",
           f"Content-Length: {len(body)}"]
    if cookies:
        req.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    s.sendall(("\r\n".join(req) + "\r\n\r\n").encode() + body)
    st, hdrs, text = read_head(s)
    for v in hdrs.get("set-cookie", []):
        name, _, val = v.split(";", 1)[0].partition("=")
        if val:
            cookies[name.strip()] = val.strip()
    return st, text


def login(a):
    cookies = {}
    s = tls_connect(a)
    init = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<config-auth client="vpn" type="init" aggregate-auth-version="2">'
            '<version who="vpn">5.1.2.42</version><device-id>linux-64</device-id>'
            f'<group-access>https://{a.host}:{a.port}</group-access></config-auth>')
    st, body = post(s, a, "/", init.encode(), cookies)
    for _ in range(5):
        if st != 200:
            fail(f"auth: expected HTTP 200, got {st}: {body[:200]!r}")
        if 'type="complete"' in body:
            s.close()
            if "webvpn" not in cookies:
                fail("auth complete without a webvpn cookie")
            return cookies["webvpn"]
        names = re.findall(r'<input[^>]*\bname="([^"]+)"', body)
        if not names:
            fail(f"auth: expected a form, got {body[:300]!r}")
        fields = "".join(f"<{n}>{a.user if n == 'username' else a.password}</{n}>"
                         for n in names)
        opaque = re.search(r"<opaque.*?</opaque>", body, re.S)
        reply = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
                 '<version who="vpn">5.1.2.42</version><device-id>linux-64</device-id>'
                 f'{opaque.group(0) if opaque else ""}<auth>{fields}</auth></config-auth>')
        action = re.search(r'<form[^>]*\baction="([^"]+)"', body)
        st, body = post(s, a, action.group(1) if action else "/", reply.encode(), cookies)
    fail("auth: too many rounds")


def main():
    p = argparse.ArgumentParser()
    for opt in ("--host", "--ca", "--user", "--password", "--client"):
        p.add_argument(opt, required=True)
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()

    cookie = login(a)
    log("ok: logged in with the Cisco User-Agent")
    master = secrets.token_hex(48).upper()
    s = tls_connect(a)
    req = ("CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\n"
           f"Host: {a.host}:{a.port}\r\n"
           f"User-Agent: {UA}\r\n"
           f"Cookie: webvpn={cookie}\r\n"
           "X-CSTP-Version: 1\r\n"
           "X-CSTP-Hostname: cisco-like\r\n"
           "X-CSTP-Accept-Encoding: identity\r\n"
           "X-CSTP-Base-MTU: 1500\r\n"
           "X-CSTP-MTU: 1399\r\n"
           "X-CSTP-Address-Type: IPv6,IPv4\r\n"
           "X-CSTP-Full-IPv6-Capability: true\r\n"
           f"X-DTLS-Master-Secret: {master}\r\n"
           f"X-DTLS12-CipherSuite: {CIPHERS12}\r\n"
           "X-DTLS-Accept-Encoding: identity\r\n\r\n")
    s.sendall(req.encode())
    st, hdrs, _ = read_head(s)
    if st != 200:
        fail(f"CONNECT: expected 200, got {st}")
    got = {k: v[0] for k, v in hdrs.items() if k.startswith("x-dtls")}
    log(f"ok: CONNECT 200; DTLS headers: {got}")
    sid = got.get("x-dtls-session-id", "")
    suite = got.get("x-dtls12-ciphersuite", "")
    port = got.get("x-dtls-port", str(a.port))
    if "x-dtls-app-id" in got or "PSK" in got.get("x-dtls-ciphersuite", ""):
        fail(f"expected a legacy answer (no App-ID, no PSK-NEGOTIATE), got {got}")
    if not re.fullmatch(r"[0-9A-Fa-f]{64}", sid):
        fail(f"expected X-DTLS-Session-ID of 64 hex digits, got {sid!r}")
    if suite not in KNOWN or suite not in CIPHERS12.split(":"):
        fail(f"expected X-DTLS12-CipherSuite from our offer {CIPHERS12}, got {suite!r}")
    log(f"ok: Session-ID {sid[:8]}…, X-DTLS12-CipherSuite {suite}, port {port}")

    payload = "cisco-dpd-" + secrets.token_hex(24)
    try:
        r = subprocess.run([a.client, a.host, port, sid, master, suite, "--dpd", payload],
                           capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        fail("dtls_legacy_client did not finish within 30 s")
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        why = {3: "handshake failed", 4: "not resumed (full handshake)",
               5: "no/wrong DPD-RESP"}.get(r.returncode, "error")
        fail(f"expected the OpenSSL client to resume and get the DPD echoed, got exit "
             f"{r.returncode} ({why}): {out}")
    log(f"ok: {out}")
    # The tunnel lives on the TLS connection: it must still be open (no EOF pending).
    s.setblocking(False)
    try:
        data = s.recv(65536)
        if data == b"":
            fail("expected the CSTP connection to stay open, the server closed it")
    except (BlockingIOError, ssl.SSLWantReadError):
        pass
    s.close()
    print(f"legacy DTLS with OpenSSL (EMS offered): {suite} resumed, DPD echoed")


if __name__ == "__main__":
    main()
