# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile UDP for 35-dtls-garbage.sh: garbage datagrams, truncated and lying DTLS records,
# ClientHellos with random/unknown/oversized session ids and a flood of ClientHellos from many
# source ports, all to the server's DTLS port. Sending only: the shell script judges the server.
# Python standard library only.
import argparse
import os
import random
import socket
import struct
import sys
import time

SUITES = bytes.fromhex("c030c02f009d009c00a800a9cca8")  # ECDHE/RSA/PSK AES-GCM, ChaCha


def record(ctype, payload, version=b"\xfe\xfd", epoch=0, seq=0, length=None):
    n = len(payload) if length is None else length
    return (bytes([ctype]) + version + struct.pack(">H", epoch) + seq.to_bytes(6, "big") +
            struct.pack(">H", n) + payload)


def client_hello(sid, cookie=b"", version=b"\xfe\xfd", sid_len=None, exts=b"", frag_len=None,
                 rec_version=b"\xfe\xfd"):
    body = (version + os.urandom(32) + bytes([len(sid) if sid_len is None else sid_len]) + sid +
            bytes([len(cookie)]) + cookie + struct.pack(">H", len(SUITES)) + SUITES + b"\x01\x00")
    if exts:
        body += struct.pack(">H", len(exts)) + exts
    n = len(body)
    hs = (b"\x01" + n.to_bytes(3, "big") + b"\x00\x00" + b"\x00\x00\x00" +
          (n if frag_len is None else frag_len).to_bytes(3, "big") + body)
    return record(22, hs, version=rec_version)


def cases():
    """(name, datagram) pairs."""
    rnd = random.Random(0x0C5E)
    out = [("empty", b""), ("one-byte", b"\x16"), ("header-only", record(22, b"")[:13])]
    for n in (1, 12, 13, 14, 100, 1200, 1500, 9000, 65000):
        out.append((f"random-{n}", bytes(rnd.getrandbits(8) for _ in range(n))))
    out += [
        ("record-length-lies", record(22, b"\x01" * 10, length=4000)),
        ("record-length-zero", record(22, b"", length=0)),
        ("appdata-epoch1-garbage", record(23, os.urandom(64), epoch=1, seq=5)),
        ("appdata-epoch0", record(23, os.urandom(64))),
        ("alert", record(21, b"\x02\x28")),
        ("ccs", record(20, b"\x01")),
        ("unknown-content-type", record(99, os.urandom(40))),
        ("dtls09-hello", client_hello(os.urandom(32), version=b"\x01\x00",
                                      rec_version=b"\x01\x00")),
        ("tls12-version-hello", client_hello(os.urandom(32), version=b"\x03\x03",
                                             rec_version=b"\x03\x03")),
        ("hello-random-sid", client_hello(os.urandom(32))),
        ("hello-zero-sid", client_hello(bytes(32))),
        ("hello-empty-sid", client_hello(b"")),
        ("hello-short-sid", client_hello(os.urandom(8))),
        ("hello-sid-len-33", client_hello(os.urandom(33))),
        ("hello-sid-len-255-lies", client_hello(os.urandom(32), sid_len=255)),
        ("hello-with-cookie", client_hello(os.urandom(32), cookie=os.urandom(32))),
        ("hello-fragment-lies", client_hello(os.urandom(32), frag_len=0xFFFFFF)),
        ("hello-appid-ext", client_hello(b"", exts=b"\xbb\x92\x00\x21\x20" + os.urandom(32))),
        ("hello-ext-len-lies", client_hello(os.urandom(32), exts=b"\x00\x0a\xff\xff")),
    ]
    full = client_hello(os.urandom(32))
    for cut in (14, 20, 25, 40, 60, len(full) - 1):
        out.append((f"hello-truncated-{cut}", full[:cut]))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--flood", type=int, default=10000)
    p.add_argument("--sockets", type=int, default=200)
    a = p.parse_args()
    dst = (a.host, a.port)

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = 0
    for name, dgram in cases():
        for _ in range(3):
            try:
                s.sendto(dgram, dst)
                n += 1
            except OSError as e:
                print(f"case {name}: send failed: {e}", file=sys.stderr)
        time.sleep(0.01)
    print(f"sent {n} garbage/truncated/lying datagrams", file=sys.stderr)

    # The flood: ClientHellos with random session ids from many source ports.
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(a.sockets)]
    sent = 0
    start = time.monotonic()
    for i in range(a.flood):
        try:
            socks[i % len(socks)].sendto(client_hello(os.urandom(32)), dst)
            sent += 1
        except OSError:
            pass
        if i % 500 == 499:
            time.sleep(0.02)  # keep it a flood, not a socket-buffer overflow test
    el = time.monotonic() - start
    print(f"flooded {sent} ClientHellos from {len(socks)} source ports in {el:.1f} s",
          file=sys.stderr)
    for x in socks:
        x.close()
    s.close()


if __name__ == "__main__":
    main()
