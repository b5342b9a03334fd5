#!/usr/bin/env python3
"""The hostile clients of issue 12, each against a fresh entra-web process, for
bench/abuse.sh. Every scenario prints one JSON object: what it did and what it measured
(RSS growth of the server, answers a legitimate client got meanwhile, session files).

    abuse.py BIN PUBLIC_DIR SCENARIO [COUNT]     runs one scenario, prints its JSON
    abuse.py table BEFORE.jsonl AFTER.jsonl      prints the before/after table

Scenarios:
  pipelining COUNT  COUNT clients each send 64 KiB of pipelined GETs for a 4 KB static
                    file and never read (spread over 127.0.0.x so a per-client cap does not
                    turn them away); a legitimate client asks for /healthz meanwhile.
  reset-bodies      64 clients, 15 s: GET /login with a 1 MB body, reset after 50 ms.
  reset-plain       the same without a body: requests that reach the worker queue.
  login-flood       5,000 cookieless GET /login and 500 HEAD /login.
  trickle-1host     MAX_CONNECTIONS=40, HEAD_TIMEOUT=3: 40 clients from one address send a
                    body a byte every 2 s (reconnecting when cut off) while a client from
                    another address asks for /healthz every 0.25 s.
  trickle-40hosts   the same with the 40 clients on 40 addresses.
  crlf              20 connections send only CRLF every 2 s; how long the server keeps them.
"""
import asyncio
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
STATIC = "/static/bench-4k.txt"
SESSION_NAME = re.compile(r"^[0-9a-f]{64}$")


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def session_files(directory):
    return sum(1 for name in os.listdir(directory) if SESSION_NAME.match(name))


class Server:
    """One entra-web process with the development provider, its own session directory and
    log file, on a free port."""

    def __init__(self, binary, public, extra_env=None):
        self.port = free_port()
        self.sessions = tempfile.mkdtemp(prefix="entra-web-abuse-sessions.")
        self.log = tempfile.NamedTemporaryFile(prefix="entra-web-abuse.", suffix=".log", delete=False)
        env = dict(os.environ, HOST=HOST, PORT=str(self.port), SESSION_DIR=self.sessions, PUBLIC_DIR=public)
        env.update(extra_env or {})
        self.process = subprocess.Popen([binary, "--dev-idp"], env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), 0.2).close()
                break
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"server exited: {open(self.log.name).read()}")
                time.sleep(0.1)
        time.sleep(1)
        self.idle_rss = rss_kb(self.process.pid)
        self.peak_rss = self.idle_rss

    def sample(self):
        self.peak_rss = max(self.peak_rss, rss_kb(self.process.pid))

    def stop(self):
        self.process.send_signal(2)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.unlink(self.log.name)
        for name in os.listdir(self.sessions):
            os.unlink(os.path.join(self.sessions, name))
        os.rmdir(self.sessions)

    def growth_mb(self):
        return round((self.peak_rss - self.idle_rss) / 1024, 1)


async def sampler(server, stop):
    while not stop.is_set():
        server.sample()
        await asyncio.sleep(0.1)


async def read_response(reader, head_request=False):
    """Status of one response, its body consumed."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    length = int(match.group(1)) if match and not head_request else 0
    if length:
        await reader.readexactly(length)
    return status


async def probe(port, path="/healthz", source=HOST, timeout=5):
    """One request on a new connection: its status, or 0 when refused, cut or too slow."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port, local_addr=(source, 0)), timeout)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
        status = await asyncio.wait_for(read_response(reader), timeout)
        writer.close()
        return status
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
        return 0


async def probes(port, stop, interval, source=HOST):
    results = []
    while not stop.is_set():
        started = time.monotonic()
        status = await probe(port, source=source)
        results.append((status, time.monotonic() - started))
        await asyncio.sleep(interval)
    return results


def probe_summary(results):
    ok = [seconds for status, seconds in results if status == 200]
    return {
        "legit_ok": len(ok),
        "legit_total": len(results),
        "legit_503": sum(1 for status, _ in results if status == 503),
        "legit_max_ms": round(max(ok) * 1000, 1) if ok else None,
    }


async def pipelining(server, count, seconds=8):
    port = server.port
    one = f"GET {STATIC} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    burst = one * (64 * 1024 // len(one))
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler(server, stop))
    sockets = []
    errors = 0
    for i in range(count):
        try:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind((f"127.0.0.{2 + i // 200}", 0))
            s.setblocking(False)
            await asyncio.get_running_loop().sock_connect(s, (HOST, server.port))
            await asyncio.wait_for(asyncio.get_running_loop().sock_sendall(s, burst), 5)
            sockets.append(s)
        except (OSError, asyncio.TimeoutError):
            errors += 1
    # The legitimate client comes once every non-reader has sent its burst.
    probing = asyncio.create_task(probes(server.port, stop, 0.5))
    await asyncio.sleep(seconds)
    stop.set()
    await sampling
    results = await probing
    for s in sockets:
        s.close()
    return {"clients": count, "held": len(sockets), "client_errors": errors, "rss_growth_mb": server.growth_mb(),
            **probe_summary(results)}


async def reset_bodies(server, body_bytes, clients=64, seconds=15, reset_after=0.05):
    port = server.port
    head = f"GET /login HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Length: {body_bytes}\r\n\r\n".encode() if body_bytes else \
        f"GET /login HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    payload = head + b"x" * body_bytes
    deadline = time.monotonic() + seconds
    sent = [0]
    loop = asyncio.get_running_loop()

    async def client():
        while time.monotonic() < deadline:
            s = socket.socket()
            s.setblocking(False)
            started = time.monotonic()
            try:
                await loop.sock_connect(s, (HOST, server.port))
                await asyncio.wait_for(loop.sock_sendall(s, payload), reset_after)
                sent[0] += 1
                await asyncio.sleep(max(0, reset_after - (time.monotonic() - started)))
            except (OSError, asyncio.TimeoutError):
                pass
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()

    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler(server, stop))
    await asyncio.gather(*(client() for _ in range(clients)))
    at_stop = session_files(server.sessions)
    await asyncio.sleep(5)
    stop.set()
    await sampling
    after = session_files(server.sessions)
    return {"requests_sent": sent[0], "rss_growth_mb": server.growth_mb(), "session_files_at_stop": at_stop,
            "session_files_after_stop": after - at_stop}


async def login_flood(server, gets=5000, heads=500, connections=8):
    port = server.port
    async def worker(method, n):
        reader, writer = await asyncio.open_connection(HOST, server.port)
        for _ in range(n):
            writer.write(f"{method} /login HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
            await read_response(reader, head_request=method == "HEAD")
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker("GET", gets // connections) for _ in range(connections)))
    after_gets = session_files(server.sessions)
    await asyncio.gather(*(worker("HEAD", heads // connections) for _ in range(connections)))
    return {"requests": gets + heads, "seconds": round(time.monotonic() - started, 1),
            "session_files_get": after_gets, "session_files_head": session_files(server.sessions) - after_gets}


async def trickle(server, hosts, clients=40, seconds=20):
    port = server.port
    deadline = time.monotonic() + seconds
    stats = {"opened": 0, "cut_off": 0}

    async def attacker(i):
        source = "127.0.0.2" if hosts == 1 else f"127.0.0.{10 + i}"
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection(HOST, server.port, local_addr=(source, 0))
            except OSError:
                await asyncio.sleep(0.2)
                continue
            stats["opened"] += 1
            writer.write(f"POST /logout HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Length: 1000\r\n\r\n".encode())
            try:
                while time.monotonic() < deadline:
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 2)
                    except asyncio.TimeoutError:
                        writer.write(b"x")
                        await writer.drain()
                        continue
                    if not data:
                        stats["cut_off"] += 1
                        break
            except OSError:
                stats["cut_off"] += 1
            writer.close()

    stop = asyncio.Event()
    attackers = [asyncio.create_task(attacker(i)) for i in range(clients)]
    await asyncio.sleep(1)  # let them take the slots first
    probing = asyncio.create_task(probes(server.port, stop, 0.25, source=HOST))
    await asyncio.gather(*attackers)
    stop.set()
    results = await probing
    return {"attacker_hosts": hosts, **stats, **probe_summary(results)}


async def crlf(server, connections=20, seconds=40):
    async def one():
        reader, writer = await asyncio.open_connection(HOST, server.port)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                data = await asyncio.wait_for(reader.read(4096), 2)
                if not data:
                    return time.monotonic() - started
            except asyncio.TimeoutError:
                try:
                    writer.write(b"\r\n")
                    await writer.drain()
                except OSError:
                    return time.monotonic() - started
            except OSError:
                return time.monotonic() - started
        writer.close()
        return None

    held = await asyncio.gather(*(one() for _ in range(connections)))
    closed = [h for h in held if h is not None]
    return {"connections": connections, "still_open_after_s": seconds, "still_open": connections - len(closed),
            "max_held_s": round(max(closed), 1) if closed else None}


SCENARIOS = {
    "pipelining": lambda s, n: pipelining(s, n),
    "reset-bodies": lambda s, n: reset_bodies(s, 1_000_000),
    "reset-plain": lambda s, n: reset_bodies(s, 0),
    "login-flood": lambda s, n: login_flood(s),
    "trickle-1host": lambda s, n: trickle(s, 1),
    "trickle-40hosts": lambda s, n: trickle(s, 40),
    "crlf": lambda s, n: crlf(s),
}

ENV = {
    "trickle-1host": {"MAX_CONNECTIONS": "40", "HEAD_TIMEOUT": "3"},
    "trickle-40hosts": {"MAX_CONNECTIONS": "40", "HEAD_TIMEOUT": "3"},
    "crlf": {"HEAD_TIMEOUT": "3"},
}


def run(binary, public, scenario, count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server = Server(binary, public, ENV.get(scenario))
    try:
        result = asyncio.run(SCENARIOS[scenario](server, count))
    finally:
        server.stop()
    print(json.dumps({"scenario": scenario, **result}))


ROWS = [
    ("pipelining", "rss_growth_mb", "RSS growth, MB"),
    ("pipelining", "legit_ok", "/healthz answered (of legit_total)"),
    ("pipelining", "legit_max_ms", "slowest /healthz answer, ms"),
    ("reset-bodies", "rss_growth_mb", "RSS growth, MB"),
    ("reset-bodies", "session_files_at_stop", "session files when they stop"),
    ("reset-bodies", "session_files_after_stop", "session files appearing after"),
    ("reset-plain", "rss_growth_mb", "RSS growth, MB"),
    ("reset-plain", "session_files_at_stop", "session files when they stop"),
    ("reset-plain", "session_files_after_stop", "session files appearing after"),
    ("login-flood", "session_files_get", "session files (5,000 GET)"),
    ("login-flood", "session_files_head", "session files (500 HEAD)"),
    ("trickle-1host", "legit_ok", "legit /healthz 200 (of legit_total)"),
    ("trickle-1host", "legit_503", "legit 503s"),
    ("trickle-40hosts", "legit_ok", "legit /healthz 200 (of legit_total)"),
    ("trickle-40hosts", "legit_503", "legit 503s"),
    ("crlf", "still_open", "of 20 still open after 40 s"),
    ("crlf", "max_held_s", "longest held, s"),
]


def table(before_path, after_path):
    def load(path):
        results = {}
        for line in open(path):
            if line.strip():
                item = json.loads(line)
                key = item["scenario"] + (f" {item['clients']}" if "clients" in item else "")
                results[key] = item
        return results

    before, after = load(before_path), load(after_path)

    def cell(results, scenario, field):
        item = results.get(scenario)
        if item is None:
            return "-"
        value = item.get(field)
        if field in ("legit_ok",) and value is not None:
            return f"{value}/{item['legit_total']}"
        return "-" if value is None else str(value)

    scenarios = sorted(set(before) | set(after), key=lambda k: (k.split()[0], int(k.split()[1]) if " " in k else 0))
    print(f"{'scenario':<22} {'measure':<38} {'before (main)':>14} {'after':>10}")
    print(f"{'--------':<22} {'-------':<38} {'-------------':>14} {'-----':>10}")
    for scenario in scenarios:
        for name, field, label in ROWS:
            if scenario.split()[0] == name:
                print(f"{scenario:<22} {label:<38} {cell(before, scenario, field):>14} {cell(after, scenario, field):>10}")


if __name__ == "__main__":
    if sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 200)
