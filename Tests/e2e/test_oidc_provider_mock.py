"""Interoperability: the real binary against an OpenID provider nobody here wrote.

`oidc-provider-mock` (PyPI, built on Authlib) runs in this process on 127.0.0.1 with a free
port; the app runs in generic OpenID mode (OIDC_AUTHORITY = the mock's issuer) with a
confidential client registered at the mock, and a cookie-keeping `requests.Session` plays
the browser: /login (a redirect to the mock), the mock's authorize form, /getAToken, the home page, /graph against
the mock's userinfo endpoint, /logout through the mock's end-session page and back.

The negative checks make the mock misbehave in one precise way each (see oidc_mock.py) and
expect the app's error page, no session cookie and nobody signed in. What the mock needed
from us is recorded in the README's "Interoperability" section.
"""
import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oidc_mock import (ForgedNonce, OtherIssuer, Resigned, TamperedClaims, User, b64url_decode_json,
                       running_provider)

# Authlib (under the mock) warns about its own deprecated APIs on every token request.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLIENT_ID = "entra-web-interop"
# Characters that RFC 6749 2.3.1 makes us form-encode before base64 in HTTP Basic.
SECRET = "s3cret:with/odd+chars&=% and a space"
ALICE = User(sub="alice-0001", claims={
    "name": "Alice Example",
    "given_name": "Alice",
    "family_name": "Example",
    "preferred_username": "alice",
    "email": "alice@example.org",
    "email_verified": True,
    "phone_number": "+1 555 0100",  # scope "phone" is not requested: must not be released
})
TIMEOUT = 20


class Browser(requests.Session):
    """A cookie-keeping client that never waits forever."""
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, **kwargs)


def start(start_app, provider, *, registered_method="client_secret_basic", **env):
    """The app in generic OIDC mode against `provider`, and its client registered there."""
    settings = {
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": SECRET,
        "OIDC_AUTHORITY": provider.issuer,
        # The mock knows openid, profile, email, address and phone; "User.Read" is Graph's.
        "SCOPE": "email",
        "GRAPH_ENDPOINT": provider.userinfo_endpoint,
    }
    settings.update(env)
    app = start_app(env=settings)
    # The default redirect URI, derived from the port the app was given.
    provider.register_client(CLIENT_ID, SECRET, [app.base + "/getAToken"], registered_method)
    return app


def authorize_url(browser, app):
    """The provider's authorize URL that /login redirects to (keeping the sign-in cookie)."""
    login = browser.get(app.base + "/login", allow_redirects=False)
    assert login.status_code == 302, f"/login did not redirect ({login.status_code}):\n{login.text}"
    assert login.headers["Set-Cookie"].startswith("signin=v1."), login.headers
    return login.headers["Location"]


def sign_in(browser, app, provider, sub=ALICE.sub):
    """/login's redirect, the mock's authorize form, then the redirect to /getAToken (not followed).
    Returns (authorize query, callback query, the app's answer to the callback)."""
    url = authorize_url(browser, app)
    assert url.startswith(provider.issuer + "/oauth2/authorize?"), url
    form = browser.get(url)
    assert form.status_code == 200, form.text
    assert "Authorize Client" in form.text and CLIENT_ID in form.text, form.text
    # The form posts `sub` back to the same URL (query string included).
    decision = browser.post(url, data={"sub": sub}, allow_redirects=False)
    assert decision.status_code == 302, f"mock refused the authorization ({decision.status_code}):\n{decision.text}"
    callback_url = decision.headers["Location"]
    assert callback_url.startswith(app.base + "/getAToken?"), callback_url
    answer = browser.get(callback_url, allow_redirects=False)
    return query_of(url), query_of(callback_url), answer


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def assert_signed_out(browser, app):
    home = browser.get(app.base + "/")
    assert home.status_code == 200
    assert "Signed in as" not in home.text and 'href="/login"' in home.text, home.text
    graph = browser.get(app.base + "/graph", allow_redirects=False)
    assert graph.status_code == 302 and "/oauth2/authorize?" in graph.headers["Location"], graph.headers


def assert_no_session_cookie(answer, context=""):
    """The failed callback set no session cookie; its only cookie drops the used sign-in."""
    set_cookie = answer.headers.get("Set-Cookie", "")
    assert "session=" not in set_cookie, f"{context}: {set_cookie}"
    assert set_cookie == "" or (set_cookie.startswith("signin=;") and "Max-Age=0" in set_cookie), f"{context}: {set_cookie}"


def sign_out(browser, app):
    """The Sign out button: the form on /logout (as in every page's header), with its token."""
    page = browser.get(app.base + "/logout")
    assert page.status_code == 200, page.text
    token = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page.text).group(1)
    return browser.post(app.base + "/logout", data={"token": html.unescape(token)}, allow_redirects=False)


def graph_rows(page):
    return dict(re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', page))


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_sign_in_profile_and_sign_out(start_app, method):
    # client_secret_basic: RFC 7591's default for registered clients, and what the mock's
    # discovery implies (no token_endpoint_auth_methods_supported); the app's own default
    # is client_secret_post, which a client registered for it must get unchanged.
    env = {"TOKEN_AUTH_METHOD": "client_secret_basic"} if method == "client_secret_basic" else {}
    with running_provider(users=[ALICE]) as provider:
        app = start(start_app, provider, registered_method=method, **env)
        browser = Browser()

        authorize, callback, answer = sign_in(browser, app, provider)
        assert authorize["client_id"] == CLIENT_ID
        assert authorize["response_type"] == "code"
        assert authorize["redirect_uri"] == app.base + "/getAToken"
        assert {"openid", "email"} <= set(authorize["scope"].split())
        assert authorize["code_challenge_method"] == "S256" and len(authorize["code_challenge"]) == 43
        assert len(authorize["state"]) >= 22 and len(authorize["nonce"]) >= 22
        assert callback["state"] == authorize["state"] and callback["code"]

        assert answer.status_code == 302, f"sign-in failed ({answer.status_code}):\n{answer.text}\n{app.log}"
        assert answer.headers["Location"] == "/"
        assert "HttpOnly" in answer.headers["Set-Cookie"]
        assert provider.recorder.verified_codes == [callback["code"]], "PKCE was not checked"

        # What the app accepted: a standard ID token, not an Entra one.
        tokens = provider.recorder.token_responses[-1]
        claims = b64url_decode_json(tokens["id_token"].split(".")[1])
        assert claims["iss"] == provider.issuer  # from the Host header: no trailing slash
        assert claims["aud"] == [CLIENT_ID]      # an array of one, no azp
        assert "azp" not in claims and "tid" not in claims and "oid" not in claims
        assert claims["nonce"] == authorize["nonce"] and "at_hash" in claims
        assert "offline_access" not in tokens["scope"].split()  # dropped, yet a refresh token came
        assert tokens.get("refresh_token")

        home = browser.get(app.base + "/")
        assert "Signed in as <strong>Alice Example</strong>" in home.text, home.text
        assert "You are signed in as <strong>alice</strong>" in home.text
        # Not Entra: the profile comes from the provider's userinfo, so no page names Graph.
        assert "Show my profile" in home.text and "Microsoft" not in home.text, home.text
        assert len(app.session_files()) == 1

        profile = browser.get(app.base + "/graph")
        assert profile.status_code == 200, f"{profile.text}\n{app.log}"
        assert f"<code>{provider.userinfo_endpoint}</code>" in profile.text
        assert "<h1>Your profile</h1>" in profile.text and "Microsoft" not in profile.text
        rows = graph_rows(profile.text)
        assert rows.get("Sub") == ALICE.sub, rows
        assert rows.get("Email") == "alice@example.org"
        assert rows.get("Name") == "Alice Example"
        assert "phone_number" not in profile.text, "the mock released a claim whose scope was not requested"

        bye = sign_out(browser, app)
        # The provider is another origin: a page, not a redirect, carries the browser on
        # (browsers apply the form page's CSP form-action to a redirect after the POST).
        assert bye.status_code == 200, bye.text
        assert "Location" not in bye.headers
        end_session = html.unescape(re.search(r'<a class="button" href="([^"]+)">Continue</a>', bye.text).group(1))
        assert f'<meta http-equiv="refresh" content="0; url={html.escape(end_session)}">' in bye.text, bye.text
        assert end_session.startswith(provider.issuer + "/oauth2/end_session?"), end_session
        assert query_of(end_session) == {"post_logout_redirect_uri": app.base + "/", "client_id": CLIENT_ID}
        assert "Max-Age=0" in bye.headers["Set-Cookie"]
        assert app.session_files() == [], "the session file outlived sign-out"

        # The mock's end-session page: a form that confirms and then redirects.
        page = browser.get(end_session)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)">', page.text).group(1)
        target = re.search(r'<input type="hidden" name="redirect_uri" value="([^"]+)">', page.text).group(1)
        confirmed = browser.post(provider.issuer + html.unescape(action),
                                 data={"redirect_uri": html.unescape(target)}, allow_redirects=False)
        assert confirmed.status_code == 302 and confirmed.headers["Location"] == app.base + "/", confirmed.headers
        assert_signed_out(browser, app)

        log = app.log
        assert SECRET not in log and tokens["access_token"] not in log and tokens["refresh_token"] not in log


def test_short_lived_access_token_is_refreshed_with_the_granted_scopes(start_app):
    # Tokens that live less than the app's 5-minute margin are refreshed on every /graph.
    with running_provider(users=[ALICE], access_token_max_age=timedelta(seconds=120)) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic")
        browser = Browser()
        _, _, answer = sign_in(browser, app, provider)
        assert answer.status_code == 302, f"{answer.text}\n{app.log}"
        # The first /graph refreshes; the mock's refreshed token lives its default hour, so the
        # second is served from the cache.
        for attempt in range(2):
            profile = browser.get(app.base + "/graph")
            assert profile.status_code == 200, f"/graph #{attempt + 1}: {profile.text}\n{app.log}"
            assert graph_rows(profile.text).get("Email") == "alice@example.org"
        assert app.log.count("Refreshed tokens") == 1, app.log
        assert "Token endpoint returned an error" not in app.log
        assert len(provider.recorder.token_responses) == 2
        refreshed = provider.recorder.token_responses[-1]
        assert "id_token" not in refreshed and "refresh_token" not in refreshed, refreshed.keys()
        assert set(refreshed["scope"].split()) == {"openid", "profile", "email"}


@pytest.mark.parametrize("case, env", [
    ("wrong secret", {"CLIENT_SECRET": "not-the-secret", "TOKEN_AUTH_METHOD": "client_secret_basic"}),
    ("post to a client registered for basic", {}),
])
def test_client_authentication_failure_is_shown_and_nobody_is_signed_in(start_app, case, env):
    with running_provider(users=[ALICE]) as provider:
        app = start(start_app, provider, registered_method="client_secret_basic", **env)
        browser = Browser()
        _, _, answer = sign_in(browser, app, provider)
        assert answer.status_code == 400, f"{case}: {answer.status_code}\n{answer.text}"
        assert "The identity provider refused the sign-in" in answer.text
        assert "<code>invalid_client</code>" in answer.text
        assert_no_session_cookie(answer)
        assert_signed_out(browser, app)
        assert all(ALICE.sub not in path.read_text(errors="replace") for path in app.session_files())


ID_TOKEN_FAULTS = [
    ("a nonce the app never sent", ForgedNonce(), "nonce_mismatch"),
    ("a validly signed token from another issuer", OtherIssuer(), "issuer_mismatch"),
    ("claims changed after signing", TamperedClaims(), "invalid_signature"),
    ("another client's token", Resigned(claims={"aud": ["another-client"]}), "audience_mismatch"),
    ("two audiences and no azp", Resigned(claims={"aud": [CLIENT_ID, "another-client"]}), "azp_mismatch"),
    ("azp naming another client", Resigned(claims={"azp": "another-client"}), "azp_mismatch"),
    ("expired beyond the clock skew", Resigned(claims={"exp": lambda c: c["iat"] - 600}), "expired"),
    ("no subject", Resigned(drop=("sub",)), "missing_sub"),
    ("alg none", Resigned(header={"alg": "none"}), "unsupported_alg(none)"),
]


def test_id_token_faults_are_refused_and_nobody_is_signed_in(start_app):
    """One mock and one app; the mock misbehaves differently for each sign-in, then a
    last, honest sign-in shows the refusals came from the faults alone."""
    with running_provider(users=[ALICE]) as provider:
        app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic")
        for description, fault, reason in ID_TOKEN_FAULTS:
            provider.recorder.faults = fault
            browser = Browser()
            log_before = len(app.log)
            _, _, answer = sign_in(browser, app, provider)
            new_log = app.log[log_before:]
            assert answer.status_code == 400, f"{description}: {answer.status_code}\n{answer.text}\n{new_log}"
            assert "The identity provider's answer could not be trusted" in html.unescape(answer.text), \
                f"{description}:\n{answer.text}"
            assert reason in new_log, f"{description}: expected {reason} in the log:\n{new_log}"
            assert_no_session_cookie(answer, description)
            assert_signed_out(browser, app)

        provider.recorder.faults = None
        browser = Browser()
        _, _, answer = sign_in(browser, app, provider)
        assert answer.status_code == 302, f"{answer.text}\n{app.log}"
        assert "Signed in as <strong>Alice Example</strong>" in browser.get(app.base + "/").text
