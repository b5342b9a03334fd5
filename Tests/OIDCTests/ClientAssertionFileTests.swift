import Encodings
import Foundation
import HTTPClient
import OIDC
import Testing
import TestSupport

/// Workload identity federation: the token requests carry the federated token from a file
/// as the client assertion, read again for every request, and a file that cannot be used
/// fails the request with a log line naming the setting, never the token.
@Suite struct ClientAssertionFileTests {
    /// A file in a directory of its own, removed when the test ends.
    final class TokenFile {
        let directory: URL
        let path: String

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("assertion-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("token").path
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// Replaces the content the way the kubelet does: a new file renamed over the old.
        func write(_ text: String) throws {
            let next = directory.appendingPathComponent("token.next").path
            try text.write(toFile: next, atomically: false, encoding: .utf8)
            _ = rename(next, path)
        }

        var credential: ClientCredential { .assertionFile(ClientAssertionFile(path: path, setting: "CLIENT_ASSERTION_FILE")) }
    }

    /// A JWT-shaped token, distinct per `label` (the client only passes it on).
    static func token(_ label: String) -> String {
        [#"{"alg":"RS256","kid":"k"}"#, #"{"sub":"system:serviceaccount:web:\#(label)"}"#, "signature-\(label)"]
            .map { Base64URL.encode(Array($0.utf8)) }.joined(separator: ".")
    }

    /// Answers every refresh with new tokens.
    private func serveRefreshes(_ harness: Harness) {
        let idp = harness.idp
        idp.onToken { _, _ throws(TransportError) in idp.tokenResponse(idToken: nil, accessToken: "access-r", refreshToken: "refresh-r") }
    }

    @Test func theCodeRedemptionSendsTheFilesTokenAndNoSecret() throws {
        let file = try TokenFile()
        let token = Self.token("first")
        try file.write("\n  \(token)\n")
        let harness = Harness(credential: file.credential)
        var cache = TokenCache()
        _ = try harness.signIn(cache: &cache)

        let form = try #require(harness.idp.tokenRequests.first)
        #expect(form["grant_type"] == "authorization_code")
        #expect(form["client_id"] == harness.idp.clientID)
        #expect(form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        #expect(form["client_assertion"] == token, "the file's content, trimmed")
        #expect(form["client_secret"] == nil)
        let request = try #require(harness.idp.requests.first { $0.url == harness.idp.tokenEndpoint })
        #expect(!request.headers.contains { $0.name.lowercased() == "authorization" })
    }

    @Test func theFileIsReadAgainForEveryRequestSoARotatedTokenIsSent() throws {
        let file = try TokenFile()
        try file.write(Self.token("one"))
        let harness = Harness(credential: file.credential)
        var cache = TokenCache()
        let account = try harness.signIn(cache: &cache).account
        serveRefreshes(harness)

        for label in ["two", "three"] {
            try file.write(Self.token(label))
            harness.clock.advance(3600)
            _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
            let form = try #require(harness.idp.tokenRequests.last)
            #expect(form["grant_type"] == "refresh_token")
            #expect(form["client_assertion"] == Self.token(label), "refresh after rotation to \(label)")
            #expect(form["client_secret"] == nil)
        }
        #expect(harness.idp.tokenRequests.map { $0["client_assertion"] } == ["one", "two", "three"].map(Self.token))
    }

    /// What the file holds in each unusable case (nil: there is no file).
    static func unusableContent(_ label: String) -> String? {
        switch label {
        case "empty": return "  \n"
        case "not a JWT": return "secret-looking-value-that-is-no-jwt"
        case "too large": return Self.token("x") + String(repeating: "a", count: 70_000)
        default: return nil
        }
    }

    @Test(arguments: [
        ("missing", "no such file"),
        ("empty", "empty file"),
        ("not a JWT", "does not hold a JWT"),
        ("too large", "larger than 64 KiB"),
    ])
    func anUnusableFileFailsTheRequestAndTheLogNamesTheSettingNotTheToken(_ label: String, _ reason: String) throws {
        let content = Self.unusableContent(label)
        let file = try TokenFile()
        if let content { try file.write(content) }
        let capture = LogCapture()
        let harness = Harness(credential: file.credential, logger: capture.logger)
        var cache = TokenCache()
        let result = try harness.signIn(overrides: [:], cache: &cache)
        guard case .failure(let error) = result, case .credentialFailure(let detail) = error else {
            Issue.record("\(label): expected a credential failure, got \(result)")
            return
        }
        #expect(detail.hasPrefix("CLIENT_ASSERTION_FILE "), "\(label): \(detail)")
        #expect(harness.idp.tokenRequests.isEmpty, "\(label): nothing was sent without the assertion")

        let lines = capture.entries.filter { $0.message == "Client assertion unavailable" }
        #expect(lines.count == 1, "\(label): \(capture.lines)")
        #expect(lines.first?.level == .error)
        #expect(lines.first?.metadata["setting"] == "CLIENT_ASSERTION_FILE")
        #expect(lines.first?.metadata["reason"]?.description.contains(reason) == true, "\(label): \(capture.lines)")
        #expect(lines.first?.metadata["reason"]?.description.contains(file.path) == true, "the operator learns which file")
        if let content, !content.allSatisfy(\.isWhitespace) {
            #expect(!capture.text.contains(String(content.prefix(40))), "\(label): the file's content reached the log")
        }
        // The page's words: neither the path nor the content.
        #expect(!error.description.contains(file.path))
        #expect(!error.description.contains("secret-looking"))
    }

    @Test func aRefreshWhoseFileVanishedFailsWithoutSendingAnything() throws {
        let file = try TokenFile()
        try file.write(Self.token("one"))
        let capture = LogCapture()
        let harness = Harness(credential: file.credential, logger: capture.logger)
        var cache = TokenCache()
        let account = try harness.signIn(cache: &cache).account
        serveRefreshes(harness)
        try FileManager.default.removeItem(atPath: file.path)
        harness.clock.advance(3600)
        let sent = harness.idp.tokenRequests.count

        #expect(throws: OIDCError.credentialFailure("CLIENT_ASSERTION_FILE cannot be read: \(file.path): no such file")) {
            _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        }
        #expect(harness.idp.tokenRequests.count == sent)
        #expect(capture.count(containing: "setting=CLIENT_ASSERTION_FILE", level: .error) == 1)
        #expect(!capture.text.contains(Self.token("one")))

        // Once the platform writes the file again, the next refresh works.
        try file.write(Self.token("two"))
        _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(harness.idp.tokenRequests.last?["client_assertion"] == Self.token("two"))
    }
}
