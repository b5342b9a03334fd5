@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import CryptoSupport
import Encodings
import Foundation
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

    @Test func aCopyOfTheSessionDirectoryRevealsNoTokenNameOrEmail() throws {
        let app = try RunningApp()
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

        let bytes = app.sessionDirectoryBytes()
        #expect(bytes.count > 1000, "the session is in there, sealed")
        for secret in credentials + personal {
            #expect(!bytes.contains(secret), "\(secret.prefix(12))… is stored in clear")
        }
        // (The development provider's start-up line names its demo users, on purpose.)
        for secret in credentials { #expect(!app.log.text.contains(secret), "\(secret.prefix(12))… is logged") }
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

    /// Two instances share one session directory (and the first one's development provider):
    /// twenty concurrent `/graph` requests spread over both, after the access token expired,
    /// redeem the rotating refresh token exactly once.
    @Test func concurrentRefreshesOnTwoInstancesRedeemTheRefreshTokenOnce() throws {
        let first = try RunningApp()
        first.provider.faults.withLock { $0.accessTokenLifetime = 60 } // expired for the app (5-minute margin)
        let browser = first.browser()
        try first.signIn(browser, as: "adele")
        first.provider.faults.withLock { $0.accessTokenLifetime = 3600 } // the refreshed one is good
        let second = try RunningApp([
            "DEV_IDP": "0", "SESSION_DIR": first.sessionDirectory.path,
            "CLIENT_ID": first.provider.clientID, "CLIENT_SECRET": first.provider.clientSecret,
            "AUTHORITY": first.provider.authority(origin: first.base), "REDIRECT_URI": first.base + "/getAToken",
            "GRAPH_ENDPOINT": first.provider.graphEndpoint(origin: first.base),
        ])
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

    /// Hundreds of signed-in requests whose sessions are all due for a touch: the touches
    /// (a lock and two fsyncs each) happen on the store's worker, and `/healthz`, served by
    /// the same event loop as `/`, keeps answering at once. The bound is generous: this
    /// checks for stalls of the loop, not speed.
    @Test func healthzStaysFastWhileManyTouchesAreDue() throws {
        let clock = TestClock()
        let app = try RunningApp(clock: clock.clock)
        let store = try #require(app.app.sessionStore as? FileSessionStore)
        #expect(!store.readsMayBlock)
        let cookies = try (0..<300).map { index in
            let session = try store.create { $0.claims = ["sub": .string("user-\(index)"), "name": .string("User \(index)"), "tid": .string(DevIdentityProvider.tenantID)] }
            return "session=" + session.handle.cookieValue
        }
        clock.advance(120) // past the touch interval: every read wants a touch
        let before = store.backgroundStatistics

        let done = Atomic<Bool>(false)
        let latencies = Mutex<[Double]>([])
        let prober = Thread {
            let probe = app.browser()
            while !done.load(ordering: .relaxed) {
                let start = Date()
                if (try? probe.get("/healthz").status) == 200 { latencies.withLock { $0.append(Date().timeIntervalSince(start)) } }
            }
        }
        prober.start()
        let errors = onThreads(4) { thread in
            let browser = app.browser()
            for cookie in cookies[(thread * 75)..<((thread + 1) * 75)] {
                let page = try browser.send(path: "/", headers: [("Cookie", cookie)])
                guard page.status == 200, page.body.contains("Welcome, User") else { throw RunningApp.Unexpected(page: page) }
            }
        }
        done.store(true, ordering: .relaxed)
        while !prober.isFinished { usleep(1000) }
        store.finishBackgroundWrites()

        #expect(errors.isEmpty, "\(errors.prefix(3))")
        let touched = store.backgroundStatistics.performed - before.performed
        #expect(touched == 300, "one touch per session, on the store's worker")
        let measured = latencies.withLock { $0 }.sorted()
        #expect(measured.count > 10)
        let worst = measured.last ?? .infinity
        print("healthz during 300 touches: \(measured.count) probes, median \(Int(measured[measured.count / 2] * 1e6)) µs, worst \(Int(worst * 1e6)) µs")
        #expect(worst < 1.0, "/healthz stalled for \(worst) s")
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
