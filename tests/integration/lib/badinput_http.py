# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile-client cases for 26-bad-input-http.sh (helpers from badinput.py): HTTP pipelining in
# both timings (same read, during the auth wait), the requests-per-connection limit, a stalled
# TLS handshake, XML that is not well-formed and duplicate fields. Every case also checks the
# server's log line for it. Then fresh tunnels until every worker has served one. Standard
# library only; exit status 1 if any case failed.
import argparse
import re
import socket
import ssl
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import badinput as bi  # noqa: E402
from badinput import log, result, tls_connect, read_until_close, status_of, describe  # noqa: E402

ARGS = None


# ---------------------------------------------------------------- server log
class ServerLog:
    """Lines the server logged since mark()."""

    def __init__(self, path):
        self.path = path
        self.pos = 0

    def mark(self):
        with open(self.path, "rb") as f:
            f.seek(0, 2)
            self.pos = f.tell()

    def since(self):
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            return f.read().decode("utf-8", "replace")

    def wait_for(self, pattern, limit=5.0):
        """The first new line matching pattern within limit seconds, or None."""
        deadline = time.monotonic() + limit
        while True:
            m = re.search(pattern, self.since())
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.1)


SLOG = None


def expect_log(name, pattern, limit=5.0):
    m = SLOG.wait_for(pattern, limit)
    result(name + "/log", m is not None, f"a server log line /{pattern}/",
           repr(m.group(0)) if m else "no such line")


# ---------------------------------------------------------------- raw HTTP helpers
def get(path="/"):
    return (f"GET {path} HTTP/1.1\r\nHost: {ARGS.host}\r\n"
            "User-Agent: Open AnyConnect VPN Agent v9.01-3\r\n\r\n").encode()


def post(body, cookies=""):
    body = body.encode()
    return (b"POST / HTTP/1.1\r\nHost: x\r\nUser-Agent: Open AnyConnect VPN Agent v9.01-3\r\n"
            b"X-Aggregate-Auth: 1\r\nX-Transcend-Version: 1\r\n" +
            (f"Cookie: {cookies}\r\n".encode() if cookies else b"") +
            b"Content-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


def responses(data):
    """Status codes of the HTTP responses in data, in order (Content-Length framed)."""
    out = []
    while data:
        m = re.match(rb"HTTP/1\.[01] (\d{3})[^\r]*\r\n(.*?)\r\n\r\n", data, re.S)
        if not m:
            break
        cl = re.search(rb"(?im)^content-length:\s*(\d+)", m.group(2))
        data = data[m.end() + (int(cl.group(1)) if cl else 0):]
        out.append(int(m.group(1)))
    return out


INIT = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<config-auth client="vpn" type="init" aggregate-auth-version="2">'
        '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id></config-auth>')


def reply(user, password, opaque=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
            '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id>'
            f'{opaque}<auth><username>{user}</username><password>{password}</password>'
            '</auth></config-auth>')


def init_form(s):
    """POST init on s; returns the opaque element of the form (or "")."""
    s.sendall(post(INIT))
    buf = b""
    while b"</config-auth>" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the form")
        buf += chunk
    m = re.search(rb"<opaque.*?</opaque>", buf, re.S)
    return m.group(0).decode() if m else ""


# ---------------------------------------------------------------- the cases
def pipeline_same_read():
    name = "pipeline-same-read"
    SLOG.mark()
    s = tls_connect()
    s.sendall(get() + get())  # one write, one TLS record: both in the server's same read
    data, closed, elapsed = read_until_close(s, 10.0)
    s.close()
    st = responses(data)
    result(name, st[:1] == [200] and len(st) == 2 and st[1] == 400 and closed,
           "the first answered (200), the second refused (400), then a close",
           f"statuses {st}, {'closed' if closed else 'open'} after {elapsed:.1f} s")
    expect_log(name, r"pipelined HTTP request refused")


def pipeline_during_auth(user, password, name, same_record):
    """An auth-reply (slow hash: seconds in the auth pool) and a GET behind it, either in the
    same record or sent while the verdict is pending. Both must give: the login answered, the
    GET refused with 400, a close."""
    SLOG.mark()
    s = tls_connect(timeout=20.0)
    opaque = init_form(s)
    if same_record:
        s.sendall(post(reply(user, password, opaque)) + get())
    else:
        s.sendall(post(reply(user, password, opaque)))
        time.sleep(0.3)  # the hash takes seconds: this GET arrives during the auth wait
        s.sendall(get())
    data, closed, elapsed = read_until_close(s, 20.0)
    s.close()
    st = responses(data)
    logged_in = b"webvpn=" in data or b'type="complete"' in data
    result(name, st == [200, 400] and logged_in and closed,
           "the login answered (200, complete), the pipelined GET refused (400), a close",
           f"statuses {st}, login {'complete' if logged_in else 'not complete'}, "
           f"{'closed' if closed else 'open'} after {elapsed:.1f} s")
    expect_log(name, r"pipelined HTTP request refused")
    if not same_record:
        # The GET went out 0.3 s after the login; the answer came after >= 1 s (the slow
        # hash), so the GET really arrived while the verdict was pending.
        result(name + "/timing", elapsed >= 1.0, "the verdict to take >= 1 s (the slow hash)",
               f"{elapsed:.1f} s")


def max_requests():
    name = "requests-per-connection"
    SLOG.mark()
    s = tls_connect()
    st = []
    closed = False
    for _ in range(17):
        try:
            s.sendall(get())
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                buf += chunk
        except (ssl.SSLError, OSError):
            closed = True
        if closed:
            break
        st += responses(buf) or [status_of(buf)]
    data, closed2, _ = read_until_close(s, 5.0)
    s.close()
    ok = st[:16] == [200] * 16 and st[16:] == [429] and (closed or closed2)
    result(name, ok, "16 keep-alive requests answered 200, the 17th 429, then a close",
           f"{len(st)} answers: {st[:3]}…{st[-2:]}, {'closed' if closed or closed2 else 'open'}")
    expect_log(name, r"more than 16 HTTP requests on one connection")


def half_client_hello():
    """The first half of a real TLS ClientHello."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=ARGS.host)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    return hello[:len(hello) // 2]


def stalled_handshake():
    name = "stalled-tls-handshake"
    limit = ARGS.handshake_timeout + 10
    SLOG.mark()
    raw = socket.create_connection((ARGS.host, ARGS.port), timeout=limit)
    raw.sendall(half_client_hello())
    start = time.monotonic()
    closed = False
    while time.monotonic() - start < limit:
        raw.settimeout(limit - (time.monotonic() - start))
        try:
            if not raw.recv(4096):
                closed = True
                break
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
    elapsed = time.monotonic() - start
    raw.close()
    lo = ARGS.handshake_timeout - 2
    result(name, closed and lo <= elapsed <= limit,
           f"a close after the {ARGS.handshake_timeout} s handshake deadline (within {lo}..{limit} s)",
           f"{'closed' if closed else 'still open'} after {elapsed:.1f} s")
    expect_log(name, r"closed: TLS handshake timeout")


def xml_bad(name, doc):
    SLOG.mark()
    s = tls_connect()
    s.sendall(post(doc))
    data, closed, elapsed = read_until_close(s, 10.0)
    s.close()
    st = status_of(data)
    result(name, st == 400 and closed and b"webvpn=" not in data,
           "400 Bad Request and a close, no session", describe(data, closed, elapsed))
    expect_log(name, r"malformed authentication request")


def xml_cases():
    user, pw = ARGS.user, ARGS.password
    xml_bad("xml-not-well-formed",
            '<?xml version="1.0"?><config-auth client="vpn" type="auth-reply">'
            f'<auth><username>{user}</username><password>{pw}</password></auth>')
    xml_bad("xml-mismatched-tags",
            '<config-auth client="vpn" type="auth-reply">'
            f'<auth><username>{user}</password></auth></config-auth>')
    xml_bad("xml-duplicate-username",
            '<config-auth client="vpn" type="auth-reply"><auth>'
            f'<username>{user}</username><username>admin</username>'
            f'<password>{pw}</password></auth></config-auth>')
    xml_bad("xml-duplicate-password",
            '<config-auth client="vpn" type="auth-reply"><auth>'
            f'<username>{user}</username><password>x</password>'
            f'<password>{pw}</password></auth></config-auth>')


def all_workers_serve():
    """Fresh logins + CONNECTs until every worker logged a tunnel (SO_REUSEPORT spreads new
    connections by their source port), at most 30 tries."""
    name = "all-workers-serve"
    want = set(range(ARGS.workers))
    seen = set()
    SLOG.mark()
    tries = 0
    while seen != want and tries < 30:
        tries += 1
        try:
            cookie = bi.login(ARGS.user, ARGS.password)
            s, line = bi.connect_tunnel(cookie)
            s.close()
        except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
            result(name, False, "a login and a tunnel", f"error {e!r} on try {tries}")
            return
        if not line.startswith("HTTP/1.1 200"):
            result(name, False, "200 CONNECTED", repr(line))
            return
        time.sleep(0.2)
        seen = {int(w) for w in re.findall(r"tunnel up on worker (\d+)", SLOG.since())}
    result(name, seen == want, f"tunnels served by workers {sorted(want)}",
           f"workers {sorted(seen)} after {tries} tries")


def main():
    global ARGS, SLOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--slow-user", required=True, help="a user whose hash takes seconds")
    ap.add_argument("--slow-password", required=True)
    ap.add_argument("--server-log", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--handshake-timeout", type=int, default=30)
    ap.add_argument("--only", default="", help="comma-separated: pipe,max,xml,tls,workers")
    ARGS = ap.parse_args()
    bi.ARGS = argparse.Namespace(host=ARGS.host, port=ARGS.port, ca=ARGS.ca, strict=True)
    SLOG = ServerLog(ARGS.server_log)
    groups = set(ARGS.only.split(",")) if ARGS.only else {"pipe", "max", "xml", "tls", "workers"}
    if "pipe" in groups:
        pipeline_same_read()
        pipeline_during_auth(ARGS.slow_user, ARGS.slow_password, "pipeline-same-record-as-login",
                             True)
        pipeline_during_auth(ARGS.slow_user, ARGS.slow_password, "pipeline-during-auth-wait",
                             False)
    if "max" in groups:
        max_requests()
    if "xml" in groups:
        xml_cases()
    if "tls" in groups:
        stalled_handshake()
    if "workers" in groups:
        all_workers_serve()
    failed = bi.FAILED
    log(f"{len(failed)} case(s) failed: {', '.join(failed)}" if failed else "all cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
