@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import CryptoSupport
import Encodings
import Foundation
import RedisTestSupport
import SessionStore
import Synchronization
import Testing
import TestSupport

/// End-to-end: what the session directory holds after real sign-ins, what becomes of the
/// sessions of earlier versions, one token refresh across two instances, and `/healthz`
/// while many sessions are due for their sliding-expiry touch.
@Suite struct SessionStorageEndToEndTests {
    /// Every `secret` value (access, refresh and ID tokens) in an MSAL-format token cache.
    func tokenSecrets(_ cache: JSONValue) -> [String] {
        var secrets: [String] = []
        for kind in ["AccessToken", "RefreshToken", "IdToken"] {
            let entries: [String: JSONValue] = cache[kind]?.objectValue ?? [:]
            for entry in entries.values {
                if let secret = entry["secret"]?.stringValue { secrets.append(secret) }
            }
        }
        return secrets
    }

    /// Where a test's sessions are kept.
    enum Storage: String, CaseIterable, Sendable {
        case file, redis

        /// An instance with the development provider on this storage (a Redis of its own,
        /// with a password).
        func start() throws -> Deployment {
            switch self {
            case .file:
                let app = try RunningApp()
                return Deployment(first: app, settings: ["SESSION_DIR": app.sessionDirectory.path], redis: nil,
                                  storedBytes: app.sessionDirectoryBytes, secrets: [])
            case .redis:
                let redis = try RedisServer.start(RedisServerOptions(password: RedisEndToEndTests.password))
                let settings = RedisEndToEndTests.redisSettings(redis)
                let inspector = try RedisInspector(server: redis, password: RedisEndToEndTests.password)
                return Deployment(first: try RunningApp(settings), settings: settings, redis: redis,
                                  storedBytes: { try inspector.dump() }, secrets: [RedisEndToEndTests.password])
            }
        }
    }

    /// One storage and the instances on it.
    struct Deployment {
        /// The instance with the development provider.
        let first: RunningApp
        /// What another instance needs to share the storage.
        let settings: [String: String]
        /// The Redis server, kept running as long as the deployment.
        let redis: RedisServer?
        /// Every byte stored (file names and contents, or Redis keys and values).
        let storedBytes: () throws -> [UInt8]
        /// Configured secrets that must never be logged (the Redis password).
        let secrets: [String]

        /// A second instance on the same storage, signing in through the first's provider.
        func secondInstance() throws -> RunningApp {
            try first.anotherInstance(settings)
        }
    }

    /// Everything stored after a sign-in, a token refresh and a pending sign-in: the session
    /// directory's files, or every Redis key and value (SCAN and DUMP): no token, no cookie
    /// part, no name or e-mail in clear; and no token or password in the log.
    @Test(arguments: Storage.allCases)
    func aCopyOfTheStoreRevealsNoTokenNameOrEmail(_ storage: Storage) throws {
        let deployment = try storage.start()
        let (app, storedBytes, configuredSecrets) = (deployment.first, deployment.storedBytes, deployment.secrets)
        app.provider.faults.withLock { $0.accessTokenLifetime = 60 } // /graph refreshes: a second set of tokens
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        #expect(try browser.get("/graph").status == 200)
        let authorizeURL = try app.startSignIn(browser) // a pending sign-in: state, nonce and PKCE verifier in the browser
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: authorizeURL)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let session = try #require(try app.session(of: browser))
        let cacheText = try #require(session.tokenCache)
        let cache = try #require(JSONValue.parse(Array(cacheText.utf8)))
        let tokens = tokenSecrets(cache)
        #expect(tokens.count >= 3, "an access, a refresh and an ID token: \(tokens.count)")
        let cookie = try #require(browser.cookies["session"])
        let pending = [try #require(browser.cookies["signin"]), try #require(query["state"]), try #require(query["nonce"])]
        let credentials = tokens + cookie.split(separator: ".").map(String.init) + pending
        let personal = ["Adele Vance", "adele@dev.example", "Adele", session.claims["oid"]?.stringValue ?? "oid?"]

        let bytes = try storedBytes()
        #expect(bytes.count > 1000, "the session is in there, sealed")
        for secret in credentials + personal {
            #expect(!bytes.contains(secret), "\(secret.prefix(12))… is stored in clear")
        }
        // (The development provider's start-up line names its demo users, on purpose.)
        for secret in credentials + configuredSecrets { #expect(!app.log.text.contains(secret), "\(secret.prefix(12))… is logged") }
    }

    @Test func aSessionOfAnEarlierVersionSignsTheUserOutAndIsSwept() throws {
        let app = try RunningApp()
        let oldID = String(repeating: "A", count: 42) + "E"
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let legacy = #"{"v":1,"createdAt":\#(now),"lastSeen":\#(now),"claims":{"sub":"s","name":"Old Version User"},"idToken":"x","tokenCache":null,"pendingFlows":{},"attributes":{}}"#
        let name = SHA256Hex.of(oldID)
        try FileManager.default.createDirectory(at: app.sessionDirectory, withIntermediateDirectories: true)
        try Data(legacy.utf8).write(to: app.sessionDirectory.appendingPathComponent(name))

        let home = try app.browser().send(path: "/", headers: [("Cookie", "session=" + oldID)])
        #expect(home.status == 200)
        #expect(home.body.contains("href=\"/login\""), "signed out")
        #expect(!home.body.contains("Old Version User"))
        #expect(try app.browser().send(path: "/graph", headers: [("Cookie", "session=" + oldID)]).status == 302)
        #expect(try app.app.sessionStore.sweepExpired().legacyRemoved == 1)
        #expect(!FileManager.default.fileExists(atPath: app.sessionDirectory.appendingPathComponent(name).path))
        // Signing in again works as for anyone.
        let browser = app.browser()
        #expect(try app.signIn(browser, as: "alex").body.contains("Welcome, Alex Wilber"))
    }

    /// Two instances share one session directory or one Redis (and the first one's
    /// development provider): twenty concurrent `/graph` requests spread over both, after
    /// the access token expired, redeem the rotating refresh token exactly once.
    @Test(arguments: Storage.allCases)
    func concurrentRefreshesOnTwoInstancesRedeemTheRefreshTokenOnce(_ storage: Storage) throws {
        let deployment = try storage.start()
        let first = deployment.first
        first.provider.faults.withLock { $0.accessTokenLifetime = 60 } // expired for the app (5-minute margin)
        let browser = first.browser()
        try first.signIn(browser, as: "adele")
        first.provider.faults.withLock { $0.accessTokenLifetime = 3600 } // the refreshed one is good
        let second = try deployment.secondInstance()
        let cookie = "session=" + (try #require(browser.cookies["session"]))
        let before = first.provider.counters.withLock { $0 }

        let statuses = Mutex<[Int]>([])
        let errors = onThreads(20) { index in
            let instance = index % 2 == 0 ? first : second
            let page = try instance.browser().send(path: "/graph", headers: [("Cookie", cookie)])
            statuses.withLock { $0.append(page.status) }
        }
        #expect(errors.isEmpty)
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 20))
        let after = first.provider.counters.withLock { $0 }
        #expect(after.refreshTokensRedeemed - before.refreshTokensRedeemed == 1)
        #expect(after.tokenErrors == before.tokenErrors, "nobody redeemed a rotated-away refresh token")
        #expect(after.codesRedeemed == before.codesRedeemed, "nobody had to sign in again")
    }
}

/// Hex SHA-256, as the store names files (for planting a file of an earlier version).
enum SHA256Hex {
    static func of(_ text: String) -> String {
        Digest.hex(Digest.sha256(text))
    }
}

extension [UInt8] {
    /// True when `text`'s UTF-8 bytes occur in these bytes.
    func contains(_ text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard !pattern.isEmpty, count >= pattern.count else { return false }
        return (0...(count - pattern.count)).contains { self[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
