"""Outbound calls as corporate networks need them, with the real binary: an OpenID
provider (oidc-provider-mock) served over https with a certificate from a throw-away CA,
and a CONNECT proxy, both on 127.0.0.1.

- Without any CA setting the provider's certificate is not trusted: /login shows the
  "could not be reached" page, which names no host and no TLS detail; the log says why.
- CA_BUNDLE, SSL_CERT_FILE or SSL_CERT_DIR naming the CA let the whole sign-in and
  /graph (the provider's userinfo, over https too) through; another CA does not.
- HTTPS_PROXY, https_proxy and ALL_PROXY (read by libcurl from the process environment)
  send every provider call through the proxy as CONNECT tunnels; NO_PROXY bypasses it.
"""
import subprocess

import pytest

from conftest import BINARY, ROOT
from oidc_mock import running_provider
from outbound_support import ThrowawayCA, running_proxy, running_tls_profile
from test_oidc_provider_mock import ALICE, SECRET, Browser, graph_rows, sign_in, start

# Authlib (under the mock) warns about its own deprecated APIs on every token request.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """The provider's CA and certificate, and an unrelated CA."""
    directory = tmp_path_factory.mktemp("pki")
    ca = ThrowawayCA(directory / "provider-ca", name="Contoso Private Root CA")
    server = ca.issue(["127.0.0.1", "localhost"], label="provider")
    other = ThrowawayCA(directory / "other-ca", name="Somebody Else's CA")
    return {"ca": ca, "server": server, "other": other}


def https_provider(pki):
    return running_provider(users=[ALICE], tls=pki["server"])


class TrustingBrowser(Browser):
    """The test's own client, trusting the provider's CA (it plays the user's browser).
    Per request, because requests lets REQUESTS_CA_BUNDLE in the environment override a
    session's `verify`."""
    def __init__(self, ca):
        super().__init__()
        self.ca = str(ca)

    def request(self, method, url, **kwargs):
        kwargs.setdefault("verify", self.ca)
        return super().request(method, url, **kwargs)


def browser_for(pki):
    return TrustingBrowser(pki["ca"].certificate)


def assert_signs_in_and_reads_the_profile(app, provider, pki):
    browser = browser_for(pki)
    _, _, answer = sign_in(browser, app, provider)
    assert answer.status_code == 302, f"sign-in failed ({answer.status_code}):\n{answer.text}\n{app.log}"
    assert "Signed in as <strong>Alice Example</strong>" in browser.get(app.base + "/").text
    profile = browser.get(app.base + "/graph")
    assert profile.status_code == 200, f"{profile.text}\n{app.log}"
    assert graph_rows(profile.text).get("Email") == "alice@example.org"


def assert_cannot_be_reached(app):
    page = Browser().get(app.base + "/login", allow_redirects=False)
    assert page.status_code == 502, f"{page.status_code}\n{page.text}"
    assert "The identity provider could not be reached" in page.text, page.text
    for detail in ("127.0.0.1:", "certificate", "SSL", "curl", "verify"):
        assert detail not in page.text, f"{detail!r} on the page:\n{page.text}"
    log = app.log
    assert "transport.metadata.tls_failure" in log, log
    assert "SSL certificate problem" in log, "the operator learns curl's reason"


def test_without_a_ca_setting_the_private_ca_is_not_trusted(start_app, pki):
    with https_provider(pki) as provider:
        assert provider.issuer.startswith("https://")
        assert_cannot_be_reached(start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic"))


@pytest.mark.parametrize("setting", ["CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_the_ca_named_by_each_setting_lets_the_whole_sign_in_through(start_app, pki, setting):
    value = pki["ca"].hashed_directory() if setting == "SSL_CERT_DIR" else pki["ca"].certificate
    with https_provider(pki) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic", **{setting: str(value)})
        assert_signs_in_and_reads_the_profile(app, provider, pki)
        if setting == "CA_BUNDLE":
            assert f"Outbound TLS trusts only the CAs in CA_BUNDLE ({value})" in app.log


@pytest.mark.parametrize("setting", ["CA_BUNDLE", "SSL_CERT_FILE"])
def test_another_ca_is_refused(start_app, pki, setting):
    with https_provider(pki) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic", **{setting: str(pki["other"].certificate)})
        assert_cannot_be_reached(app)


def test_ca_bundle_wins_over_a_working_ssl_cert_file(start_app, pki):
    # CA_BUNDLE is the only trust when set: the right CA in SSL_CERT_FILE does not help.
    with https_provider(pki) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic",
                    CA_BUNDLE=str(pki["other"].certificate), SSL_CERT_FILE=str(pki["ca"].certificate))
        assert_cannot_be_reached(app)


def test_an_unreadable_ca_bundle_stops_start_up_naming_the_key(tmp_path):
    missing = tmp_path / "missing.pem"
    environment = {"PATH": "/usr/bin:/bin", "CA_BUNDLE": str(missing), "SESSION_DIR": str(tmp_path / "sessions"),
                   "TEMPLATES_DIR": str(ROOT / "Templates"), "PUBLIC_DIR": str(ROOT / "Public")}
    result = subprocess.run([str(BINARY), "--env-file", "/nonexistent/.env", "--check-config"],
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result
    assert f"Configuration error: CA_BUNDLE cannot read {missing}" in result.stderr, result.stderr


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_provider_calls_go_through_the_proxy(start_app, pki, variable):
    with https_provider(pki) as provider, running_proxy() as proxy:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic",
                    CA_BUNDLE=str(pki["ca"].certificate), **{variable: proxy.url})
        assert_signs_in_and_reads_the_profile(app, provider, pki)
        provider_address = provider.issuer.removeprefix("https://")
        assert proxy.targets, f"nothing went through the proxy:\n{app.log}"
        assert set(proxy.targets) == {provider_address}, proxy.targets
        # Tunnelled TLS: the proxy saw bytes, but not the secret, the code or the tokens.
        tokens = provider.recorder.token_responses[-1]
        assert proxy.relayed and SECRET.encode() not in proxy.relayed
        assert tokens["access_token"].encode() not in proxy.relayed
        assert f"Outbound https calls go through the proxy {proxy.url} ({variable})" in app.log


def test_graph_calls_share_one_kept_alive_tls_connection(start_app, pki):
    """Five Graph calls one after another, through the proxy to a keep-alive https server:
    one CONNECT tunnel and one TLS handshake, reused, not one per call. (The mock
    provider's werkzeug server closes every connection, so Graph is a server of its own.)"""
    with https_provider(pki) as provider, running_proxy() as proxy, running_tls_profile(pki["server"]) as graph:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic", GRAPH_ENDPOINT=graph,
                    CA_BUNDLE=str(pki["ca"].certificate), HTTPS_PROXY=proxy.url)
        browser = browser_for(pki)
        _, _, answer = sign_in(browser, app, provider)
        assert answer.status_code == 302, f"sign-in failed ({answer.status_code}):\n{answer.text}\n{app.log}"
        for _ in range(5):
            profile = browser.get(app.base + "/graph")
            assert profile.status_code == 200, f"{profile.text}\n{app.log}"
            assert graph_rows(profile.text).get("Mail") == "kept.alive@example.org"
        graph_address = graph.removeprefix("https://").split("/")[0]
        assert proxy.targets.count(graph_address) == 1, proxy.targets


def test_no_proxy_bypasses_the_proxy(start_app, pki):
    with https_provider(pki) as provider, running_proxy() as proxy:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic",
                    CA_BUNDLE=str(pki["ca"].certificate), HTTPS_PROXY=proxy.url, NO_PROXY="localhost,127.0.0.1")
        assert_signs_in_and_reads_the_profile(app, provider, pki)
        assert proxy.targets == [], f"NO_PROXY was not honoured: {proxy.targets}"


def test_an_unreachable_proxy_gives_the_could_not_be_reached_page(start_app, pki):
    with https_provider(pki) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic",
                    CA_BUNDLE=str(pki["ca"].certificate), HTTPS_PROXY="http://127.0.0.1:1")
        page = Browser().get(app.base + "/login", allow_redirects=False)
        assert page.status_code == 502 and "could not be reached" in page.text
        assert "127.0.0.1:1" not in page.text
