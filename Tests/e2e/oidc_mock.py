"""Runs `oidc-provider-mock` (PyPI, pinned in Tests/requirements.txt) in this process, on
127.0.0.1 and a port the system picks, for the interoperability checks in
test_oidc_provider_mock.py.

The mock is a Flask app built on Authlib. It takes its issuer from the Host header of each
request, so as long as everyone calls it as http://127.0.0.1:PORT the issuer is exactly
that URL (no trailing slash).

Two kinds of WSGI middleware sit in front of it:

- `Recorder`, always: it checks PKCE as RFC 7636 4.6 says a server must (the mock accepts
  `code_challenge` but never verifies it) and keeps the token responses so a test can look
  at what the app was given.
- `faults`, when a test asks: small changes that make the mock misbehave in one precise way
  (a forged nonce, a tampered ID token, another issuer) without touching its code.
"""
import base64
import hashlib
import io
import json
import ssl
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import flask
import werkzeug.serving
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import authlib.deprecate  # noqa: F401  (installs an "always" filter for its warnings first)

with warnings.catch_warnings():
    # Authlib 1.9 warns about its own deprecated modules, which the mock imports.
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock
    from oidc_provider_mock import User
    # Not exported, but the only way to register a client whose id and secret we choose: the
    # app needs them at start-up, before its port (and so its redirect URI) is known, while
    # the mock's registration endpoint (POST /oauth2/clients) makes up the id itself.
    from oidc_provider_mock._storage import Client

__all__ = ["MockProvider", "User", "running_provider", "b64url_decode_json", "b64url_encode_json",
           "ForgedNonce", "OtherIssuer", "TamperedClaims", "Resigned"]

AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/token"


def b64url_decode_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def b64url_encode_json(value):
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _call(app, environ):
    """Runs a WSGI app and returns (status, headers, body) instead of streaming it."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return captured["status"], captured["headers"], body


def _json_response(start_response, status, headers, payload):
    body = json.dumps(payload).encode()
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


@dataclass
class Recorder:
    """Enforces PKCE (S256) on the authorization-code grant and records token responses."""
    app: object
    faults: object = None
    provider: object = None
    challenges: dict = field(default_factory=dict)      # code -> code_challenge
    verified_codes: list = field(default_factory=list)
    token_responses: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.faults and hasattr(self.faults, "request"):
            self.faults.request(environ)
        if path == AUTHORIZE_PATH and environ["REQUEST_METHOD"] == "POST":
            return self._authorize(environ, start_response)
        if path == TOKEN_PATH:
            return self._token(environ, start_response)
        return self.app(environ, start_response)

    def _authorize(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        status, headers, body = _call(self.app, environ)
        location = dict((k.lower(), v) for k, v in headers).get("location", "")
        code = parse_qs(urlsplit(location).query).get("code", [None])[0]
        if code:
            method = query.get("code_challenge_method", ["plain"])[0]
            challenge = query.get("code_challenge", [None])[0]
            with self.lock:
                self.challenges[code] = (method, challenge)
        start_response(status, headers)
        return [body]

    def _token(self, environ, start_response):
        form = parse_qs(_read_body(environ).decode())
        if form.get("grant_type") == ["authorization_code"]:
            code = form.get("code", [""])[0]
            verifier = form.get("code_verifier", [None])[0]
            with self.lock:
                method, challenge = self.challenges.pop(code, ("missing", None))
            # RFC 7636 4.6; we only accept S256 from the app (plain would defeat the purpose).
            expected = None
            if verifier is not None:
                expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if method != "S256" or challenge is None or expected != challenge:
                return _json_response(start_response, "400 BAD REQUEST", [("Content-Type", "application/json")],
                                      {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            with self.lock:
                self.verified_codes.append(code)
        status, headers, body = _call(self.app, environ)
        payload = json.loads(body) if body else {}
        if status.startswith("200") and self.faults and hasattr(self.faults, "token_response"):
            self.faults.token_response(payload, self.provider)
            body = None
        with self.lock:
            self.token_responses.append(payload)
        if body is None:
            return _json_response(start_response, status, headers, payload)
        start_response(status, headers)
        return [body]


@dataclass
class MockProvider:
    flask_app: flask.Flask
    server: werkzeug.serving.BaseWSGIServer
    recorder: Recorder
    scheme: str = "http"

    @property
    def issuer(self):
        return f"{self.scheme}://127.0.0.1:{self.server.server_port}"

    @property
    def userinfo_endpoint(self):
        return self.issuer + "/userinfo"

    def _storage(self):
        with self.flask_app.test_request_context("/"):
            self.flask_app.preprocess_request()  # the mock's before_request puts its storage in flask.g
            return flask.g.oidc_provider_mock_storage

    def sign(self, header, claims):
        """Signs a JWS with the mock's own signing key (for faults that must keep a valid
        signature); `header["alg"] == "none"` gives an unsigned token."""
        signing_input = b64url_encode_json(header) + "." + b64url_encode_json(claims)
        if header.get("alg") == "none":
            return signing_input + "."
        key = self._storage().jwk.get_private_key()
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()

    def register_client(self, client_id, secret, redirect_uris, token_endpoint_auth_method="client_secret_basic"):
        """Registers a confidential client as the mock's dynamic registration endpoint would,
        but with an id and secret of our choosing."""
        self._storage().store_client(Client(
            id=client_id,
            secret=secret,
            redirect_uris=list(redirect_uris),
            allowed_scopes=Client.SCOPES_SUPPORTED,
            token_endpoint_auth_method=token_endpoint_auth_method,
        ))


@contextmanager
def running_provider(*, users=(), require_client_registration=True, require_nonce=True,
                     access_token_max_age=timedelta(hours=1), faults=None, tls=None):
    """Starts the mock on 127.0.0.1 with a free port; stops it (and fails loudly if it
    would not stop) when the block ends. `tls`: a (certificate, key) pair to serve https
    with (the issuer is then https://127.0.0.1:PORT)."""
    flask_app = oidc_provider_mock.app(
        require_client_registration=require_client_registration,
        require_nonce=require_nonce,
        access_token_max_age=access_token_max_age,
        user_claims=users,
    )
    recorder = Recorder(flask_app.wsgi_app, faults=faults)
    flask_app.wsgi_app = recorder
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*map(str, tls))
    server = werkzeug.serving.make_server("127.0.0.1", 0, flask_app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="oidc-provider-mock", daemon=True)
    thread.start()
    try:
        provider = MockProvider(flask_app=flask_app, server=server, recorder=recorder, scheme="https" if tls else "http")
        recorder.provider = provider
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive(), "oidc-provider-mock did not stop within 10 s"


# Faults: each changes one thing about what the mock does.

class ForgedNonce:
    """The authorize request reaches the mock with another nonce, so the ID token carries a
    nonce the app never sent (a replayed or injected token)."""
    def request(self, environ):
        if environ.get("PATH_INFO") == AUTHORIZE_PATH and environ["REQUEST_METHOD"] == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            query["nonce"] = ["forged-nonce"]
            environ["QUERY_STRING"] = urlencode(query, doseq=True)


class OtherIssuer:
    """The token endpoint is told it is `localhost` rather than `127.0.0.1`, so the ID token
    is validly signed with the right key but names an issuer that differs from the
    metadata's in spelling only (Authlib refuses plain http for non-loopback hosts, so a
    truly foreign http issuer cannot be made this way)."""
    def request(self, environ):
        if environ.get("PATH_INFO") == TOKEN_PATH:
            environ["HTTP_HOST"] = environ["HTTP_HOST"].replace("127.0.0.1", "localhost")


class TamperedClaims:
    """The ID token's payload is changed after signing (another subject), signature kept."""
    def token_response(self, payload, provider):
        header, claims, signature = payload["id_token"].split(".")
        forged = b64url_decode_json(claims) | {"sub": "mallory", "email": "mallory@example.org"}
        payload["id_token"] = ".".join([header, b64url_encode_json(forged), signature])


class Resigned:
    """The ID token's claims (and header) are changed and the token is signed again with
    the mock's own key, so the signature is valid and only the changed claim is wrong."""
    def __init__(self, claims=None, header=None, drop=()):
        self.claims, self.header, self.drop = claims or {}, header or {}, drop

    def token_response(self, payload, provider):
        header, claims, _ = payload["id_token"].split(".")
        header = b64url_decode_json(header) | self.header
        claims = b64url_decode_json(claims)
        for name, value in self.claims.items():
            claims[name] = value(claims) if callable(value) else value
        for name in self.drop:
            claims.pop(name, None)
        payload["id_token"] = provider.sign(header, claims)
