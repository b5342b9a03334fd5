#!/usr/bin/env python3
"""Opens N keep-alive connections to the server, makes one request on each so the server
has really set them up, then holds them idle until stdin closes (bench/http.sh measures
the server's RSS meanwhile)."""
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
request = f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
conns = []
for _ in range(count):
    s = socket.create_connection((host, port))
    s.sendall(request)
    conns.append(s)
ok = 0
for s in conns:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    ok += data.startswith(b"HTTP/1.1 200")
print(f"holding {len(conns)} connections ({ok} answered 200)", flush=True)
sys.stdin.read()
for s in conns:
    s.close()
