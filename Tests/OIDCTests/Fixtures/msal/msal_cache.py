#!/usr/bin/env python3
"""MSAL Python interop for the OIDC module's token cache (run by OIDCTests).

  msal_cache.py generate OUT.json
      Feeds a token response for an authorization-code sign-in to MSAL Python's own
      SerializableTokenCache and writes what MSAL serializes. The committed fixture
      msal_written_cache.json beside this script was made this way; run it again to
      regenerate (the output is deterministic: fixed clock, fixed fake tokens).

  msal_cache.py check CACHE.json --client-id ID --authority URL --scope S [--scope S...]
      Loads a cache file written by the Swift module into msal.SerializableTokenCache and
      asks MSAL for the account (ConfidentialClientApplication.get_accounts), the access
      token (acquire_token_silent, which must be served from the cache), and the refresh
      and ID tokens (TokenCache.search). Prints what MSAL found as JSON and exits 0, or
      prints the failure and exits 1.

No network: discovery is answered by an in-process fake HTTP client, and anything else
(for example a token endpoint call) fails the check.
"""
import base64
import json
import sys

import msal

FIXTURE_NOW = 1767225600  # 2026-01-01T00:00:00Z
CLIENT_ID = "msal-fixture-client"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
AUTHORITY = "https://login.microsoftonline.com/" + TENANT
UID = "00000000-0000-0000-66f3-3332eca7ea81"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def fake_id_token(claims):
    # MSAL only decodes ID token claims (it does not verify them), so a fixed
    # placeholder signature is enough for a cache fixture.
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "fixture"}).encode())
    payload = b64url(json.dumps(claims, sort_keys=True).encode())
    return header + "." + payload + "." + b64url(b"not-a-real-signature")


def generate(out_path):
    claims = {
        "aud": CLIENT_ID,
        "iss": "https://login.microsoftonline.com/%s/v2.0" % TENANT,
        "iat": FIXTURE_NOW - 10,
        "nbf": FIXTURE_NOW - 10,
        "exp": FIXTURE_NOW + 3600,
        "name": "Grace Hopper",
        "oid": UID,
        "preferred_username": "grace@example.com",
        "sub": "fixture-subject",
        "tid": TENANT,
        "ver": "2.0",
    }
    response = {
        "token_type": "Bearer",
        "scope": "User.Read openid profile email",
        "expires_in": 3600,
        "ext_expires_in": 7200,
        "refresh_in": 1800,
        "access_token": "msal-fixture-access-token",
        "refresh_token": "msal-fixture-refresh-token",
        "id_token": fake_id_token(claims),
        "client_info": b64url(json.dumps({"uid": UID, "utid": TENANT}).encode()),
    }
    cache = msal.SerializableTokenCache()
    # The event shape MSAL's oauth2 client hands to TokenCache.add (see
    # msal/oauth2cli/oauth2.py _obtain_token and msal/application.py, which adds
    # "environment" from the authority's instance).
    cache.add({
        "client_id": CLIENT_ID,
        "scope": response["scope"].split(),
        "token_endpoint": AUTHORITY + "/oauth2/v2.0/token",
        "grant_type": "authorization_code",
        "response": response,
        "params": {},
        "data": {"scope": ["User.Read", "openid", "profile", "offline_access"], "client_info": 1},
        "environment": "login.microsoftonline.com",
    }, now=FIXTURE_NOW)
    state = json.loads(cache.serialize())
    with open(out_path, "w") as out:
        json.dump(state, out, indent=4, sort_keys=True)
        out.write("\n")


class FakeResponse(object):
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.text = json.dumps(body)
        self.headers = {}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError("HTTP %d" % self.status_code)


class DiscoveryOnlyHttpClient(object):
    """Answers OpenID discovery for the authority; any other call is a test failure."""

    def __init__(self, authority):
        self.authority = authority.rstrip("/")
        self.unexpected = []

    def get(self, url, **kwargs):
        if url.startswith(self.authority) and "openid-configuration" in url:
            tenant = self.authority.rsplit("/", 1)[1]
            issuer_tenant = "{tenantid}" if tenant in ("common", "organizations") else tenant
            return FakeResponse(200, {
                "issuer": "https://login.microsoftonline.com/%s/v2.0" % issuer_tenant,
                "authorization_endpoint": self.authority + "/oauth2/v2.0/authorize",
                "token_endpoint": self.authority + "/oauth2/v2.0/token",
                "device_authorization_endpoint": self.authority + "/oauth2/v2.0/devicecode",
                "end_session_endpoint": self.authority + "/oauth2/v2.0/logout",
                "jwks_uri": self.authority + "/discovery/v2.0/keys",
            })
        self.unexpected.append(("GET", url))
        return FakeResponse(500, {"error": "unexpected request"})

    def post(self, url, **kwargs):
        # A token request means MSAL did not find a usable access token in the cache.
        self.unexpected.append(("POST", url))
        return FakeResponse(400, {"error": "invalid_grant", "error_description": "no token requests in this check"})

    def close(self):
        pass


def check(path, client_id, authority, scopes):
    with open(path) as handle:
        serialized = handle.read()
    cache = msal.SerializableTokenCache()
    cache.deserialize(serialized)
    http = DiscoveryOnlyHttpClient(authority)
    app = msal.ConfidentialClientApplication(
        client_id, client_credential="unused-secret", authority=authority,
        token_cache=cache, http_client=http, instance_discovery=False)

    accounts = app.get_accounts()
    if len(accounts) != 1:
        return fail("expected one account, MSAL found %d" % len(accounts))
    account = accounts[0]
    result = app.acquire_token_silent(scopes, account=account)
    if not result or "access_token" not in result:
        return fail("acquire_token_silent found no access token in the cache: %r" % (result and result.get("error")))
    if result.get("token_source") != "cache":
        return fail("access token did not come from the cache: %r" % result.get("token_source"))
    if http.unexpected:
        return fail("MSAL made unexpected requests: %r" % http.unexpected)

    owner = {"home_account_id": account["home_account_id"], "client_id": client_id}
    refresh_tokens = list(cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN, query=owner))
    id_tokens = list(cache.search(msal.TokenCache.CredentialType.ID_TOKEN, query=owner))
    if len(refresh_tokens) != 1 or len(id_tokens) != 1:
        return fail("expected one refresh token and one ID token, found %d and %d" % (len(refresh_tokens), len(id_tokens)))
    payload = id_tokens[0]["secret"].split(".")[1]
    id_claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    print(json.dumps({
        "home_account_id": account["home_account_id"],
        "username": account["username"],
        "environment": account["environment"],
        "realm": account["realm"],
        "access_token": result["access_token"],
        "refresh_token": refresh_tokens[0]["secret"],
        "id_token_sub": id_claims.get("sub"),
    }, sort_keys=True))
    return 0


def fail(message):
    print("MSAL check failed: " + message)
    return 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "generate":
        generate(argv[1])
        return 0
    if len(argv) >= 2 and argv[0] == "check":
        path = argv[1]
        options = {"--client-id": None, "--authority": None}
        scopes = []
        rest = argv[2:]
        while rest:
            name, value, rest = rest[0], rest[1], rest[2:]
            if name == "--scope":
                scopes.append(value)
            else:
                options[name] = value
        try:
            return check(path, options["--client-id"], options["--authority"], scopes)
        except Exception as error:  # Report MSAL's own failures as a failed check
            return fail("%s: %s" % (type(error).__name__, error))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
