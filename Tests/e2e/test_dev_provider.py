"""The development identity provider as an attacker meets it, on the real binary: raw
sockets that arrive through a "proxy" (X-Forwarded-For, Forwarded), from another address,
or under another site's Host name get the 403 page and no code; and start-up refuses the
provider, naming the key, wherever another machine could reach it."""
import html
import re
import socket
import subprocess
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from conftest import BINARY, ROOT


def raw_request(base, method, path, headers=(), body=b"", source=None, host=None):
    """Sends one request over a fresh socket (bound to `source` when given) and returns
    (status, headers, body)."""
    address = urlsplit(base)
    sock = socket.create_connection((address.hostname, address.port), timeout=10,
                                    source_address=(source, 0) if source else None)
    with sock:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host or address.netloc}", "Connection: close",
                 f"Content-Length: {len(body)}", *[f"{name}: {value}" for name, value in headers]]
        if body:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), fields, rest.decode(errors="replace")


def authorize_request(app):
    """The authorize URL /login redirects to: path and its parameters."""
    login = requests.get(app.base + "/login", timeout=10, allow_redirects=False)
    assert login.status_code == 302, login.text
    parts = urlsplit(login.headers["Location"])
    return parts.path, dict(parse_qsl(parts.query))


def local_non_loopback_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("198.51.100.1", 9))  # no packet is sent: this only picks a route
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


PROXY_HEADERS = [
    ("X-Forwarded-For", "203.0.113.9"),
    ("X-Forwarded-For", "127.0.0.1"),
    ("Forwarded", "for=203.0.113.9;proto=https"),
    ("X-Forwarded-Host", "app.example.com"),
    ("X-Real-IP", "203.0.113.9"),
]


@pytest.mark.parametrize("header", PROXY_HEADERS, ids=[name for name, _ in PROXY_HEADERS])
def test_a_sign_in_through_a_proxy_is_refused_and_issues_no_code(start_app, header):
    app = start_app(args=["--dev-idp"])
    path, parameters = authorize_request(app)
    form = urlencode({**parameters, "user": "adele"}).encode()
    # The app's own /login and the provider's page answer a direct request...
    status, _, page = raw_request(app.base, "GET", path + "?" + urlencode(parameters))
    assert status == 200 and "Pick a demo user" in page
    # ...but the same requests relayed by a proxy on this machine do not.
    status, _, page = raw_request(app.base, "GET", path + "?" + urlencode(parameters), headers=[header])
    assert status == 403 and "Not available from here" in page
    status, fields, _ = raw_request(app.base, "POST", path, headers=[header], body=form)
    assert status == 403
    assert "location" not in fields, "a refused decision must not redirect with a code"
    assert "Refused a development identity provider request" in app.log
    # The control: the very same decision, direct, does get its code.
    status, fields, _ = raw_request(app.base, "POST", path, body=form)
    assert status == 302 and "code=" in fields["location"]


def test_another_sites_host_name_is_refused(start_app):
    app = start_app(args=["--dev-idp"])
    path, parameters = authorize_request(app)
    status, _, page = raw_request(app.base, "GET", path + "?" + urlencode(parameters), host="evil.example")
    assert status == 403 and "Not available from here" in page


def test_a_peer_on_another_address_is_refused(start_app):
    source = local_non_loopback_address()
    if source is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    app = start_app(args=["--dev-idp"])
    path, parameters = authorize_request(app)
    # A TCP peer that is not loopback, with a perfectly local-looking Host header.
    status, _, page = raw_request(app.base, "GET", path + "?" + urlencode(parameters), source=source)
    assert status == 403 and "Not available from here" in page
    status, fields, _ = raw_request(app.base, "POST", path, body=urlencode({**parameters, "user": "adele"}).encode(), source=source)
    assert status == 403 and "location" not in fields
    assert f"peer={source}" in app.log


def start_up_error(tmp_path, env, args=("--dev-idp",)):
    environment = {"PORT": "0", "HOST": "127.0.0.1", "SESSION_DIR": str(tmp_path / "sessions"),
                   "TEMPLATES_DIR": str(ROOT / "Templates"), "PUBLIC_DIR": str(ROOT / "Public"), **env}
    result = subprocess.run([str(BINARY), "--env-file", "/nonexistent/.env", *args], cwd=tmp_path, capture_output=True,
                            text=True, env=environment, timeout=30)
    assert result.returncode == 2, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Configuration error")]


@pytest.mark.parametrize("env, key", [
    ({"TRUSTED_PROXIES": "127.0.0.1"}, "TRUSTED_PROXIES"),
    ({"REDIRECT_URI": "https://app.example.com/getAToken"}, "REDIRECT_URI"),
    ({"REDIRECT_URI": "http://127.example.com:5000/getAToken"}, "REDIRECT_URI"),
    ({"HOST": "0.0.0.0"}, "HOST"),
    ({"HOST": "::"}, "HOST"),
    # Not an address literal: only the address actually bound (getsockname) shows it is 0.0.0.0.
    ({"HOST": "0"}, "HOST"),
])
def test_start_up_refuses_the_provider_where_others_could_reach_it(tmp_path, env, key):
    lines = start_up_error(tmp_path, env)
    assert len(lines) == 1 and lines[0].startswith(f"Configuration error: {key} "), lines


def test_a_real_non_loopback_bind_is_refused(tmp_path):
    source = local_non_loopback_address()
    if source is None:
        pytest.skip("this machine has no non-loopback IPv4 address to bind")
    lines = start_up_error(tmp_path, {"HOST": source})
    assert len(lines) == 1 and lines[0].startswith("Configuration error: HOST "), lines
