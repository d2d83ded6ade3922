# SPDX-License-Identifier: GPL-2.0-or-later
# Abuse cases for 57-bad-input-abuse.sh, on top of lib/badinput.py (imported, its ARGS set
# here): HTTP pipelining/desync attempts, XML deep nesting and entity tricks in the auth
# reply, and a parallel flood of failed logins from one source. Standard library only.
#   abuse.py desync|xml  ... exit 1 if any case failed
#   abuse.py flood       ... prints "attempts=N failed=N refused=N succeeded=N elapsed=S"
import argparse
import os
import re
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import badinput as bi  # noqa: E402

CONNECTED = re.compile(rb"HTTP/1\.[01] 200")


def connect_req(cookie):
    return ("CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\n"
            f"Host: {bi.ARGS.host}:{bi.ARGS.port}\r\n"
            "User-Agent: Open AnyConnect VPN Agent v9.01-3\r\n"
            f"Cookie: webvpn={cookie}\r\n"
            "X-CSTP-Version: 1\r\nX-CSTP-Hostname: smuggled\r\nX-CSTP-MTU: 1400\r\n"
            "X-CSTP-Address-Type: IPv6,IPv4\r\n\r\n").encode()


def raw_exchange(payload, limit=8.0):
    """Send payload on a fresh TLS connection; returns (data, closed, elapsed) or None."""
    try:
        s = bi.tls_connect()
        s.sendall(payload)
        out = bi.read_until_close(s, limit)
        s.close()
        return out
    except (ssl.SSLError, OSError):
        return None


def smuggle_case(name, payload, first_may_connect=False):
    """No response on this connection may be a served tunnel (X-CSTP- headers / 200 for the
    smuggled CONNECT); the connection must end (close or >= 400) within the limit."""
    out = raw_exchange(payload)
    if out is None:
        bi.result(name, True, "no smuggled request served", "connection error (closed)")
        return
    data, closed, elapsed = out
    statuses = [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3})", data)]
    served = b"X-CSTP-Address" in data or b"X-CSTP-Session-Timeout" in data
    if first_may_connect:
        # A real CONNECT answered 200 is fine; the trailing bytes must then end the tunnel.
        ok = closed
        exp = "the tunnel closed on the trailing non-CSTP bytes"
    else:
        ok = not served and (closed or any(st >= 400 for st in statuses))
        exp = "no tunnel served to the smuggled CONNECT, a refusal or a close"
    bi.result(name, ok, exp, f"statuses {statuses}, {'tunnel headers' if served else 'no tunnel'},"
              f" {'closed' if closed else 'still open'} after {elapsed:.1f} s")


def desync_cases():
    cookie = bi.login(bi.ARGS.user, bi.ARGS.password)
    smug = connect_req(cookie)
    host = f"Host: {bi.ARGS.host}:{bi.ARGS.port}\r\n".encode()
    hdr = (b"User-Agent: Open AnyConnect VPN Agent v9.01-3\r\nX-Aggregate-Auth: 1\r\n"
           b"X-Transcend-Version: 1\r\nContent-Type: application/xml\r\n")
    init = bi.INIT.format(host=bi.ARGS.host, port=bi.ARGS.port).encode()
    # CL.TE: Content-Length covers the chunked terminator only; TE would end the body early.
    body = b"0\r\n\r\n" + smug
    smuggle_case("desync-cl-te", b"POST / HTTP/1.1\r\n" + host + hdr +
                 b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    # TE.CL: the chunked body holds the smuggled request, Content-Length says 4.
    chunk = b"%x\r\n" % len(smug) + smug + b"\r\n0\r\n\r\n"
    smuggle_case("desync-te-cl", b"POST / HTTP/1.1\r\n" + host + hdr +
                 b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunk)
    # Obfuscated Transfer-Encoding variants.
    for i, te in enumerate((b"Transfer-Encoding : chunked", b"Transfer-Encoding: xchunked",
                            b"Transfer-Encoding:\tchunked", b"Transfer-Encoding: chunked, identity")):
        smuggle_case(f"desync-te-obfuscated-{i}", b"POST / HTTP/1.1\r\n" + host + hdr + te +
                     b"\r\nContent-Length: 5\r\n\r\n" + body)
    # Two different Content-Lengths: the shorter one would leave the CONNECT as a next request.
    smuggle_case("desync-double-content-length",
                 b"POST / HTTP/1.1\r\n" + host + hdr + b"Content-Length: %d\r\nContent-Length: %d"
                 b"\r\n\r\n" % (len(init), len(init) + len(smug)) + init + smug)
    # A CONNECT inside a Content-Length body is body, never a request.
    pipelined = bi.Http()
    try:
        st, _, resp = pipelined.request("POST", "/", smug)
        served = "X-CSTP" in resp or 'type="complete"' in resp
        bi.result("desync-connect-in-body", not served, "the body not served as a CONNECT",
                  f"HTTP {st}, {'served' if served else 'not served'}")
    except (ConnectionError, ssl.SSLError, OSError) as e:
        bi.result("desync-connect-in-body", True, "not served", f"closed ({e!r})")
    pipelined.close()
    # A GET pipelined ahead of the CONNECT: any order the server picks, no tunnel headers may
    # come back for a CONNECT whose request line was split across a bogus header.
    smuggle_case("desync-header-line-folding",
                 b"GET / HTTP/1.1\r\n" + host + b"X-Folded: a\r\n " + smug.split(b"\r\n", 1)[0] +
                 b"\r\n\r\n")
    # CONNECT with an unknown cookie pipelined with a second unknown one and junk: no tunnel
    # for either, whatever the server does with pipelined requests.
    smuggle_case("desync-connect-bad-cookies-pipelined",
                 connect_req("AAAA" * 8) + connect_req("QUJD" * 11) + b"\x00" * 64)
    # A valid CONNECT followed at once by HTTP bytes: 200, then the junk must end the tunnel.
    smuggle_case("desync-connect-then-http-bytes",
                 smug + b"GET / HTTP/1.1\r\n" + host + b"\r\n" + b"A" * 512, first_may_connect=True)
    # The hostile user still logs in afterwards.
    try:
        bi.login(bi.ARGS.user, bi.ARGS.password)
        bi.result("login-after-desync", True, "a webvpn cookie", "one")
    except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
        bi.result("login-after-desync", False, "a webvpn cookie", repr(e))


def auth_reply(inner, dtd=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + dtd +
            '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
            '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id>'
            f'<auth>{inner}</auth></config-auth>').encode()


def xml_reply_case(name, doc, limit=15.0):
    """After a real init, send doc as the auth reply on the same connection: no session (no
    webvpn cookie / complete), no expansion, an answer or a close within limit."""
    h = bi.Http()
    try:
        st, _, body = h.request("POST", "/", bi.INIT.format(host=bi.ARGS.host,
                                                         port=bi.ARGS.port).encode())
        action = re.search(r'<form[^>]*\baction="([^"]+)"', body)
        h.cookies.pop("webvpn", None)
        t0 = time.monotonic()
        h.s.settimeout(limit)
        st, headers, resp = h.request("POST", action.group(1) if action else "/", doc)
        took = time.monotonic() - t0
        sess = 'type="complete"' in resp or any(k == "set-cookie" and v.startswith("webvpn=")
                                                and len(v) > 20 for k, v in headers)
        leaked = "aaaaaaaaaa" * 20 in resp or "root:" in resp
        bi.result(name, not sess and not leaked, "a refusal, no session, no expansion",
                  f"HTTP {st} after {took:.1f} s{', SESSION' if sess else ''}"
                  f"{', EXPANDED' if leaked else ''}")
    except (ConnectionError, ssl.SSLError, OSError) as e:
        bi.result(name, True, "a refusal", f"closed ({e!r})")
    finally:
        h.close()


def xml_cases():
    creds = f"<username>{bi.ARGS.user}</username><password>{bi.ARGS.password}</password>"
    deep = "<a>" * 100000 + "</a>" * 100000
    xml_reply_case("xml-nesting-100000", auth_reply(creds + deep))
    xml_reply_case("xml-nesting-100000-unclosed", auth_reply(creds + "<a>" * 100000))
    xml_reply_case("xml-nesting-5000", auth_reply(creds + "<a>" * 5000 + "</a>" * 5000))
    xml_reply_case("xml-nesting-attrs", auth_reply(creds + "<a x='1' y='2'>" * 20000 +
                                                   "</a>" * 20000))
    big = "a" * 50000
    quad = f'<!DOCTYPE config-auth [<!ENTITY a "{big}">]>\n'
    xml_reply_case("xml-quadratic-blowup", auth_reply(
        f"<username>{'&a;' * 2000}</username><password>x</password>", quad))
    laughs = ('<!DOCTYPE config-auth [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' +
              "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                      for p, c in zip("abcdefgh", "bcdefghi")) + ']>\n')
    xml_reply_case("xml-laughs-in-auth-reply",
                   auth_reply("<username>&i;</username><password>&i;</password>", laughs))
    pe = ('<!DOCTYPE config-auth [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;'
          '<!ENTITY % q "<!ENTITY x \'&#x25;p;\'>"> %q;]>\n')
    xml_reply_case("xml-parameter-entities", auth_reply("<username>&x;</username>", pe))
    xml_reply_case("xml-entity-credentials", auth_reply(
        "<username>&u;</username><password>&p;</password>",
        f'<!DOCTYPE config-auth [<!ENTITY u "{bi.ARGS.user}"><!ENTITY p "{bi.ARGS.password}">]>\n'))
    xml_reply_case("xml-char-refs-huge", auth_reply(
        "<username>" + "&#65;" * 100000 + "</username><password>x</password>"))
    try:
        bi.login(bi.ARGS.user, bi.ARGS.password)
        bi.result("login-after-xml", True, "a webvpn cookie", "one")
    except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
        bi.result("login-after-xml", False, "a webvpn cookie", repr(e))


def failed_login():
    """One connection, one wrong password. Returns failed|refused|succeeded."""
    h = bi.Http()
    try:
        st, _, body = h.request("POST", "/", bi.INIT.format(host=bi.ARGS.host,
                                                         port=bi.ARGS.port).encode())
        if st != 200 or "<form" not in body:
            return "refused"
        action = re.search(r'<form[^>]*\baction="([^"]+)"', body)
        opaque = re.search(r"<opaque.*?</opaque>", body, re.S)
        reply = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<config-auth client="vpn" type="auth-reply" aggregate-auth-version="2">'
                 '<version who="vpn">v9.01-3</version><device-id>linux-64</device-id>'
                 f'{opaque.group(0) if opaque else ""}<auth><username>{bi.ARGS.user}</username>'
                 '<password>Wrong-Pass-0</password></auth></config-auth>')
        st, _, body = h.request("POST", action.group(1) if action else "/", reply.encode())
        return "succeeded" if 'type="complete"' in body else "failed"
    except (ConnectionError, ssl.SSLError, OSError):
        return "refused"
    finally:
        h.close()


def flood(total, parallel, deadline_s):
    counts = {"failed": 0, "refused": 0, "succeeded": 0}
    lock = threading.Lock()
    started = [0]
    t0 = time.monotonic()

    def worker():
        while time.monotonic() - t0 < deadline_s:
            with lock:
                if started[0] >= total:
                    return
                started[0] += 1
            r = failed_login()
            with lock:
                counts[r] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(deadline_s + 30)
    n = sum(counts.values())
    print(f"attempts={n} failed={counts['failed']} refused={counts['refused']} "
          f"succeeded={counts['succeeded']} elapsed={time.monotonic() - t0:.1f}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("desync", "xml", "flood"))
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=32)
    ap.add_argument("--deadline", type=float, default=60.0)
    args = ap.parse_args()
    args.auth_timeout = 20
    bi.ARGS = args
    if args.mode == "flood":
        return flood(args.count, args.parallel, args.deadline)
    try:
        {"desync": desync_cases, "xml": xml_cases}[args.mode]()
    except (RuntimeError, ConnectionError, ssl.SSLError, OSError) as e:
        bi.result(args.mode, False, "the cases to run", repr(e))
    bi.log(f"{len(bi.FAILED)} case(s) failed: {', '.join(bi.FAILED)}" if bi.FAILED
           else "all cases passed")
    return 1 if bi.FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
