"""The binary as an operator runs it: start-up errors name the key, the development
provider comes up on loopback, SIGINT ends the process with status 0, and a stalled log
reader does not stall requests."""
import re
import signal
import subprocess

import requests

from conftest import BINARY, ROOT


def test_invalid_port_stops_startup_with_a_one_line_message(tmp_path):
    result = subprocess.run([str(BINARY), "--env-file", "/nonexistent/.env"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PORT": "not-a-port", "TEMPLATES_DIR": str(ROOT / "Templates"), "PUBLIC_DIR": str(ROOT / "Public")},
                            timeout=30)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ['Configuration error: PORT must be a whole number from 0 to 65535, got "not-a-port"']


def test_relative_redirect_uri_names_the_key(tmp_path):
    result = subprocess.run([str(BINARY), "--env-file", "/nonexistent/.env"], cwd=tmp_path, capture_output=True, text=True,
                            env={"REDIRECT_URI": "/getAToken"}, timeout=30)
    assert result.returncode == 2
    assert "REDIRECT_URI" in result.stderr


def test_dev_identity_provider_serves_the_app_and_announces_itself(start_app):
    app = start_app(args=["--dev-idp"])
    assert "DEVELOPMENT IDENTITY PROVIDER ON" in app.log
    home = requests.get(app.base + "/", timeout=10)
    assert home.status_code == 200
    assert "Development identity provider" in home.text
    assert requests.get(app.base + "/healthz", timeout=10).text == "ok"


def test_a_log_reader_that_stops_reading_does_not_stop_the_server(tmp_path):
    # stderr is a pipe nobody reads: once its 64 KB are full, a server that wrote its log
    # from the request path would stand still (it did, after about 800 requests).
    process = subprocess.Popen([str(BINARY), "--env-file", "/nonexistent/.env", "--dev-idp"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={"HOST": "127.0.0.1", "PORT": "0", "SESSION_DIR": str(tmp_path / "sessions"),
                                    "TEMPLATES_DIR": str(ROOT / "Templates"), "PUBLIC_DIR": str(ROOT / "Public")})
    try:
        base = None
        for line in process.stderr:
            match = re.search(rb"Listening on (http://\S+)", line)
            if match:
                base = match.group(1).decode().rstrip("/")
                break
        assert base, "the server did not start"
        with requests.Session() as session:
            for _ in range(3000):  # about 300 KB of access log
                assert session.get(base + "/healthz", timeout=5).text == "ok"
        # The reader comes back: the queued lines are all there, in order.
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read().decode()
        assert process.wait(timeout=10) == 0
        assert rest.count("GET /healthz 200") == 3000
        assert rest.rstrip().endswith("Server stopped")
        assert "dropped" not in rest
    finally:
        process.kill()


def configuration_errors(tmp_path, env):
    result = subprocess.run([str(BINARY), "--env-file", "/nonexistent/.env"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PORT": "0", "SESSION_DIR": str(tmp_path / "sessions"), "TEMPLATES_DIR": str(ROOT / "Templates"),
                                 "PUBLIC_DIR": str(ROOT / "Public"), **env}, timeout=30)
    assert result.returncode == 2, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_a_multi_tenant_authority_without_allowed_tenants_stops_startup(tmp_path):
    lines = configuration_errors(tmp_path, {"CLIENT_ID": "client", "CLIENT_SECRET": "secret",
                                            "AUTHORITY": "https://login.microsoftonline.com/organizations"})
    assert len(lines) == 1 and lines[0].startswith("Configuration error: ALLOWED_TENANTS is required"), lines


def test_a_plain_http_graph_endpoint_stops_startup(tmp_path):
    # It would receive the signed-in user's access token in the clear.
    lines = configuration_errors(tmp_path, {"GRAPH_ENDPOINT": "http://graph.example.com/v1.0/me"})
    assert len(lines) == 1 and lines[0].startswith("Configuration error: GRAPH_ENDPOINT must be an https URL"), lines


def test_allowed_tenants_star_is_a_warning_at_start(start_app):
    app = start_app(env={"CLIENT_ID": "client", "CLIENT_SECRET": "secret", "ALLOWED_TENANTS": "*",
                         "AUTHORITY": "https://login.microsoftonline.com/organizations"})
    assert "ALLOWED_TENANTS=*: users of every Microsoft Entra tenant can sign in" in app.log
