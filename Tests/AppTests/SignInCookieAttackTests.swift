import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import HTTPClient
import HTTPCore
import Synchronization
import Testing
import TestSupport

/// End-to-end, real sockets: the sign-in cookie attacked the ways a hostile browser or
/// client can, and the flood of unauthenticated `/login` requests that used to fill the
/// session directory. Every refusal leaves nobody signed in and sends no code to the
/// provider's token endpoint.
@Suite struct SignInCookieAttackTests {
    /// The `Cookie` header `browser` would send now.
    func cookieHeader(_ browser: Browser) -> String {
        browser.cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
    }

    /// A GET of `url` on `app` with exactly these cookies, as a replaying client sends it.
    func replay(_ url: String, on app: RunningApp, cookie: String) throws -> Browser.Page {
        let components = try #require(URLComponents(string: url))
        return try app.browser().send(path: components.path + "?" + (components.percentEncodedQuery ?? ""), headers: [("Cookie", cookie)])
    }

    func codesRedeemed(_ app: RunningApp) -> Int {
        app.provider.counters.withLock { $0.codesRedeemed }
    }

    @Test func aModifiedSignInCookieIsNoSignInInProgress() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.callbackURL(browser, as: "adele")
        let sealed = try #require(browser.cookies["signin"])
        // Flip one character inside the sealed part.
        var characters = Array(sealed)
        let index = characters.count / 2
        characters[index] = characters[index] == "A" ? "B" : "A"
        for forged in [String(characters), sealed + "A", String(sealed.dropLast(4)), "v1." + String(repeating: "A", count: 300)] {
            let page = try replay(callback, on: app, cookie: "signin=" + forged)
            #expect(page.status == 400)
            #expect(page.body.contains("no sign-in in progress"), "\(page.body.prefix(200))")
            #expect(page.header("Set-Cookie") == nil)
        }
        #expect(codesRedeemed(app) == 0)
        #expect(app.sessionFiles().isEmpty)
        // The genuine cookie still completes the sign-in.
        #expect(try replay(callback, on: app, cookie: "signin=" + sealed).status == 302)
        #expect(codesRedeemed(app) == 1)
    }

    /// The cookie of one browser with the callback of another: neither browser's sign-in can
    /// be finished with the other's cookie.
    @Test func anotherBrowsersCookieDoesNotFinishThisSignIn() throws {
        let app = try RunningApp()
        let alice = app.browser()
        let mallory = app.browser()
        let aliceCallback = try app.callbackURL(alice, as: "adele")
        let malloryCallback = try app.callbackURL(mallory, as: "alex")
        for (url, cookie) in [(aliceCallback, cookieHeader(mallory)), (malloryCallback, cookieHeader(alice))] {
            let page = try replay(url, on: app, cookie: cookie)
            #expect(page.status == 400)
            #expect(page.body.contains("This sign-in link is no longer valid"))
            #expect(page.body.contains("does not belong to a sign-in started here"))
        }
        #expect(codesRedeemed(app) == 0)
        #expect(app.sessionFiles().isEmpty)
        #expect(try alice.follow(alice.get(aliceCallback)).body.contains("Welcome, Adele Vance"), "her own cookie still works")
    }

    @Test func aStateTheCookieHasNoFlowForIsRefused() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.callbackURL(browser, as: "adele")
        var components = try #require(URLComponents(string: callback))
        components.queryItems = components.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: "forged-state-0123456789") : $0 }
        let page = try browser.get(try #require(components.string))
        #expect(page.status == 400)
        #expect(page.body.contains("This sign-in link is no longer valid"))
        #expect(codesRedeemed(app) == 0)
        let missing = try browser.get(callback.replacingOccurrences(of: "state=", with: "x="))
        #expect(missing.status == 400)
        #expect(codesRedeemed(app) == 0)
        #expect(try browser.get(callback).status == 302, "the real state is still pending")
    }

    /// The same callback URL with the same old cookie, after it worked: refused, on the
    /// instance that took it and on another instance sharing the store and the secret; the
    /// code never reaches the token endpoint again.
    @Test func aReplayedCallbackFailsOnEveryInstance() throws {
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        let secret = String(repeating: "5a", count: 32)
        let first = try RunningApp(["SESSION_DIR": shared.path, "SESSION_SECRET": secret])
        let second = try RunningApp([
            "DEV_IDP": "0", "SESSION_DIR": shared.path, "SESSION_SECRET": secret,
            "CLIENT_ID": first.provider.clientID, "CLIENT_SECRET": first.provider.clientSecret,
            "AUTHORITY": first.provider.authority(origin: first.base), "REDIRECT_URI": first.base + "/getAToken",
        ])
        let browser = first.browser()
        let callback = try first.callbackURL(browser, as: "adele")
        let oldCookie = cookieHeader(browser)
        #expect(try browser.follow(browser.get(callback)).body.contains("Welcome, Adele Vance"))
        for instance in [second, first] {
            let page = try replay(callback, on: instance, cookie: oldCookie)
            #expect(page.status == 400)
            #expect(page.body.contains("This sign-in link is no longer valid"))
            #expect(page.body.contains("it was already used"))
            #expect(page.header("Location") == nil)
        }
        #expect(codesRedeemed(first) == 1, "the replayed code never reached the token endpoint")
        #expect(first.sessionFiles().count == 1)
        // The sign-in cookie is the same everywhere: a sign-in started on one instance ends on the other.
        let other = first.browser()
        let otherCallback = try first.callbackURL(other, as: "alex")
        let finished = try replay(otherCallback, on: second, cookie: cookieHeader(other))
        #expect(finished.status == 302)
        #expect(second.log.text.contains("Signed in"))
    }

    @Test func anExpiredFlowIsRefused() throws {
        let clock = TestClock()
        let app = try RunningApp(clock: clock.clock)
        let browser = app.browser()
        let callback = try app.callbackURL(browser, as: "adele")
        clock.advance(601)
        let page = try browser.get(callback)
        #expect(page.status == 400)
        #expect(page.body.contains("it expired"))
        #expect(codesRedeemed(app) == 0)
    }

    /// Six tabs: the cookie keeps the five newest sign-ins and stays small; the oldest tab's
    /// callback is refused, the others finish.
    @Test func manyTabsKeepTheNewestFiveInASmallCookie() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let urls = try (0..<6).map { try app.startSignIn(browser, next: "/tab-\($0)") }
        let setCookie = try #require(browser.cookieHeaders.last)
        #expect(setCookie.utf8.count < 3000, "\(setCookie.utf8.count) bytes")
        let callbacks = try urls.map { try #require(try app.approve(browser, authorizeURL: $0, user: "adele").location) }
        #expect(try browser.get(callbacks[0]).status == 400, "the oldest was dropped")
        for (index, callback) in callbacks.enumerated().dropFirst() {
            #expect(try browser.get(callback).location == "/tab-\(index)")
        }
        #expect(browser.cookies["signin"] == nil, "no sign-in left in progress: the cookie is gone")
    }

    /// A `signin` cookie far larger than any this server makes, and a header full of them.
    @Test func oversizedCookiesAreIgnored() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.callbackURL(browser, as: "adele")
        let huge = "signin=v1." + String(repeating: "QUFB", count: 2000)
        let page = try replay(callback, on: app, cookie: huge)
        #expect(page.status == 400)
        #expect(page.body.contains("no sign-in in progress"))
        let many = Array(repeating: "signin=v1.AAAA", count: 500).joined(separator: "; ")
        #expect(try replay(callback, on: app, cookie: many).status == 400)
        #expect(try replay(callback, on: app, cookie: String(repeating: "x", count: 40_000)).status == 431, "beyond the header limit")
        #expect(codesRedeemed(app) == 0)
    }

    /// 5,000 cookieless `GET /login` and 1,000 `HEAD /login`: each answered with the
    /// redirect to the provider, and the session directory holds nothing but the secret.
    @Test func aLoginFloodWritesNothing() throws {
        let app = try RunningApp()
        let before = app.sessionDirectoryEntries()
        #expect(before == ["secret"], "\(before)")
        let statuses = Mutex<[Int: Int]>([:])
        let errors = onThreads(4) { thread in
            let transport = RunningApp.network
            for index in 0..<1500 {
                let method: HTTPMethod = index < 1250 ? .GET : .HEAD
                let response = try transport.send(OutboundRequest(method: method, url: app.base + "/login"))
                guard response.status == 302, response.headers["Location"]?.contains("/oauth2/v2.0/authorize?") == true,
                      response.headers["Set-Cookie"]?.hasPrefix("signin=v1.") == true
                else { throw RunningApp.Unexpected(page: .init(status: response.status, headers: response.headers, body: "", url: "/login")) }
                statuses.withLock { $0[response.status, default: 0] += 1 }
            }
        }
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(statuses.withLock { $0 } == [302: 6000])
        #expect(app.sessionDirectoryEntries() == ["secret"], "no session, claim, lock or temporary file")
        #expect(try app.app.sessionStore.sweepExpired().scanned == 1)
    }
}
