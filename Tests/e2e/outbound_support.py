"""What the outbound TLS and proxy checks (test_outbound.py) run against: a throw-away
certificate authority, made with the `openssl` command at test time, and a small CONNECT
proxy on 127.0.0.1 that records where it was asked to tunnel.

The CA mirrors Tests/RedisTestSupport/TestCertificateAuthority.swift (EC P-256, two days,
nothing trusted by the system): the Swift tests cannot lend theirs to this process, which
has to run the app as a separate process because libcurl reads HTTPS_PROXY and NO_PROXY
from the process environment only.
"""
import json
import pathlib
import select
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ThrowawayCA:
    """A CA in `directory` and the server certificates it signs."""

    def __init__(self, directory, name="entra-web test CA"):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.certificate = self.directory / "ca.crt"
        self.key = self.directory / "ca.key"
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", self.key, "-out", self.certificate, "-days", "2", "-subj", f"/CN={name}",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, names, label="server"):
        """A server certificate for `names` (DNS names and IP addresses): (cert, key) paths."""
        base = self.directory / label
        alternative = ",".join(("IP:" if all(c.isdigit() or c in ".:" for c in n) else "DNS:") + n for n in names)
        extensions = base.with_suffix(".ext")
        extensions.write_text(f"subjectAltName={alternative}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", base.with_suffix(".key"), "-out", base.with_suffix(".csr"), "-subj", f"/CN={names[0]}")
        _openssl("x509", "-req", "-in", base.with_suffix(".csr"), "-CA", self.certificate, "-CAkey", self.key,
                 "-CAcreateserial", "-out", base.with_suffix(".crt"), "-days", "2", "-extfile", extensions)
        return base.with_suffix(".crt"), base.with_suffix(".key")

    def hashed_directory(self):
        """A directory holding the CA under its subject hash, as SSL_CERT_DIR expects."""
        directory = self.directory / "hashed"
        directory.mkdir(exist_ok=True)
        shutil.copy(self.certificate, directory / "entra-web-test-ca.pem")
        _openssl("rehash", directory)
        return directory


def _openssl(*arguments):
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is not installed (make test installs Debian's openssl)"
    result = subprocess.run([openssl, *map(str, arguments)], capture_output=True, text=True)
    assert result.returncode == 0, f"openssl {arguments[0]} failed: {result.stderr}"


class ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy that answers CONNECT only (what libcurl sends for https URLs) and
    records each target and the bytes it relayed, which TLS keeps opaque to it."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ConnectHandler)
        self.targets = []
        self.relayed = bytearray()
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ConnectHandler(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 16384:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with self.server.lock:
            self.server.targets.append(target)
        host, port = target.rsplit(":", 1)
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._relay(upstream)

    def _relay(self, upstream):
        sockets = [self.request, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.request else self.request).sendall(data)
                    with self.server.lock:
                        self.server.relayed += data
        finally:
            upstream.close()


@contextmanager
def running_proxy():
    """A ConnectProxy serving in a thread; shut down when the block ends."""
    proxy = ConnectProxy()
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, name="connect-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


PROFILE = {"displayName": "Kept Alive", "mail": "kept.alive@example.org", "id": "ka-1"}


def send_json(handler, payload):
    """Answers `handler`'s request with 200 and `payload` as JSON, framed by Content-Length."""
    body = json.dumps(payload).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class KeepAliveProfile(BaseHTTPRequestHandler):
    """Graph's /me over HTTP/1.1 keep-alive: `profile`, head and body in one write (the
    buffered `wfile`), connection kept."""
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16
    profile = PROFILE

    def do_GET(self):
        send_json(self, self.profile)

    def log_message(self, *args):
        pass


@contextmanager
def running_tls_profile(certificate):
    """A keep-alive https stand-in for Graph's /me on 127.0.0.1, with `certificate` (a
    (certificate, key) pair); yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveProfile)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="tls-profile", daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1.0/me"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
