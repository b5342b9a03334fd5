#!/usr/bin/env python3
"""Holds N slowloris connections to entra-web for bench/soak.sh: each sends a request line
and then one header byte-pair at a time, never finishing the head. The server must drop
each within its head timeout (the deadline is fixed when the head starts, not renewed per
byte); a dropped connection is replaced at once, so about N stay open throughout.

    slowloris.py PORT CONNECTIONS SECONDS
Prints one JSON line: connections opened, dropped by the server, answered 408, the
longest any connection was held, and connection errors.
"""
import asyncio
import json
import sys
import time

HOST = "127.0.0.1"
TRICKLE_INTERVAL = 1.0  # seconds between header fragments
MAX_CONNECTIONS_OPENED = 1_000_000  # bounds the reconnect loop


async def hold(port, deadline, stats):
    while time.monotonic() < deadline and stats["opened"] < MAX_CONNECTIONS_OPENED:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError as error:
            stats["connect_errors"] += 1
            stats["last_error"] = str(error)
            await asyncio.sleep(0.5)
            continue
        stats["opened"] += 1
        started = time.monotonic()
        try:
            writer.write(f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\n".encode())
            i = 0
            while time.monotonic() < deadline:
                # Wait for the server to say something (it only ever says 408 and closes).
                try:
                    data = await asyncio.wait_for(reader.read(4096), TRICKLE_INTERVAL)
                except asyncio.TimeoutError:
                    writer.write(f"X-Slow-{i}: y\r\n".encode())
                    await writer.drain()
                    i += 1
                    continue
                if data.startswith(b"HTTP/1.1 408"):
                    stats["answered_408"] += 1
                while data:  # the server closes right after its 408
                    data = await reader.read(4096)
                stats["dropped_by_server"] += 1
                break
        except (ConnectionError, OSError):
            stats["dropped_by_server"] += 1
            stats["reset"] += 1
        finally:
            # Connections still open at the end count too: one the server never dropped
            # shows up here as a hold longer than its head timeout.
            stats["max_held_s"] = max(stats["max_held_s"], time.monotonic() - started)
            writer.close()


async def main():
    port, connections, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    stats = {"opened": 0, "dropped_by_server": 0, "answered_408": 0, "reset": 0,
             "connect_errors": 0, "max_held_s": 0.0, "last_error": ""}
    deadline = time.monotonic() + seconds
    # Ramp up over about a second so accepts are not one burst.
    tasks = []
    for i in range(connections):
        tasks.append(asyncio.create_task(hold(port, deadline, stats)))
        if i % 50 == 49:
            await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)
    stats["max_held_s"] = round(stats["max_held_s"], 2)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
