import CryptoSupport
import Encodings
import Foundation
import HTTPClient
import JOSE
import OIDC
import Testing

/// The callback: state first, then code redemption with the configured credential, then
/// ID token validation and caching.
@Suite struct SignInFlowTests {
    @Test func completeSignInValidatesAndCaches() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, flow) = try harness.begin(&flows)
        harness.tokenEndpointIssues(nonce: flow.nonce)
        let result = try harness.client.completeSignIn(
            AuthorizationResponse(query: "code=the-code&state=\(query["state"]!)&session_state=x"), flows: &flows, cache: &cache)
        #expect(result.claims.name == "Ada Lovelace")
        #expect(result.claims.subject == "subject-abc")
        #expect(result.returnPath == "/profile")
        #expect(result.account.homeAccountID == FakeIdentityProvider.homeAccountID)
        #expect(result.account.username == "ada@example.com")
        #expect(flows.isEmpty)

        let form = try #require(harness.idp.tokenRequests.first)
        #expect(form["grant_type"] == "authorization_code")
        #expect(form["code"] == "the-code")
        #expect(form["code_verifier"] == flow.codeVerifier)
        #expect(form["redirect_uri"] == "https://app.example/getAToken")
        #expect(form["client_id"] == "client-123")
        #expect(form["client_secret"] == "s3cret value&=")
        #expect(form["client_info"] == "1")
        #expect(form["scope"] == "openid profile offline_access User.Read")

        #expect(cache.accessTokens.count == 1 && cache.refreshTokens.count == 1 && cache.idTokens.count == 1 && cache.accounts.count == 1)
    }

    @Test func replayedStateRedeemsNothing() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, flow) = try harness.begin(&flows)
        harness.tokenEndpointIssues(nonce: flow.nonce)
        let callback = AuthorizationResponse(code: "c", state: query["state"])
        _ = try harness.client.completeSignIn(callback, flows: &flows, cache: &cache)
        #expect(throws: OIDCError.stateRejected(.unknown)) {
            _ = try harness.client.completeSignIn(callback, flows: &flows, cache: &cache)
        }
        #expect(harness.idp.tokenRequests.count == 1, "the replay never reached the token endpoint")
    }

    @Test func unknownOrMissingStateIsCheckedBeforeAnythingElse() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        _ = try harness.begin(&flows)
        #expect(throws: OIDCError.stateRejected(.unknown)) {
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: "forged"), flows: &flows, cache: &cache)
        }
        #expect(throws: OIDCError.stateRejected(.missing)) {
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c"), flows: &flows, cache: &cache)
        }
        // Even an error callback needs a valid state before it is believed.
        #expect(throws: OIDCError.stateRejected(.unknown)) {
            _ = try harness.client.completeSignIn(AuthorizationResponse(state: "forged", error: "access_denied"), flows: &flows, cache: &cache)
        }
        #expect(harness.idp.tokenRequests.isEmpty)
        #expect(flows.flows.count == 1, "the genuine flow is still pending")
    }

    @Test func expiredFlowIsRejected() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, _) = try harness.begin(&flows)
        harness.clock.advance(601)
        #expect(throws: OIDCError.stateRejected(.expired)) {
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: query["state"]), flows: &flows, cache: &cache)
        }
    }

    @Test func callbackErrorIsReportedWithItsDescription() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, _) = try harness.begin(&flows)
        let callback = AuthorizationResponse(query: "error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state=\(query["state"]!)")
        do {
            _ = try harness.client.completeSignIn(callback, flows: &flows, cache: &cache)
            Issue.record("expected an error")
        } catch {
            #expect(error == .authorizationFailed(error: "access_denied", description: "AADSTS65004: User declined to consent."))
            #expect(error.description.contains("User declined to consent"))
        }
        #expect(harness.idp.tokenRequests.isEmpty)
        #expect(flows.isEmpty, "the flow is used up")
    }

    @Test func missingCode() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, _) = try harness.begin(&flows)
        #expect(throws: OIDCError.missingAuthorizationCode) {
            _ = try harness.client.completeSignIn(AuthorizationResponse(state: query["state"]), flows: &flows, cache: &cache)
        }
    }

    // MARK: Token endpoint errors

    private func exchangeError(_ respond: @escaping FakeIdentityProvider.TokenHandler) throws -> OIDCError? {
        let harness = Harness()
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, _) = try harness.begin(&flows)
        harness.idp.onToken(respond)
        do {
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: query["state"]), flows: &flows, cache: &cache)
            return nil
        } catch {
            return error
        }
    }

    @Test func entraErrorBodyBecomesTypedError() throws {
        let body: [String: JSONValue] = [
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "error_codes": [7000215],
            "timestamp": "2026-01-01 00:00:00Z",
            "trace_id": "trace-1",
            "correlation_id": "corr-1",
        ]
        let error = try exchangeError { _, _ throws(TransportError) in FakeIdentityProvider.json(401, body) }
        let expected = ProviderErrorResponse(status: 401, error: "invalid_client", errorDescription: "AADSTS7000215: Invalid client secret provided.",
                                             errorCodes: [7000215], correlationID: "corr-1", traceID: "trace-1", timestamp: "2026-01-01 00:00:00Z")
        #expect(error == .provider(expected))
        #expect(error?.description.contains("correlation id corr-1") == true)
        #expect(error?.description.contains("s3cret") == false)
        #expect(error?.logReason == "provider.invalid_client")
    }

    @Test func invalidGrantOnCodeRedemptionMeansSignInAgain() throws {
        let error = try exchangeError { _, _ throws(TransportError) in
            FakeIdentityProvider.json(400, ["error": "invalid_grant", "error_description": "AADSTS54005: code already redeemed"])
        }
        guard case .interactionRequired(let body)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(body?.error == "invalid_grant")
        #expect(error?.needsInteractiveSignIn == true)
    }

    @Test func nonJSONAnd5xxAndTransportErrorsAreDistinct() throws {
        let html = try exchangeError { _, _ throws(TransportError) in OutboundResponse(status: 400, body: Array("<html>oops</html>".utf8)) }
        #expect(html == .invalidResponse(endpoint: .token, status: 400, reason: "the body is not JSON"))
        let okButHTML = try exchangeError { _, _ throws(TransportError) in OutboundResponse(status: 200, body: Array("<html>".utf8)) }
        #expect(okButHTML == .invalidResponse(endpoint: .token, status: 200, reason: "the body is not JSON"))
        let unavailable = try exchangeError { _, _ throws(TransportError) in OutboundResponse(status: 503, body: Array("busy".utf8)) }
        #expect(unavailable == .providerUnavailable(status: 503, nil))
        let timeout = try exchangeError { _, _ throws(TransportError) in throw .timedOut }
        #expect(timeout == .transport(.timedOut, endpoint: .token))
        let refused = try exchangeError { _, _ throws(TransportError) in throw .connectionRefused(host: "login.microsoftonline.com") }
        #expect(refused == .transport(.connectionRefused(host: "login.microsoftonline.com"), endpoint: .token))
        let noAccessToken = try exchangeError { _, _ throws(TransportError) in FakeIdentityProvider.json(200, ["token_type": "Bearer"]) }
        #expect(noAccessToken == .invalidResponse(endpoint: .token, status: 200, reason: "no access_token in the response"))
    }

    @Test func responseWithoutIDTokenIsRejected() throws {
        let harness = Harness()
        let error = try exchangeError { _, _ throws(TransportError) in harness.idp.tokenResponse(idToken: nil) }
        #expect(error == .invalidResponse(endpoint: .token, status: 200, reason: "no id_token in the response"))
    }

    // MARK: Client credentials

    @Test func clientSecretBasic() throws {
        let harness = Harness(credential: .secret("p@ss:word", method: .basic))
        var cache = TokenCache()
        _ = try harness.signIn(cache: &cache)
        let request = try #require(harness.idp.requests.first { $0.url == harness.idp.tokenEndpoint })
        let authorization = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization.hasPrefix("Basic "))
        let decoded = String(decoding: Data(base64Encoded: String(authorization.dropFirst(6)))!, as: UTF8.self)
        #expect(decoded == "client-123:p%40ss%3Aword")
        let form = try #require(harness.idp.tokenRequests.first)
        #expect(form["client_secret"] == nil && form["client_id"] == nil)
    }

    @Test func privateKeyJWTAssertion() throws {
        let signingKey = TestKeys.secondary
        let certificate = try Certificate.selfSigned(key: signingKey, commonName: "entra-web")
        let harness = Harness(credential: .certificate(privateKey: signingKey, certificate: certificate))
        var cache = TokenCache()
        _ = try harness.signIn(cache: &cache)
        let form = try #require(harness.idp.tokenRequests.first)
        #expect(form["client_secret"] == nil)
        #expect(form["client_id"] == "client-123")
        #expect(form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        let assertion = try JWT(compact: try #require(form["client_assertion"]))
        #expect(assertion.algorithm == "RS256")
        #expect(assertion.header["x5t"]?.stringValue == certificate.sha1Thumbprint)
        #expect(assertion.header["x5t#S256"]?.stringValue == certificate.sha256Thumbprint)
        #expect(assertion.claims["aud"]?.stringValue == harness.idp.tokenEndpoint)
        #expect(assertion.claims["iss"]?.stringValue == "client-123")
        #expect(assertion.claims["sub"]?.stringValue == "client-123")
        #expect(assertion.claims["jti"]?.stringValue?.isEmpty == false)
        let now = harness.clock.epoch
        #expect(assertion.claims["exp"]?.integerValue == now + 600)
        #expect(assertion.claims["nbf"]?.integerValue == now)
        #expect(signingKey.verifyRS256(signature: assertion.signature, message: assertion.signingInput))
    }

    @Test func genericProviderSignIn() throws {
        let harness = Harness(genericIssuer: "https://idp.example.com/realms/demo")
        var cache = TokenCache()
        let result = try harness.signIn(cache: &cache)
        #expect(result.account.homeAccountID == "subject-abc", "no client_info: the subject identifies the account")
        #expect(result.account.environment == "idp.example.com")
        #expect(harness.idp.tokenRequests.first?["client_info"] == nil)
    }
}
