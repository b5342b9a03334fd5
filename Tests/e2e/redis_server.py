"""A real redis-server for the end-to-end checks: on 127.0.0.1 with a free port, in a
temporary directory, stopped when the test ends and, through PR_SET_PDEATHSIG, also when
pytest itself dies (even by kill -9), so no server outlives the tests. The Swift tests'
harness (Tests/RedisTestSupport) does the same with a shell watchdog.
"""
import ctypes
import shutil
import signal
import socket
import subprocess
import time

PR_SET_PDEATHSIG = 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class RedisServer:
    def __init__(self, directory, password=None, append_only=False):
        executable = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/bin")
        if not executable:
            raise RuntimeError("redis-server is not installed: `make test` installs Debian's redis-server")
        self.executable = executable
        self.directory = directory
        self.password = password
        self.append_only = append_only
        self.process = None
        self.port = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        for _ in range(5):
            self.port = self.port or free_port()
            config = self.directory / "redis.conf"
            lines = ["bind 127.0.0.1", f"port {self.port}", "daemonize no", f"dir {self.directory}",
                     f"logfile {self.directory / 'redis.log'}", 'save ""',
                     f"appendonly {'yes' if self.append_only else 'no'}", "appendfsync always"]
            if self.password:
                lines.append(f"requirepass {self.password}")
            config.write_text("\n".join(lines) + "\n")
            self.process = subprocess.Popen([self.executable, str(config)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            preexec_fn=_die_with_parent)
            if self._wait_until_ready():
                return self
            self.port = None  # taken meanwhile: try another
        raise RuntimeError(f"redis-server did not start:\n{self.log}")

    def _wait_until_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Ready to accept connections" in self.log:
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.02)
        self.process.kill()
        return False

    @property
    def log(self):
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def command(self, *args):
        """One command over a raw socket (RESP); returns its decoded reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as connection:
            if self.password:
                connection.sendall(_encode(["AUTH", self.password]))
                _read_reply(connection.makefile("rb"))
            connection.sendall(_encode(list(args)))
            return _read_reply(connection.makefile("rb"))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def _encode(args):
    out = f"*{len(args)}\r\n".encode()
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out += f"${len(data)}\r\n".encode() + data + b"\r\n"
    return out


def _read_reply(stream):
    line = stream.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind in (b"+", b"-", b":"):
        return rest if kind != b":" else int(rest)
    if kind == b"$":
        length = int(rest)
        if length < 0:
            return None
        data = stream.read(length + 2)[:-2]
        return data
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read_reply(stream) for _ in range(count)]
    raise RuntimeError(f"unexpected reply {line!r}")
