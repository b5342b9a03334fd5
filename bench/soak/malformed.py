#!/usr/bin/env python3
"""Sends malformed and abusive requests to entra-web in a loop, for bench/soak.sh: each on a
new connection, each expecting the parser's refusal (the status below) followed by the
server closing the connection; a few end abruptly (reset, truncated body) and expect only
that the server copes.

    malformed.py PORT SECONDS [RATE]     RATE: connections per second (default 200)
Four clients share the rate, so one slow answer under load does not stall the rest.
Prints one JSON line: sent, answered as expected, unexpected outcomes (with examples).
Exits 1 when any outcome was unexpected.
"""
import json
import re
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
MAX_SENT = 10_000_000  # bounds the loop
CLIENTS = 4
H = b"Host: 127.0.0.1\r\n"

# (name, bytes, expected statuses in order (empty: no response, just a close), how to end)
CASES = [
    ("bad request line", b"GET/ HTTP/1.1\r\n" + H + b"\r\n", [400], "wait"),
    ("extra space in request line", b"GET  / HTTP/1.1\r\n" + H + b"\r\n", [400], "wait"),
    ("oversized header", b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 40000 + b"\r\n\r\n", [431], "wait"),
    ("too many headers", b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(120)) + b"\r\n", [431], "wait"),
    ("URI too long", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", [414], "wait"),
    ("CL and TE", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400], "wait"),
    ("differing CLs", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", [400], "wait"),
    ("TE not chunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", [400], "wait"),
    ("bad chunk size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", [400], "wait"),
    ("huge Content-Length", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999\r\n\r\n", [413], "wait"),
    ("NUL in header", b"GET / HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", [400], "wait"),
    ("NUL in request line", b"GET /\x00 HTTP/1.1\r\n" + H + b"\r\n", [400], "wait"),
    ("bare LF", b"GET / HTTP/1.1\n" + H + b"\n", [400], "wait"),
    ("bare CR", b"GET / HTTP/1.1\rHost: a\r\n\r\n", [400], "wait"),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", [400], "wait"),
    ("space before colon", b"GET / HTTP/1.1\r\n" + H + b"X : a\r\n\r\n", [400], "wait"),
    ("missing Host", b"GET / HTTP/1.1\r\n\r\n", [400], "wait"),
    ("duplicate Host", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", [400], "wait"),
    ("unknown method", b"BREW / HTTP/1.1\r\n" + H + b"\r\n", [501], "wait"),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\n" + H + b"\r\n", [505], "wait"),
    ("unsupported Expect", b"PUT / HTTP/1.1\r\n" + H + b"Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx", [417], "wait"),
    ("TLS hello on plain port", bytes.fromhex("16030100a5010000a10303") + b"\x00" * 40, [400], "wait"),
    ("binary garbage", bytes(range(256)), [400], "wait"),
    ("good then bad, pipelined", b"GET /healthz HTTP/1.1\r\n" + H + b"\r\nGET / HTTP/1.1\r\nX\r\n\r\n", [200, 400], "wait"),
    ("body shorter than CL, then EOF", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\nshort", [], "half-close"),
    ("head cut short, then EOF", b"GET / HTTP/1.1\r\nHo", [], "half-close"),
    ("reset mid-head", b"GET / HTTP/1.1\r\nHost: 12", None, "reset"),
    ("reset mid-body", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 100000\r\n\r\n" + b"x" * 5000, None, "reset"),
]

STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


def exchange(port, payload, ending):
    """Sends `payload`, ends as told, returns (statuses seen, server closed cleanly)."""
    with socket.create_connection((HOST, port), timeout=5) as s:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading everything (oversized heads)
        if ending == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return None, True
        if ending == "half-close":
            s.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            return [int(m) for m in STATUS.findall(data)], False
        except ConnectionResetError:
            # Refused before the whole request was read: the response may be cut short by
            # the reset; what did arrive must still be right.
            pass
        return [int(m) for m in STATUS.findall(data)], True


def client(port, deadline, interval, stats, lock):
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        with lock:
            if stats["sent"] >= MAX_SENT:
                return
            name, payload, expected, ending = CASES[stats["sent"] % len(CASES)]
            stats["sent"] += 1
        try:
            statuses, closed = exchange(port, payload, ending)
            ok = closed and (expected is None or statuses == expected)
            detail = f"got {statuses}, closed={closed}"
        except OSError as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        with lock:
            if ok:
                stats["as_expected"] += 1
            else:
                stats["unexpected"] += 1
                if len(stats["examples"]) < 5:
                    stats["examples"].append(f"{name}: expected {expected}, {detail}")
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 200.0
    stats = {"sent": 0, "as_expected": 0, "unexpected": 0, "examples": []}
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(port, deadline, CLIENTS / rate, stats, lock))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(stats), flush=True)
    sys.exit(1 if stats["unexpected"] else 0)


if __name__ == "__main__":
    main()
