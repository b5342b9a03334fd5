@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import SessionStore
import Synchronization
import Testing
import TestSupport

/// The one end-to-end file on the real server: 127.0.0.1 with port 0, epoll, the worker
/// pool, libcurl both ways (browser to app, app to its development provider). Every other
/// AppTests file drives the app in-process (`RunningApp`'s default); these tests are about
/// what only sockets show: the address the listener really bound, the TCP peer the event
/// loop hands the development provider's gate, and an event loop that must not stall.
@Suite struct RealServerTests {
    /// The whole production path once: sign-in through the provider over libcurl, then
    /// Graph (a `.blocking` route, on the worker pool) and the admin page.
    @Test func adminSignsInSeesGraphAndAdmin() throws {
        let app = try RunningApp(mode: .realServer)
        let browser = app.browser()
        let home = try app.signIn(browser, as: "adele")
        #expect(home.status == 200)
        #expect(home.body.contains("Welcome, Adele Vance"))
        #expect(home.body.contains("href=\"/admin\""), "admins see the admin link")
        #expect(home.header("Cache-Control") == "no-store")

        let graph = try browser.get("/graph")
        #expect(graph.status == 200)
        #expect(graph.body.contains("<th scope=\"row\">Display name</th><td>Adele Vance</td>"))
        #expect(graph.body.contains("&quot;userPrincipalName&quot; : &quot;adele@dev.example&quot;"), "raw JSON is shown, escaped")

        let admin = try browser.get("/admin")
        #expect(admin.status == 200)
        #expect(admin.body.contains("<code>admin</code>"))
        #expect(admin.body.contains("preferred_username"))
    }

    /// `/graph`'s usual case (signed in, the token cached, a kept-alive connection to Graph
    /// idle) never takes a worker: the first call opens the connection on one, and every
    /// later call is answered by the event loop, Graph's failures and a claims challenge
    /// included (the challenge's sign-in is then the handler's, on a worker).
    @Test func graphsUsualCaseIsAnsweredWithoutAWorker() throws {
        let app = try RunningApp(mode: .realServer)
        let server = try #require(app.server)
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        #expect(try browser.get("/graph").status == 200)
        let before = server.workerJobsRun
        for _ in 0..<5 {
            let graph = try browser.get("/graph")
            #expect(graph.status == 200)
            #expect(graph.body.contains("<th scope=\"row\">Display name</th><td>Adele Vance</td>"))
        }
        app.provider.faults.withLock { $0.graphStatus = 503 }
        let down = try browser.get("/graph")
        #expect(down.status == 502)
        #expect(down.body.contains("Microsoft Graph is unavailable right now (HTTP 503)"))
        #expect(server.workerJobsRun == before, "no worker ran any of these")

        app.provider.faults.withLock {
            $0.graphStatus = nil
            $0.graphClaimsChallenge = true
        }
        let challenged = try browser.get("/graph")
        #expect(challenged.status == 302)
        #expect(challenged.location.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "claims" }?.value }
                == #"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#)
        #expect(server.workerJobsRun == before + 1, "the challenge's sign-in ran on a worker")
    }

    /// The gate judges the TCP peer the event loop saw (loopback here), and refuses any
    /// request that a proxy could have forwarded, whatever that peer.
    @Test func aProxiedSignInIsRefusedAndIssuesNoCode() throws {
        let app = try RunningApp(mode: .realServer)
        let browser = app.browser()
        let authorizeURL = try app.startSignIn(browser)
        let page = try browser.get(authorizeURL)
        let form = try #require(HTML.form(in: page.body))
        let proxyHeaders: [(String, String)] = [
            ("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=203.0.113.7;proto=https"), ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "app.example.com"), ("X-Real-IP", "203.0.113.7"),
        ]
        for header in proxyHeaders {
            let shown = try browser.send(path: authorizeURL, headers: [header])
            #expect(shown.status == 403, "\(header.0)")
            #expect(shown.body.contains("Not available from here"))
            let decided = try browser.post(form.action, form: form.fields + [("user", "adele")], headers: [header])
            #expect(decided.status == 403, "\(header.0)")
            #expect(decided.location == nil, "no redirect with a code")
        }
        let token = try browser.post(app.base + "/_dev/idp/\(DevIdentityProvider.tenantID)/oauth2/v2.0/token",
                                     form: [("grant_type", "authorization_code"), ("code", "x")], headers: [("X-Forwarded-For", "203.0.113.7")])
        #expect(token.status == 403)
        #expect(app.provider.counters.withLock { $0 } == DevCounters(), "the token endpoint never ran")
        #expect(app.log.text.contains("Refused a development identity provider request"))
        // The same browser, directly: the provider answers.
        #expect(try browser.get(authorizeURL).status == 200)
    }

    @Test func aHostThatResolvesToTheWildcardIsRefusedOnceBound() throws {
        // "0" is no address literal, so only getsockname tells: the resolver binds 0.0.0.0.
        let sessions = FileManager.default.temporaryDirectory.appendingPathComponent("bound-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: sessions) }
        let server = try AppServer(configuration: TestApp.configuration(["DEV_IDP": "1", "HOST": "0", "PORT": "0", "SESSION_DIR": sessions.path]),
                                   logger: .init(label: "t"))
        defer { server.shutdown() }
        do {
            try server.start()
            Issue.record("the development provider started on a wildcard address")
        } catch let error as ConfigurationError {
            #expect(error.key == "HOST")
            #expect(error.reason.contains("0.0.0.0"))
        }
    }

    /// Hundreds of signed-in requests whose sessions are all due for a touch: the touches
    /// (a lock and two fsyncs each) happen on the store's worker, and `/healthz`, served by
    /// the same event loop as `/`, keeps answering at once. The bound is generous: this
    /// checks for stalls of the loop, not speed.
    @Test func healthzStaysFastWhileManyTouchesAreDue() throws {
        let clock = TestClock()
        let app = try RunningApp(clock: clock.clock, mode: .realServer)
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
