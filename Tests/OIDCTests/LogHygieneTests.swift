import Foundation
import HTTPClient
import Logging
import OIDC
import Testing
import TestSupport

/// Log lines and error descriptions never contain tokens, codes, secrets, state, nonce,
/// PKCE verifiers or query strings, on success and on every failure path.
@Suite struct LogHygieneTests {
    @Test func nothingSecretIsLogged() throws {
        let capture = LogCapture()
        let harness = Harness(logger: capture.logger)
        var flows = PendingFlows()
        var cache = TokenCache()
        var errors: [OIDCError] = []

        // A successful sign-in.
        let (query, flow) = try harness.begin(&flows)
        let idToken = harness.idp.signedIDToken(nonce: flow.nonce)
        let good = harness.idp.tokenResponse(idToken: idToken)
        harness.idp.onToken { _, _ throws(TransportError) in good }
        let result = try harness.client.completeSignIn(AuthorizationResponse(code: "secret-auth-code", state: query["state"]), flows: &flows, cache: &cache)

        // Failures: replayed state, rejected ID token, provider error, unreachable provider.
        do { _ = try harness.client.completeSignIn(AuthorizationResponse(code: "secret-auth-code", state: query["state"]), flows: &flows, cache: &cache) } catch { errors.append(error) }
        let (query2, _) = try harness.begin(&flows)
        do { _ = try harness.client.completeSignIn(AuthorizationResponse(code: "secret-auth-code-2", state: query2["state"]), flows: &flows, cache: &cache) } catch { errors.append(error) }
        harness.idp.onToken { _, _ throws(TransportError) in FakeIdentityProvider.json(400, ["error": "invalid_grant", "correlation_id": "c-1"]) }
        harness.clock.advance(4000)
        var copy = cache
        do { _ = try harness.client.acquireTokenSilently(account: result.account, cache: &copy) } catch { errors.append(error) }
        harness.idp.onToken { _, _ throws(TransportError) in throw .timedOut }
        do { _ = try harness.client.acquireTokenSilently(account: result.account, cache: &cache) } catch { errors.append(error) }
        #expect(errors.count == 4)

        let secrets = ["secret-auth-code", "access-1", "refresh-1", idToken, String(idToken.prefix(40)), "s3cret", flow.state, flow.nonce, flow.codeVerifier,
                       query2["state"]!, "?client_id", "code_challenge="]
        let lines = capture.lines
        #expect(lines.count >= 5)
        for line in lines + errors.map(\.description) + errors.map(\.logReason) {
            for secret in secrets {
                #expect(!line.contains(secret), "leaked into: \(line)")
            }
        }
    }
}
