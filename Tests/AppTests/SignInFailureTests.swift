import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import Testing

/// End-to-end: every way the callback can fail gives its error page and leaves nobody
/// signed in.
@Suite struct SignInFailureTests {
    /// Nobody is signed in (see `RunningApp.expectSignedOut`).
    func expectSignedOut(_ app: RunningApp, _ browser: Browser) throws {
        try app.expectSignedOut(browser)
    }

    @Test func aReplayedCallbackURLIsRefused() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
        let callbackURL = try #require(callback.location)
        #expect(try browser.get(callbackURL).status == 302)
        try app.signOut(browser)

        // Same browser, new session, the old callback URL again.
        _ = try app.startSignIn(browser)
        let replay = try browser.get(callbackURL)
        #expect(replay.status == 400)
        #expect(replay.body.contains("This sign-in link is no longer valid"))
        #expect(replay.body.contains("Sign in again"))
        try expectSignedOut(app, browser)
        #expect(app.provider.counters.withLock { $0.codesRedeemed } == 1, "the replayed code never reached the token endpoint")
    }

    @Test func aCallbackWithAForeignStateIsRefused() throws {
        let app = try RunningApp()
        let victim = app.browser()
        let attacker = app.browser()
        // The attacker's own valid callback, delivered to the victim's browser (login CSRF).
        let attackerCallback = try app.approve(attacker, authorizeURL: app.startSignIn(attacker), user: "alex")
        _ = try app.startSignIn(victim)
        let response = try victim.get(try #require(attackerCallback.location))
        #expect(response.status == 400)
        #expect(response.body.contains("does not belong to a sign-in started here"))
        try expectSignedOut(app, victim)
        #expect(app.provider.counters.withLock { $0.codesRedeemed } == 0)
    }

    @Test func aCallbackWithoutASessionIsRefused() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
        let cookieless = app.browser()
        let response = try cookieless.get(try #require(callback.location))
        #expect(response.status == 400)
        #expect(response.body.contains("no sign-in in progress"))
        #expect(cookieless.cookies.isEmpty)
        try expectSignedOut(app, cookieless)
    }

    @Test func theProvidersAccessDeniedIsShownWithItsDescription() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "cancel")
        #expect(callback.location?.contains("error=access_denied") == true)
        let page = try browser.get(try #require(callback.location))
        #expect(page.status == 400)
        #expect(page.body.contains("Sign-in was cancelled or refused"))
        #expect(page.body.contains("access_denied"))
        #expect(page.body.contains("AADSTS65004: The user declined to consent to access the app."))
        #expect(page.body.contains("href=\"/login?next=%2F\""))
        try expectSignedOut(app, browser)
    }

    @Test func aTokenEndpointThatIsDownGives502() throws {
        let app = try RunningApp()
        app.provider.faults.withLock { $0.tokenEndpointUnreachable = true }
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
        let page = try browser.get(try #require(callback.location))
        #expect(page.status == 502)
        #expect(page.body.contains("The identity provider could not be reached"))
        try expectSignedOut(app, browser)
    }

    @Test func aFailingTokenEndpointGives502WithItsCorrelationID() throws {
        let app = try RunningApp()
        app.provider.faults.withLock { $0.tokenEndpointFailing = true }
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
        let page = try browser.get(try #require(callback.location))
        #expect(page.status == 502)
        #expect(page.body.contains("The identity provider could not be reached"))
        #expect(page.body.contains("temporarily_unavailable"))
        #expect(page.body.contains("AADSTS90033"))
        #expect(page.body.contains("Correlation ID"))
        try expectSignedOut(app, browser)
    }

    @Test func anIDTokenWithABadSignatureIsRejected() throws {
        let app = try RunningApp()
        app.provider.faults.withLock { $0.badIDTokenSignature = true }
        let browser = app.browser()
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
        let page = try browser.get(try #require(callback.location))
        #expect(page.status == 400)
        #expect(page.body.contains("could not be trusted"))
        #expect(page.body.contains("signature"))
        try expectSignedOut(app, browser)
        #expect(app.log.text.contains("id_token_rejected"))
    }

    @Test func theDevelopmentProviderRefusesANonLoopbackAddress() throws {
        #expect {
            _ = try AppServer(configuration: TestApp.configuration(["DEV_IDP": "1", "HOST": "0.0.0.0", "PORT": "0"]), logger: .init(label: "t"))
        } throws: { error in
            (error as? ConfigurationError)?.key == "HOST"
        }
    }

    @Test func withoutAnyProviderSignInShowsTheConfigurationPage() throws {
        let app = try RunningApp(["DEV_IDP": "0"])
        let browser = app.browser()
        let login = try browser.get("/login")
        #expect(login.status == 503)
        #expect(login.body.contains("<code>CLIENT_ID</code>"))
        #expect(try browser.get("/").body.contains("Configuration needed"))
    }

    @Test func httpsThroughATrustedProxyGetsASecureHostCookie() throws {
        // Behind a proxy the development provider refuses to start (DevProviderStartupTests), so
        // this app signs in against another app's development provider, as against Entra.
        let provider = try RunningApp()
        let app = try RunningApp(Self.clientOf(provider, ["TRUSTED_PROXIES": "127.0.0.1", "REDIRECT_URI": "https://app.example/getAToken"]))
        let browser = app.browser()
        let page = try browser.send(path: "/login", headers: [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "app.example")])
        #expect(page.status == 302)
        let cookie = try #require(page.header("Set-Cookie"))
        #expect(cookie.hasPrefix("__Host-signin=v1."))
        #expect(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"))
        let untrusted = try RunningApp()
        let plain = try untrusted.browser().send(path: "/login", headers: [("X-Forwarded-Proto", "https")])
        #expect(plain.header("Set-Cookie")?.hasPrefix("signin=v1.") == true, "forwarded headers from an untrusted peer are ignored")
        #expect(plain.header("Set-Cookie")?.contains("Secure") == false)
    }

    /// Settings that make an app a client of `provider`'s development provider.
    static func clientOf(_ provider: RunningApp, _ extra: [String: String] = [:]) -> [String: String] {
        var settings = [
            "DEV_IDP": "0",
            "CLIENT_ID": provider.provider.clientID,
            "CLIENT_SECRET": provider.provider.clientSecret,
            "AUTHORITY": provider.provider.authority(origin: provider.base),
        ]
        settings.merge(extra) { _, new in new }
        return settings
    }

    @Test func unusableSessionStorageGivesAClear503Page() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        // The session directory vanishes at run time (an unmounted volume, say).
        try FileManager.default.removeItem(at: app.sessionDirectory)
        for path in ["/", "/graph"] {
            let page = try browser.get(path)
            #expect(page.status == 503, "\(path)")
            #expect(page.body.contains("Sign-in is unavailable right now"))
            #expect(page.header("Retry-After") == "60")
        }
        // Starting a sign-in needs no storage; finishing one does, and says so.
        let other = app.browser()
        let authorizeURL = try app.startSignIn(other)
        let callback = try other.get(try #require(try app.approve(other, authorizeURL: authorizeURL, user: "adele").location))
        #expect(callback.status == 503)
        #expect(callback.body.contains("Sign-in is unavailable right now"))
        #expect(other.cookies["session"] == nil)
        #expect(app.log.text.contains("session storage unavailable"))
        #expect(try browser.get("/healthz").status == 200, "the server itself keeps serving")
    }
}
