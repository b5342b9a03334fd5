/// Log lines and error descriptions never contain tokens, codes, secrets, state, nonce,
/// PKCE verifiers or query strings, on success and on every failure path.
import Foundation
import HTTPClient
import Logging
import OIDC
import Testing

/// Captures every log line, with its metadata, at trace level.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    final class Storage: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(storage: Storage) {
        self.storage = storage
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        storage.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}

@Suite struct LogHygieneTests {
    @Test func nothingSecretIsLogged() throws {
        let storage = RecordingLogHandler.Storage()
        let logger = Logger(label: "oidc.test") { _ in RecordingLogHandler(storage: storage) }
        let harness = Harness(logger: logger)
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
        harness.clock.advance(by: 4000)
        var copy = cache
        do { _ = try harness.client.acquireTokenSilently(account: result.account, cache: &copy) } catch { errors.append(error) }
        harness.idp.onToken { _, _ throws(TransportError) in throw .timedOut }
        do { _ = try harness.client.acquireTokenSilently(account: result.account, cache: &cache) } catch { errors.append(error) }
        #expect(errors.count == 4)

        let secrets = ["secret-auth-code", "access-1", "refresh-1", idToken, String(idToken.prefix(40)), "s3cret", flow.state, flow.nonce, flow.codeVerifier,
                       query2["state"]!, "?client_id", "code_challenge="]
        let lines = storage.all
        #expect(lines.count >= 5)
        for line in lines + errors.map(\.description) + errors.map(\.logReason) {
            for secret in secrets {
                #expect(!line.contains(secret), "leaked into: \(line)")
            }
        }
    }
}
