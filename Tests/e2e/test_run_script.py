"""`make run`'s decision (scripts/run.sh, which hands it to the app's --dev-idp-fallback):
the development identity provider only when nothing production-looking is configured,
read from the same .env and environment the app runs with; otherwise it stops and names
the keys. The script runs the debug build here (ENTRA_WEB_BINARY) with --check-config, so
nothing is built and nothing listens, and once for real to show the provider comes up."""
import os
import re
import signal
import subprocess

import pytest

from conftest import BINARY, ROOT

SCRIPT = ROOT / "scripts" / "run.sh"


def run_script(tmp_path, env=None, dotenv="", args=("--check-config",)):
    env_file = tmp_path / ".env"
    env_file.write_text(dotenv)
    environment = {"PATH": os.environ.get("PATH", ""), "ENTRA_WEB_BINARY": str(BINARY), "PORT": "0",
                   "SESSION_DIR": str(tmp_path / "sessions"), **(env or {})}
    return subprocess.run([str(SCRIPT), "--env-file", str(env_file), *args], capture_output=True, text=True,
                          env=environment, timeout=60)


def test_nothing_configured_starts_the_development_provider(tmp_path):
    result = run_script(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Configuration OK: the embedded development identity provider" in result.stdout
    assert "starting with the embedded development identity provider" in result.stderr


@pytest.mark.parametrize("dotenv", [
    "REDIRECT_URI=http://localhost:5000/getAToken\nHOST=127.0.0.1\n",
    "HOST=localhost\nREDIRECT_URI=http://[::1]:5000/getAToken\n",
    # The .env.example as shipped: an AUTHORITY placeholder but no CLIENT_ID.
    (ROOT / ".env.example").read_text(),
])
def test_a_development_machine_setup_still_gets_the_provider(tmp_path, dotenv):
    result = run_script(tmp_path, dotenv=dotenv)
    assert result.returncode == 0, result.stderr
    assert "development identity provider" in result.stdout


@pytest.mark.parametrize("source, settings, keys", [
    ("env", {"REDIRECT_URI": "https://app.example.com/getAToken"}, ["REDIRECT_URI"]),
    ("env", {"TRUSTED_PROXIES": "127.0.0.1"}, ["TRUSTED_PROXIES"]),
    ("env", {"HOST": "0.0.0.0"}, ["HOST"]),
    (".env", {"REDIRECT_URI": "https://app.example.com/getAToken", "TRUSTED_PROXIES": "127.0.0.1,::1",
              "AUTHORITY": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"},
     ["REDIRECT_URI", "TRUSTED_PROXIES"]),
    (".env", {"HOST": "app.internal"}, ["HOST"]),
])
def test_a_production_looking_setup_without_client_id_stops_naming_the_keys(tmp_path, source, settings, keys):
    # The README's proxy section with the secret injection failed: no CLIENT_ID.
    if source == "env":
        result = run_script(tmp_path, env=settings)
    else:
        result = run_script(tmp_path, dotenv="".join(f"{key}={value}\n" for key, value in settings.items()))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Configuration error")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: CLIENT_ID is not set"), lines[0]
    assert ", ".join(keys) in lines[0]
    assert "development identity provider" not in result.stdout
    assert "app.example.com" not in lines[0], "keys are named, values are not echoed"


def test_the_environment_wins_over_dot_env(tmp_path):
    result = run_script(tmp_path, env={"REDIRECT_URI": "http://localhost:5000/getAToken"},
                        dotenv="REDIRECT_URI=https://app.example.com/getAToken\n")
    assert result.returncode == 0, result.stderr
    assert "development identity provider" in result.stdout


def test_a_configured_provider_is_used_as_it_is(tmp_path):
    result = run_script(tmp_path, dotenv="CLIENT_ID=client\nCLIENT_SECRET=secret\n"
                        "AUTHORITY=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\n"
                        "REDIRECT_URI=https://app.example.com/getAToken\nTRUSTED_PROXIES=127.0.0.1\n")
    assert result.returncode == 0, result.stderr
    assert "Configuration OK: Microsoft Entra ID at https://login.microsoftonline.com/72f988bf" in result.stdout


def test_asking_for_the_provider_explicitly_still_meets_its_rules(tmp_path):
    result = run_script(tmp_path, env={"TRUSTED_PROXIES": "127.0.0.1"}, args=("--check-config", "--dev-idp"))
    assert result.returncode == 2
    assert "Configuration error: TRUSTED_PROXIES must be empty while the development identity provider is on" in result.stderr


def test_make_runs_script_really_starts_the_provider(tmp_path):
    (tmp_path / ".env").write_text("")
    environment = {"PATH": os.environ.get("PATH", ""), "ENTRA_WEB_BINARY": str(BINARY), "PORT": "0",
                   "SESSION_DIR": str(tmp_path / "sessions")}
    process = subprocess.Popen([str(SCRIPT), "--env-file", str(tmp_path / ".env")], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = ""
        for line in process.stderr:
            seen += line
            if "DEVELOPMENT IDENTITY PROVIDER ON" in line:
                break
        assert "DEVELOPMENT IDENTITY PROVIDER ON" in seen, seen
        assert re.search(r"Listening on http://127\.0\.0\.1:\d+", seen), seen
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
