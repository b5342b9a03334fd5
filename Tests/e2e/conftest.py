"""Shared fixtures for the end-to-end checks that run the real `entra-web` binary.

`start_app(env, args)` starts the binary on 127.0.0.1 with PORT=0, waits for its
"Listening on" log line, and stops it (SIGINT, expecting a clean exit) after the test.
"""
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("ENTRA_WEB_BINARY", ROOT / ".build" / "debug" / "entra-web"))


class RunningApp:
    def __init__(self, process, log_path, session_dir, base):
        self.process = process
        self.log_path = log_path
        self.session_dir = session_dir
        self.base = base

    @property
    def log(self):
        """The log once it has stopped growing: the app's log thread writes lines a few
        milliseconds after the response they describe."""
        deadline = time.monotonic() + 2
        size = -1
        while time.monotonic() < deadline and size != self.log_path.stat().st_size:
            size = self.log_path.stat().st_size
            time.sleep(0.03)
        return self.log_path.read_text(errors="replace")

    def session_files(self):
        """Session files: 64 hex digits, the store's names (not locks, claims or `secret`)."""
        if not self.session_dir.exists():
            return []
        return [p for p in self.session_dir.iterdir() if len(p.name) == 64 and all(c in "0123456789abcdef" for c in p.name)]


@pytest.fixture
def start_app(tmp_path):
    started = []

    def start(env=None, args=()):
        if not BINARY.exists():
            pytest.fail(f"{BINARY} is missing: run `swift build` first (make test does)")
        session_dir = tmp_path / f"sessions-{len(started)}"
        log_path = tmp_path / f"app-{len(started)}.log"
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "HOST": "127.0.0.1",
            "PORT": "0",
            "SESSION_DIR": str(session_dir),
            "TEMPLATES_DIR": str(ROOT / "Templates"),
            "PUBLIC_DIR": str(ROOT / "Public"),
        }
        environment.update(env or {})
        log = open(log_path, "wb")
        process = subprocess.Popen([str(BINARY), "--env-file", "/nonexistent/.env", *args],
                                   env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"Listening on (http://\S+)", log_path.read_text(errors="replace"))
            if match:
                app = RunningApp(process, log_path, session_dir, match.group(1).rstrip("/"))
                started.append(app)
                # Wait for the post-bind set-up (identity provider, banner) to be logged.
                time.sleep(0.2)
                return app
            if process.poll() is not None:
                pytest.fail(f"entra-web exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)
        process.kill()
        pytest.fail(f"entra-web did not start listening:\n{log_path.read_text(errors='replace')}")

    yield start

    for app in started:
        if app.process.poll() is None:
            app.process.send_signal(signal.SIGINT)
            try:
                code = app.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                app.process.kill()
                pytest.fail("entra-web did not shut down within 20 s of SIGINT")
            assert code == 0, f"entra-web exited with {code} after SIGINT:\n{app.log}"


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own (see redis_server.py), stopped afterwards."""
    from redis_server import RedisServer
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory, password="e2e-redis-password").start()
    yield server
    server.stop()
