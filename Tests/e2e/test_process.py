"""The binary as an operator runs it: start-up errors name the key, the development
provider comes up on loopback, SIGINT ends the process with status 0."""
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
