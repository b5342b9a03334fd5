@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import RedisClient
import RedisTestSupport
import SessionStore
import Synchronization
import Testing
import TestSupport

/// Two instances of the whole app sharing one real redis-server, as behind a load balancer
/// without sticky sessions: a sign-in that starts on one and ends on the other, a sign-out
/// seen by both, and what users see while Redis is stopped or stalled and after it is back.
/// (One refresh for twenty requests across both, and the scan of everything stored, run for
/// both backends in `SessionStorageEndToEndTests`.)
@Suite struct RedisEndToEndTests {
    /// The Redis password of these tests: never in a log or a page.
    static let password = "Redis-Passw0rd-9f2c"

    /// An instance with the development provider and one signing in through it, both on
    /// `redis` (plain with the password, or TLS trusting the test CA).
    static func instances(sharing redis: RedisServer, tls: Bool = false, _ extra: [String: String] = [:]) throws -> (RunningApp, RunningApp) {
        let first = try RunningApp(redisSettings(redis, tls: tls).merging(extra) { _, new in new })
        return (first, try first.anotherInstance(redisSettings(redis, tls: tls)))
    }

    /// SESSION_STORE and what goes with it for `redis`.
    static func redisSettings(_ redis: RedisServer, tls: Bool = false) -> [String: String] {
        if tls {
            return ["SESSION_STORE": redis.tlsURL(), "REDIS_CA_FILE": redis.certificateAuthority!.certificateFile,
                    "REDIS_PASSWORD": password, "SESSION_SECRET": TestApp.sharedSecret]
        }
        return ["SESSION_STORE": redis.url(), "REDIS_PASSWORD": password, "SESSION_SECRET": TestApp.sharedSecret]
    }

    @Test(arguments: [false, true])
    func aSignInStartedOnOneInstanceEndsOnTheOtherAndASignOutOnEitherEndsItOnBoth(tls: Bool) throws {
        let redis = try RedisServer.start(RedisServerOptions(tls: tls, password: Self.password))
        let (first, second) = try Self.instances(sharing: redis, tls: tls)
        let browser = first.browser()
        let authorizeURL = try first.startSignIn(browser, next: "/graph")
        let callback = try first.approve(browser, authorizeURL: authorizeURL, user: "adele")
        // The load balancer sends the provider's redirect back to the other instance.
        let location = try #require(callback.location)
        #expect(location.hasPrefix(first.base + "/getAToken?"))
        let onSecond = browser.at(second.base)
        let landed = try onSecond.follow(onSecond.get(second.base + location.dropFirst(first.base.count)))
        #expect(landed.status == 200 && landed.body.contains("Adele Vance"), "\(landed.status): \(landed.body.prefix(300))")
        let signedIn = onSecond.at(first.base)
        for instance in [signedIn, onSecond] {
            #expect(try instance.get("/").body.contains("Welcome, Adele Vance"))
            let graph = try instance.get("/graph")
            #expect(graph.status == 200 && graph.body.contains("adele@dev.example"))
        }
        #expect(first.log.text.contains(tls ? "rediss://localhost:\(redis.tlsPort!)/0 (password set, CA file" : "redis://127.0.0.1:\(redis.port)/0 (password set)"))

        // The provider's end-session page is on the first instance's origin: a page that
        // continues there (200) instead of a redirect.
        let signOut = try second.signOut(onSecond)
        #expect(signOut.status == 200 && signOut.body.contains("/oauth2/v2.0/logout"), "\(signOut.status): \(signOut.body.prefix(300))")
        try first.expectSignedOut(signedIn)
        #expect(try signedIn.send(path: "/", headers: [("Cookie", "session=" + (try #require(signedIn.cookies["session"])))]).body
            .contains("href=\"/login\""), "the old cookie finds nothing on the first instance either")
        for app in [first, second] {
            #expect(!app.log.text.contains(Self.password))
        }
    }

    /// Redis stopped, then stalled (SIGSTOP: connections open, nothing answered): the 503
    /// page within 5 s, `/healthz` still 200, `/readyz` 503; once Redis is back (append-only
    /// persistence) every session is there again, with no restart of the app.
    @Test func whileRedisIsDownPagesAre503AndEverySessionIsBackAfterwards() throws {
        let redis = try RedisServer.start(RedisServerOptions(appendOnly: true, password: Self.password))
        let (first, second) = try Self.instances(sharing: redis)
        let browser = first.browser()
        try first.signIn(browser, as: "adele")
        let cookie = [("Cookie", "session=" + (try #require(browser.cookies["session"])))]

        redis.stop()
        try expectUnavailable(first, cookie: cookie)
        try redis.restart()
        for app in [first, second] { try expectBack(app, cookie: cookie) }

        let pid = try #require(redis.pid)
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        try expectUnavailable(second, cookie: cookie)
        kill(pid, SIGCONT)
        for app in [first, second] { try expectBack(app, cookie: cookie) }
        #expect(first.log.text.contains("Not ready") && first.log.text.contains("Ready"))
    }

    /// A Redis Cluster node redirects keyed commands (MOVED): the user gets the 503 page and
    /// the log says cluster mode is not supported yet, never a wrong answer.
    @Test func aClusterRedirectIsA503AndTheLogSaysWhy() throws {
        let node = try FakeRedisServer { command in
            command.first?.uppercased() == "PING" ? .reply(.simpleString("PONG")) : .reply(.error("MOVED 866 10.0.0.9:6379"))
        }
        let app = try RunningApp(["SESSION_STORE": "redis://127.0.0.1:\(node.port)", "SESSION_SECRET": TestApp.sharedSecret])
        let page = try callbackAnswer(app, user: "adele")
        #expect(page.status == 503)
        #expect(page.body.contains("Sign-in is unavailable right now"))
        #expect(app.log.text.contains("Redis Cluster mode is not supported yet"))
    }

    /// Started while Redis is down: the app comes up, says so, answers 503 and `/readyz`
    /// 503, and works as soon as Redis is there, without a restart.
    @Test func anAppStartedBeforeItsRedisComesUpAndRecoversByItself() throws {
        let redis = try RedisServer.start(RedisServerOptions(password: Self.password))
        redis.stop()
        let app = try RunningApp(Self.redisSettings(redis))
        #expect(app.log.text.contains("Redis is not reachable; starting anyway"))
        #expect(try callbackAnswer(app, user: "alex").status == 503, "starting a sign-in needs no store; ending one does")
        #expect(try app.browser().get("/readyz").status == 503)
        try redis.restart()
        try eventually { try app.browser().get("/readyz").status == 200 }
        #expect(try app.signIn(app.browser(), as: "alex").body.contains("Welcome, Alex Wilber"))
    }

    /// What the browser gets back from the callback of a sign-in as `user` (the first step
    /// that needs the store: the callback is made single-use there).
    func callbackAnswer(_ app: RunningApp, user: String) throws -> Browser.Page {
        let browser = app.browser()
        return try browser.get(app.callbackURL(browser, as: user))
    }

    /// The signed-in page answers 503 (in less than 5 s), `/healthz` 200 at once, `/readyz`
    /// 503 once its cached answer is older than 2 s.
    func expectUnavailable(_ app: RunningApp, cookie: [(String, String)]) throws {
        let started = Date()
        let page = try app.browser().send(path: "/", headers: cookie)
        let elapsed = Date().timeIntervalSince(started)
        #expect(page.status == 503, "\(page.status): \(page.body.prefix(200))")
        #expect(page.body.contains("Sign-in is unavailable right now"))
        #expect(elapsed < 5, "the 503 page took \(elapsed) s")
        #expect(try app.browser().get("/healthz").body == "ok")
        try eventually {
            let ready = try app.browser().get("/readyz")
            return ready.status == 503 && ready.body.contains(#""reason":"session store unreachable""#)
        }
    }

    /// `/readyz` turns 200 by itself, and the session is there.
    func expectBack(_ app: RunningApp, cookie: [(String, String)]) throws {
        try eventually { try app.browser().get("/readyz").status == 200 }
        let home = try app.browser().send(path: "/", headers: cookie)
        #expect(home.status == 200 && home.body.contains("Welcome, Adele Vance"))
    }
}

/// Polls `condition` until it holds, for at most `seconds` (generous: the machine is shared).
func eventually(within seconds: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else {
            Issue.record("not within \(Int(seconds)) s", sourceLocation: sourceLocation)
            return
        }
        Thread.sleep(forTimeInterval: 0.1)
    }
}
