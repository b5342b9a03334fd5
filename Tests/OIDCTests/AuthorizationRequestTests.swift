import CryptoSupport
import Encodings
import Foundation
import OIDC
import Testing

/// The authorize URL and the pending-flow record it creates.
@Suite struct AuthorizationRequestTests {
    @Test func entraAuthorizeURLHasEveryParameter() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let url = try harness.client.beginSignIn(
            options: SignInOptions(returnPath: "/profile?tab=1", prompt: "select_account", loginHint: "ada@example.com",
                                   domainHint: "organizations", claims: #"{"id_token":{"acrs":{"essential":true}}}"#),
            flows: &flows)
        #expect(url.hasPrefix(harness.idp.authorizationEndpoint + "?"))
        let query = URLComponents(string: url)!.queryDictionary
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "client-123")
        #expect(query["redirect_uri"] == "https://app.example/getAToken")
        #expect(query["scope"] == "openid profile offline_access User.Read")
        #expect(query["response_mode"] == "query")
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["prompt"] == "select_account")
        #expect(query["login_hint"] == "ada@example.com")
        #expect(query["domain_hint"] == "organizations")
        #expect(query["claims"] == #"{"id_token":{"acrs":{"essential":true}}}"#)
        #expect(query["client_info"] == "1")

        let flow = try #require(flows.flows.first)
        #expect(flows.flows.count == 1)
        #expect(query["state"] == flow.state)
        #expect(query["nonce"] == flow.nonce)
        #expect(query["code_challenge"] == PKCE.challenge(forVerifier: flow.codeVerifier))
        #expect(flow.redirectURI == "https://app.example/getAToken")
        #expect(flow.scopes == ["openid", "profile", "offline_access", "User.Read"])
        #expect(flow.returnPath == "/profile?tab=1")
        #expect(flow.createdAt == harness.clock.now)
    }

    @Test func secretsAreAtLeast128BitsFromTheInjectedSource() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let (_, flow) = try harness.begin(&flows)
        #expect(harness.random.requestedByteCounts == [32, 32, 32], "state, nonce, verifier")
        for secret in [flow.state, flow.nonce, flow.codeVerifier] {
            #expect(try #require(Base64URL.decode(secret)).count >= 16)
        }
        #expect(Set([flow.state, flow.nonce, flow.codeVerifier]).count == 3)
        #expect(PKCE.isValidVerifier(flow.codeVerifier))
    }

    @Test func genericProviderHasNoClientInfoOrEmptyOptions() throws {
        let harness = Harness(genericIssuer: "https://idp.example.com")
        var flows = PendingFlows()
        let (query, _) = try harness.begin(&flows)
        #expect(query["client_info"] == nil)
        #expect(query["prompt"] == nil && query["login_hint"] == nil && query["domain_hint"] == nil && query["claims"] == nil)
    }

    @Test func valuesArePercentEncoded() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let url = try harness.client.beginSignIn(options: SignInOptions(loginHint: "a b&c=d+e@x"), flows: &flows)
        #expect(url.contains("login_hint=a%20b%26c%3Dd%2Be%40x"))
        #expect(url.contains("redirect_uri=https%3A%2F%2Fapp.example%2FgetAToken"))
        #expect(url.contains("scope=openid%20profile%20offline_access%20User.Read"))
    }

    @Test func returnPathsStayLocal() {
        #expect(LocalPath.sanitize("/profile") == "/profile")
        #expect(LocalPath.sanitize("//evil.example") == "/")
        #expect(LocalPath.sanitize("/\\evil.example") == "/")
        #expect(LocalPath.sanitize("https://evil.example") == "/")
        #expect(LocalPath.sanitize("/a\nb") == "/")
        #expect(LocalPath.sanitize("") == "/")
    }
}
