import App
@_spi(Testing) import DevIdentityProvider
import Encodings
import Foundation
import JOSE
import Testing

/// End-to-end, in-process (`RunningApp`): workload identity federation against the
/// development provider, whose app registration trusts a federated identity credential
/// (issuer, subject, audience `api://AzureADTokenExchange`, the issuer's key) instead of a
/// secret. The app reads CLIENT_ASSERTION_FILE for every token request.
@Suite struct FederatedCredentialEndToEndTests {
    /// The workload's issuer (an AKS cluster's OIDC issuer) and the file its token is in.
    final class Workload {
        static let issuer = "https://oidc.prod-aks.azure.com/5a1e0b2c-0000-4000-8000-00000000c1a5/"
        static let subject = "system:serviceaccount:web:entra-web"

        let key: RSAKey
        let directory: URL
        let path: String

        init() throws {
            key = try RSAKey.generate(bits: 2048)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("workload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("azure-identity-token").path
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// What the development provider's registration trusts: only the public key.
        func credential() throws -> DevFederatedCredential {
            DevFederatedCredential(issuer: Self.issuer, subject: Self.subject, issuerKey: try RSAKey(publicKeyPEM: key.publicKeyPEM()))
        }

        /// A service account token as the kubelet projects it.
        func token(issuer: String = issuer, subject: String = subject, audience: JSONValue = [.string(DevFederatedCredential.entraAudience)],
                   validFrom: TimeInterval = -60, lifetime: TimeInterval = 3600, signedBy signer: RSAKey? = nil) throws -> String {
            let now = Date().timeIntervalSince1970
            return try JWT.sign(header: ["kid": "cluster-key-1"], claims: [
                "iss": .string(issuer), "sub": .string(subject), "aud": audience,
                "iat": .integer(Int64(now + validFrom)), "nbf": .integer(Int64(now + validFrom)), "exp": .integer(Int64(now + lifetime)),
                "jti": .string(UUID().uuidString),
                "kubernetes.io": ["namespace": "web", "serviceaccount": ["name": "entra-web"]],
            ], with: signer ?? key)
        }

        /// Rotates the file as the kubelet does: a new file renamed over the old one.
        func write(_ token: String) throws {
            let next = path + ".next"
            try token.write(toFile: next, atomically: false, encoding: .utf8)
            _ = rename(next, path)
        }
    }

    /// The app with the development provider trusting `workload`.
    func start(_ workload: Workload, settings: [String: String] = [:]) throws -> RunningApp {
        try RunningApp(["CLIENT_ASSERTION_FILE": workload.path].merging(settings) { _, new in new },
                       devFederatedCredential: workload.credential())
    }

    @Test func aWholeSignInAndRefreshesUseTheFilesTokenAsItRotates() throws {
        let workload = try Workload()
        let first = try workload.token()
        try workload.write(first + "\n")
        let app = try start(workload)
        app.provider.faults.withLock { $0.accessTokenLifetime = 60 } // every /graph refreshes
        let browser = app.browser()

        #expect(try app.signIn(browser, as: "adele").body.contains("Welcome, Adele Vance"))
        #expect(try browser.get("/graph").status == 200)
        let second = try workload.token()
        try workload.write(second)
        #expect(try browser.get("/graph").status == 200, "the refresh after rotation uses the new token")

        let counters = app.provider.counters.withLock { $0 }
        #expect(counters.codesRedeemed == 1 && counters.refreshTokensRedeemed == 2 && counters.tokenErrors == 0)
        for token in [first, second] {
            #expect(!app.log.text.contains(token) && !app.log.text.contains(String(token.split(separator: ".")[2])), "a token reached the log")
        }
    }

    @Test func theDevProviderRefusesEveryWrongAssertionAndNobodyIsSignedIn() throws {
        let workload = try Workload()
        let stranger = try RSAKey.generate(bits: 2048)
        try workload.write(try workload.token())
        let app = try start(workload)
        let cases: [(String, String, String)] = [
            ("another issuer", try workload.token(issuer: "https://token.actions.githubusercontent.com"), "AADSTS700211"),
            ("another subject", try workload.token(subject: "system:serviceaccount:web:other"), "AADSTS700213"),
            ("another audience", try workload.token(audience: "https://kubernetes.default.svc"), "AADSTS700212"),
            ("expired", try workload.token(validFrom: -7200, lifetime: -3600), "AADSTS700024"),
            ("not valid yet", try workload.token(validFrom: 3600, lifetime: 7200), "AADSTS700024"),
            ("signed by another key", try workload.token(signedBy: stranger), "AADSTS700027"),
        ]
        for (label, token, code) in cases {
            try workload.write(token)
            let browser = app.browser()
            let page = try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele"))
            #expect(page.status == 400, "\(label)")
            #expect(page.body.contains("The identity provider refused the sign-in") && page.body.contains("invalid_client"), "\(label)")
            #expect(page.body.contains(code), "\(label): \(code) on the page")
            #expect(!page.body.contains(token), "\(label)")
            try app.expectSignedOut(browser)
        }
        #expect(app.provider.counters.withLock { $0.codesRedeemed } == 0)
        #expect(app.log.count(containing: "federated client assertion rejected") == cases.count)

        try workload.write(try workload.token())
        #expect(try app.signIn(app.browser(), as: "alex").body.contains("Welcome, Alex Wilber"), "the file is read again: a good token now works")
        for (_, token, _) in cases { #expect(!app.log.text.contains(token)) }
    }

    @Test func aRefreshWithARotatedForgedTokenIsRefusedAndTheNextGoodOneWorks() throws {
        let workload = try Workload()
        try workload.write(try workload.token())
        let app = try start(workload)
        app.provider.faults.withLock { $0.accessTokenLifetime = 60 }
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        try workload.write(try workload.token(signedBy: try RSAKey.generate(bits: 2048)))
        let refused = try browser.get("/graph")
        #expect(refused.status == 400 && refused.body.contains("AADSTS700027"), "\(refused.body)")
        try workload.write(try workload.token())
        #expect(try browser.get("/graph").status == 200)
    }

    @Test func aMissingFileGivesTheErrorPageWithoutPathAndTheLogNamesTheSetting() throws {
        let workload = try Workload()
        let app = try start(workload) // the projected token is not there yet: start-up goes on
        #expect(app.log.count(containing: "CLIENT_ASSERTION_FILE cannot be read", level: .warning) == 1, "\(app.log.text)")
        let browser = app.browser()
        let page = try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele"))
        #expect(page.status == 500)
        #expect(page.body.contains("Sign-in is unavailable right now") && page.body.contains("server log"))
        #expect(!page.body.contains(workload.path) && !page.body.contains(workload.directory.lastPathComponent))
        #expect(app.log.count(containing: "setting=CLIENT_ASSERTION_FILE", level: .error) == 1)
        try app.expectSignedOut(browser)

        // An empty file (the volume mounted, the token not yet written) reads the same way.
        try workload.write("")
        let empty = try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele"))
        #expect(empty.status == 500 && !empty.body.contains(workload.path))
        #expect(app.log.count(containing: "empty file", level: .error) == 1)

        try workload.write(try workload.token())
        #expect(try app.signIn(browser, as: "adele").body.contains("Welcome, Adele Vance"), "works once the platform writes it")
    }

    @Test func theProvidersSecretIsNoLongerAccepted() throws {
        let workload = try Workload()
        try workload.write(try workload.token())
        let app = try start(workload)
        let tokenEndpoint = "/_dev/idp/\(DevIdentityProvider.tenantID)/oauth2/v2.0/token"
        let answer = try app.browser().post(tokenEndpoint, form: [
            ("grant_type", "refresh_token"), ("refresh_token", "anything"),
            ("client_id", app.provider.clientID), ("client_secret", app.provider.clientSecret),
        ])
        #expect(answer.status == 401)
        #expect(answer.body.contains("invalid_client") && answer.body.contains("AADSTS7000218"))
    }
}
