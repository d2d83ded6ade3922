# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile-client cases for 25-bad-input.sh: malformed HTTP, oversized/too many headers,
# slowloris, XML with DTDs, bad cookies, lying CSTP frames. Each case states what it
# expected and what happened; exit status 1 if any case failed. Python standard library only.
import argparse
import base64
import re
import select
import socket
import ssl
import struct
import sys
import time

ARGS = None
FAILED = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def result(name, ok, expected, got, strict_only=False):
    """strict_only: a requirement of ours that the reference ocserv does not meet; without
    --strict a miss is reported as a tolerated deviation."""
    verdict = "ok" if ok else "FAIL"
    if not ok and strict_only and not ARGS.strict:
        verdict = "deviation (tolerated: reference server)"
    log(f"case {name}: expected {expected}; got {got}: {verdict}")
    if verdict == "FAIL":
        FAILED.append(name)


def tls_connect(timeout=10.0):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ARGS.ca)
    raw = socket.create_connection((ARGS.host, ARGS.port), timeout=timeout)
    s = ctx.wrap_socket(raw, server_hostname=ARGS.host)
    s.settimeout(timeout)
    return s


def read_until_close(s, limit):
    """Read until EOF/reset or `limit` seconds. Returns (data, closed, elapsed)."""
    start = time.monotonic()
    data = b""
    while True:
        left = limit - (time.monotonic() - start)
        if left <= 0:
            return data, False, time.monotonic() - start
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except (ssl.SSLError, OSError):
            return data, True, time.monotonic() - start
        if not chunk:
            return data, True, time.monotonic() - start
        data += chunk


def status_of(data):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else None


def describe(data, closed, elapsed):
    st = status_of(data)
    head = data.split(b"\r\n", 1)[0][:80].decode("latin-1") if data else "no response"
    return f"{head!r} ({st}), {'closed' if closed else 'still open'} after {elapsed:.1f} s"


def expect_rejected(name, payload, limit=10.0, chunks=None, strict_only=False):
    """The server must answer non-2xx/3xx (>= 400) or close without any 2xx, within limit."""
    try:
        s = tls_connect()
        if chunks:
            for c in chunks:
                s.sendall(c)
        else:
            s.sendall(payload)
        data, closed, elapsed = read_until_close(s, limit)
        s.close()
    except (ssl.SSLError, OSError) as e:
        result(name, True, "rejection", f"connection error {e!r} (treated as closed)")
        return
    st = status_of(data)
    ok = (st is not None and st >= 400) or (st is None and closed)
    result(name, ok, f"a >= 400 status or a close within {limit:.0f} s",
           describe(data, closed, elapsed), strict_only)


# ---------------------------------------------------------------- HTTP requests and auth
class Http:
    """One keep-alive TLS connection; reconnects when the server closes."""

    def __init__(self):
        self.s = None
        self.cookies = {}

    def request(self, method, path, body=b"", extra=None):
        if self.s is None:
            self.s = tls_connect()
        hdrs = [
            f"{method} {path} HTTP/1.1",
            f"Host: {ARGS.host}:{ARGS.port}",
            "User-Agent: Open AnyConnect VPN Agent v9.01-3",
            "Accept: */*",
            "Accept-Encoding: identity",
            "X-Transcend-Version: 1",
            "X-Aggregate-Auth: 1",
            "X-Support-HTTP-Auth: true",
            "Content-Type: application/xml; charset=utf-8",
            f"Content-Length: {len(body)}",
        ]
        if self.cookies:
            hdrs.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        hdrs += extra or []
        self.s.sendall(("\r\n".join(hdrs) + "\r\n\r\n").encode() + body)
        return self._response()

    def _response(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before a response; got {buf[:200]!r}")
            buf += chunk
        head, body = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        st = status_of(head) or 0
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        clen = int(next((v for k, v in headers if k == "content-length"), "0"))
        while len(body) < clen:
            chunk = self.s.recv(65536)
            if not chunk:
                break
            body += chunk
        for k, v in headers:
            if k == "set-cookie":
                name, _, val = v.split(";", 1)[0].partition("=")
                if val:
                    self.cookies[name.strip()] = val.strip()
                else:
                    self.cookies.pop(name.strip(), None)
        if any(k == "connection" and v.lower() == "close" for k, v in headers):
            self.close()
        return st, headers, body.decode("utf-8", "replace")

    def close(self):
        if self.s:
            self.s.close()
        self.s = None


INIT = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<config-auth client="vpn" type="init" aggregate-auth-version="2">'
        '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id>'
        '<group-access>https://{host}:{port}</group-access></config-auth>')


def login(user, password):
    """The aggregate-auth exchange (protocol §2.4-2.8). Returns the webvpn cookie."""
    h = Http()
    st, _, body = h.request("POST", "/", INIT.format(host=ARGS.host, port=ARGS.port).encode())
    for _ in range(5):
        if st != 200:
            raise RuntimeError(f"auth: HTTP {st}: {body[:200]!r}")
        if 'type="complete"' in body:
            tok = re.search(r"<session-token>([^<]+)</session-token>", body)
            cookie = h.cookies.get("webvpn") or (tok.group(1) if tok else None)
            h.close()
            if not cookie:
                raise RuntimeError("auth complete without a webvpn cookie")
            return cookie
        names = re.findall(r'<input[^>]*\bname="([^"]+)"', body)
        if not names:
            raise RuntimeError(f"auth: no form in {body[:300]!r}")
        fields = ""
        for n in names:
            val = user if n == "username" else password if "password" in n else ""
            fields += f"<{n}>{val}</{n}>"
        opaque = re.search(r"<opaque.*?</opaque>", body, re.S)
        action = re.search(r'<form[^>]*\baction="([^"]+)"', body)
        reply = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
                 '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id>'
                 f'{opaque.group(0) if opaque else ""}<auth>{fields}</auth></config-auth>')
        st, _, body = h.request("POST", action.group(1) if action else "/", reply.encode())
    raise RuntimeError("auth: too many rounds")


def connect_tunnel(cookie):
    """CONNECT on a fresh TLS connection. Returns (socket, status line)."""
    s = tls_connect()
    req = ("CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\n"
           f"Host: {ARGS.host}:{ARGS.port}\r\n"
           "User-Agent: Open AnyConnect VPN Agent v9.01-3\r\n"
           f"Cookie: webvpn={cookie}\r\n"
           "X-CSTP-Version: 1\r\n"
           "X-CSTP-Hostname: badinput\r\n"
           "X-CSTP-Base-MTU: 1500\r\n"
           "X-CSTP-MTU: 1400\r\n"
           "X-CSTP-Address-Type: IPv6,IPv4\r\n"
           "X-CSTP-Full-IPv6-Capability: true\r\n\r\n")
    s.sendall(req.encode())
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < 65536:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return s, buf.split(b"\r\n", 1)[0].decode("latin-1")


def cstp(ptype, payload, length=None):
    n = len(payload) if length is None else length
    return b"STF\x01" + struct.pack(">HBB", n, ptype, 0) + payload


# ---------------------------------------------------------------- the cases
def http_cases():
    expect_rejected("malformed-request-line", b"GARBAGE\r\n\r\n", strict_only=True)
    expect_rejected("binary-request-line", b"\x00\x01\x02\xff\xfe GET / \r\n\r\n")
    expect_rejected("missing-version", b"GET /\r\n\r\n", strict_only=True)
    big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n"
    expect_rejected("header-over-16KiB", big, strict_only=True)
    many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(1000))
    expect_rejected("1000-headers", many + b"\r\n", strict_only=True)
    huge_len = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n<x/>")
    expect_rejected("content-length-huge", huge_len, strict_only=True)
    neg_len = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
    expect_rejected("content-length-negative", neg_len, strict_only=True)


def slowloris():
    limit = ARGS.auth_timeout + 15
    s = tls_connect()
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    closed = False
    drip = b"X-Slow: " + b"a" * 100000
    i = 0
    while time.monotonic() - start < limit:
        try:
            s.sendall(drip[i:i + 1])
            i += 1
            r, _, _ = select.select([s], [], [], 1.0)
            if r:
                data, closed, _ = read_until_close(s, 0.5)
                if closed:
                    break
        except (ssl.SSLError, OSError):
            closed = True
            break
    elapsed = time.monotonic() - start
    s.close()
    result("slowloris", closed, f"the server to close a 1 byte/s header within {limit} s "
           f"(auth-timeout {ARGS.auth_timeout} + 15)",
           f"{'closed' if closed else 'still open'} after {elapsed:.1f} s, {i} bytes dripped")


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE config-auth [\n'
          '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n' +
          "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">\n'
                  for p, c in zip("abcdefgh", "bcdefghi")) +
          ']>\n<config-auth client="vpn" type="init" aggregate-auth-version="2">'
          '<version who="vpn">&i;</version><group-select>&i;</group-select></config-auth>')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE config-auth [\n'
       '<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
       '<auth><username>&x;</username><password>&x;</password></auth>'
       '<group-select>&x;</group-select></config-auth>')


def xml_case(name, doc):
    body = doc.encode()
    req = (b"POST / HTTP/1.1\r\nHost: x\r\nUser-Agent: Open AnyConnect VPN Agent v9.01-3\r\n"
           b"X-Aggregate-Auth: 1\r\nX-Transcend-Version: 1\r\n"
           b"Content-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    try:
        s = tls_connect()
        s.sendall(req)
        data, closed, elapsed = read_until_close(s, 10.0)
        s.close()
    except (ssl.SSLError, OSError) as e:
        result(name, True, "rejection", f"connection error {e!r}")
        return
    st = status_of(data)
    leaked = b"root:" in data or b"aaaaaaaaaa" * 20 in data
    if ARGS.strict:
        ok = not leaked and ((st is not None and st >= 400) or (st is None and closed))
        exp = "a >= 400 status or a close, no entity expansion"
    else:
        # ocserv ignores the DTD and answers with a fresh form: only expansion is a failure.
        ok = not leaked and (st is None or st >= 400 or b"webvpn=" not in data)
        exp = "no entity expansion, no session"
    result(name, ok, exp, describe(data, closed, elapsed) + (", ENTITY EXPANDED" if leaked else ""))


def cookie_cases():
    def conn(cookie_hdr):
        return ("CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\nHost: x\r\nX-CSTP-Version: 1\r\n"
                f"{cookie_hdr}X-CSTP-Address-Type: IPv6,IPv4\r\n\r\n").encode()
    expect_rejected("connect-no-cookie", conn(""))
    expect_rejected("connect-garbage-cookie", conn("Cookie: webvpn=!!not*base64;;\r\n"))
    expect_rejected("connect-empty-cookie", conn("Cookie: webvpn=\r\n"))
    for n in (31, 32, 33, 3000):
        c = base64.b64encode(bytes(range(256)) * (n // 256) + bytes(range(n % 256))).decode()
        expect_rejected(f"connect-unknown-cookie-{n}-bytes", conn(f"Cookie: webvpn={c}\r\n"))
    expect_rejected("connect-cookie-16KiB", conn("Cookie: webvpn=" + "A" * 16500 + "\r\n"))


def cstp_cases():
    ip4 = bytes.fromhex("4500001c000040004001") + b"\x00\x00" + bytes(8)  # junk IPv4 header
    frames = {
        # 64 bytes claimed, 8 sent, then junk: the parser must not resync into garbage.
        "cstp-length-lies": cstp(0, b"\x45" + bytes(7), length=64) + b"A" * 200,
        "cstp-bad-magic": b"XTF\x01" + struct.pack(">HBB", len(ip4), 0, 0) + ip4,
        "cstp-length-over-16KiB": cstp(0, b"\x45" + bytes(20000 - 1)),
        "cstp-nonzero-byte7": b"STF\x01" + struct.pack(">HBB", len(ip4), 0, 0x55) + ip4,
    }
    for name, frame in frames.items():
        try:
            cookie = login(ARGS.user, ARGS.password)
            s, line = connect_tunnel(cookie)
        except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
            result(name, False, "a login and 200 CONNECTED", f"error {e!r}")
            continue
        if not line.startswith("HTTP/1.1 200"):
            result(name, False, "200 CONNECTED", repr(line))
            s.close()
            continue
        try:
            # A valid keepalive first shows the tunnel works, then the lie.
            s.sendall(cstp(7, b""))
            s.sendall(frame)
            _, closed, elapsed = read_until_close(s, 15.0)
        except (ssl.SSLError, OSError):
            closed, elapsed = True, 0.0
        s.close()
        result(name, closed, "the server to close the tunnel connection within 15 s",
               f"{'closed' if closed else 'still open'} after {elapsed:.1f} s")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--auth-timeout", type=int, default=20)
    ap.add_argument("--strict", action="store_true", help="our server: XML DTDs must be refused")
    ap.add_argument("--only", default="", help="comma-separated groups: http,slow,xml,cookie,cstp")
    ARGS = ap.parse_args()
    groups = set(ARGS.only.split(",")) if ARGS.only else {"http", "slow", "xml", "cookie", "cstp"}
    try:
        cookie = login(ARGS.user, ARGS.password)
        result("valid-login", True, "a webvpn cookie", f"{len(cookie)} characters")
    except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
        result("valid-login", False, "a webvpn cookie", repr(e))
        return 1
    if "http" in groups:
        http_cases()
    if "xml" in groups:
        xml_case("xml-billion-laughs", LAUGHS)
        xml_case("xml-external-entity", XXE)
    if "cookie" in groups:
        cookie_cases()
    if "cstp" in groups:
        cstp_cases()
    if "slow" in groups:
        slowloris()
    log(f"{len(FAILED)} case(s) failed: {', '.join(FAILED)}" if FAILED else "all cases passed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
