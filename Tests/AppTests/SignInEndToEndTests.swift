import App
@_spi(Testing) import DevIdentityProvider
import Encodings
import Foundation
import SessionStore
import Testing

/// End-to-end, in-process (`RunningApp`): the app signing in against its development
/// identity provider, a cookie-keeping browser. (The same over sockets: `RealServerTests`.)
@Suite struct SignInEndToEndTests {
    @Test func nonAdminGets403OnAdmin() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let home = try app.signIn(browser, as: "alex")
        #expect(home.body.contains("Welcome, Alex Wilber"))
        #expect(!home.body.contains("href=\"/admin\""))
        #expect(try browser.get("/graph").status == 200)
        let admin = try browser.get("/admin")
        #expect(admin.status == 403)
        #expect(admin.body.contains("needs the <code>admin</code> app role"))
    }

    @Test func theSessionCookieIsHttpOnlyLaxAndOpaque() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let setCookie = try #require(browser.cookieHeaders.last)
        #expect(setCookie.hasPrefix("session="))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Lax"))
        #expect(setCookie.contains("Path=/"))
        #expect(!setCookie.contains("Domain"))
        #expect(browser.cookies.count == 1, "the browser holds only the opaque session handle")
        // `<id>.<secret>`: the secret seals the session at rest and is stored nowhere else.
        #expect(browser.cookies["session"]?.count == 87)
        #expect(browser.cookies["session"].flatMap(SessionCookie.sessionHandle(fromCookieValue:)) != nil)
    }

    /// Session fixation: a browser that already has a session (here signed in as Alex) gets
    /// a fresh id when it signs in (as Adele), and the old id finds nothing. Nothing is
    /// written before that: starting the sign-in leaves the session as it was.
    @Test func signInRotatesTheSessionID() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "alex")
        let before = try #require(browser.cookies["session"])
        let files = app.sessionFiles()
        let authorizeURL = try app.startSignIn(browser)
        #expect(app.sessionFiles() == files, "starting a sign-in writes nothing")
        _ = try browser.follow(app.approve(browser, authorizeURL: authorizeURL, user: "adele"))
        let after = try #require(browser.cookies["session"])
        #expect(before != after)
        #expect(app.sessionFiles().count == 1, "the earlier session is gone")
        #expect(try browser.get("/").body.contains("Welcome, Adele Vance"))
        #expect(try app.browser().send(path: "/", headers: [("Cookie", "session=" + before)]).body.contains("href=\"/login\""),
                "the old id is signed out")
    }

    /// A signed-out visit to a protected page goes straight to the provider, with no page of
    /// ours in between, and comes back to that page.
    @Test func afterSignInTheUserLandsOnThePageTheyAskedFor() throws {
        let app = try RunningApp()
        for page in ["/graph", "/admin"] {
            let browser = app.browser()
            let redirect = try browser.get(page)
            #expect(redirect.status == 302)
            let authorizeURL = try #require(redirect.location)
            #expect(authorizeURL.hasPrefix(app.base + "/_dev/idp/") && authorizeURL.contains("/oauth2/v2.0/authorize?"), "\(authorizeURL)")
            #expect(redirect.header("Cache-Control") == "no-store")
            #expect(redirect.header("Vary") == "Accept, Sec-Fetch-Mode, X-Requested-With")
            let callback = try app.approve(browser, authorizeURL: authorizeURL, user: "adele")
            let landed = try browser.get(try #require(callback.location))
            #expect(landed.location == page)
            #expect(try browser.get(page).body.contains("Adele Vance"))
        }
        #expect(app.sessionFiles().count == 2)
    }

    /// `/login` answers with the redirect to the provider at once: PKCE (S256), state and
    /// nonce, `prompt=select_account` passed on, other prompts dropped, and the sealed
    /// sign-in cookie; no page, no session.
    @Test func loginRedirectsStraightToTheProvider() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let login = try browser.get("/login?next=%2Fadmin&prompt=select_account")
        #expect(login.status == 302)
        #expect(login.header("Cache-Control") == "no-store")
        let location = try #require(login.location)
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["prompt"] == "select_account")
        #expect(query["code_challenge_method"] == "S256" && query["code_challenge"]?.count == 43)
        #expect((query["state"]?.count ?? 0) >= 43 && (query["nonce"]?.count ?? 0) >= 43)
        #expect(query["response_type"] == "code" && query["redirect_uri"] == app.base + "/getAToken")
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(cookie.hasPrefix("signin=v1.") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
        #expect(cookie.contains("Max-Age=600") || cookie.contains("Max-Age=599"), "\(cookie)")
        #expect(!cookie.contains("Domain"))
        #expect(browser.cookies["session"] == nil, "no session before anyone has signed in")
        #expect(app.sessionFiles().isEmpty)
        let other = try browser.get("/login?prompt=none")
        #expect(URLComponents(string: try #require(other.location))?.queryItems?.contains { $0.name == "prompt" } == false)
        let callback = try app.approve(browser, authorizeURL: location, user: "adele")
        #expect(try browser.get(try #require(callback.location)).location == "/admin")
    }

    @Test func graphRefreshesAnExpiredAccessTokenWithoutANewSignIn() throws {
        let app = try RunningApp()
        app.provider.faults.withLock { $0.accessTokenLifetime = 60 } // under the 5-minute margin
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let codesBefore = app.provider.counters.withLock { $0.codesRedeemed }
        #expect(try browser.get("/graph").status == 200)
        #expect(try browser.get("/graph").status == 200)
        let counters = app.provider.counters.withLock { $0 }
        #expect(counters.codesRedeemed == codesBefore, "no new sign-in")
        #expect(counters.refreshTokensRedeemed == 2, "each expired token was refreshed, with the rotated refresh token")
        #expect(counters.tokenErrors == 0)
    }

    @Test func aRevokedRefreshTokenSendsTheUserThroughSignInBackToGraph() throws {
        let app = try RunningApp()
        app.revokeRefreshTokens()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let graph = try browser.get("/graph")
        #expect(graph.status == 302)
        let authorizeURL = try #require(graph.location)
        #expect(authorizeURL.contains("/oauth2/v2.0/authorize?"), "straight to the provider")
        app.provider.faults.withLock { $0.rejectRefreshTokens = false }
        app.provider.faults.withLock { $0.accessTokenLifetime = 3600 }
        let landed = try browser.follow(app.approve(browser, authorizeURL: authorizeURL, user: "adele"))
        #expect(landed.url == app.base + "/graph")
        #expect(landed.status == 200)
        #expect(landed.body.contains("Your profile from Microsoft Graph"))
    }

    @Test func aClaimsChallengeGoesThroughSignInWithTheClaims() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        app.provider.faults.withLock { $0.graphClaimsChallenge = true }
        let sessionBefore = try #require(try app.session(of: browser))
        let graph = try browser.get("/graph")
        #expect(graph.status == 302)
        let authorizeURL = try #require(graph.location, "straight to the provider, asking for the claims")
        #expect(try app.session(of: browser) == sessionBefore, "nothing is stored for the challenge")
        let claims = try #require(URLComponents(string: authorizeURL)?.queryItems?.first { $0.name == "claims" }?.value)
        #expect(claims == #"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#)
        let landed = try browser.follow(app.approve(browser, authorizeURL: authorizeURL, user: "adele"))
        #expect(landed.status == 200)
        #expect(landed.body.contains("Adele Vance"), "the new token carries the claims, Graph answers")
    }

    @Test func graphErrorsGiveClearPages() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        app.provider.faults.withLock { $0.graphStatus = 403 }
        let forbidden = try browser.get("/graph")
        #expect(forbidden.status == 403)
        #expect(forbidden.body.contains("HTTP 403"))
        app.provider.faults.withLock { $0.graphStatus = 503 }
        let down = try browser.get("/graph")
        #expect(down.status == 502)
        #expect(down.body.contains("Microsoft Graph is unavailable right now (HTTP 503)"))
    }

    @Test func signOutLeavesNoSessionAndGraphRedirectsToSignIn() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        #expect(app.sessionFiles().count == 1)
        // A GET only shows the Sign out button (SignOutForgeryTests); the button's POST signs out.
        #expect(try browser.get("/logout").status == 200)
        #expect(app.sessionFiles().count == 1)
        let logout = try app.signOut(browser)
        #expect(logout.status == 303)
        let location = try #require(logout.location)
        #expect(location.hasPrefix(app.base + "/_dev/idp/"))
        #expect(location.contains("post_logout_redirect_uri=" + FormURLEncoding.percentEncode(app.base + "/")))
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(app.sessionFiles().isEmpty)
        #expect(browser.cookies.isEmpty)
        let home = try browser.follow(logout)
        #expect(home.url == app.base + "/")
        #expect(home.body.contains("Sign in"))
        #expect(try browser.get("/graph").location?.contains("/oauth2/v2.0/authorize?") == true)
    }

    @Test func signOutByPOSTAlsoWorks() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let home = try app.signIn(browser, as: "alex")
        // The home page's own Sign out button: its form and token, posted in one click.
        let button = try #require(HTML.form(in: home.body))
        #expect(button.action == "/logout")
        let logout = try browser.post(button.action, form: button.fields)
        #expect(logout.status == 303)
        #expect(app.sessionFiles().isEmpty)
    }

    @Test func twoSignInsStartedInTwoTabsBothComplete() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let first = try app.startSignIn(browser, next: "/graph")
        let second = try app.startSignIn(browser, next: "/admin")
        let secondCallback = try app.approve(browser, authorizeURL: second, user: "adele")
        let firstCallback = try app.approve(browser, authorizeURL: first, user: "adele")
        #expect(try browser.get(#require(secondCallback.location)).location == "/admin")
        #expect(try browser.get(#require(firstCallback.location)).location == "/graph")
        #expect(try browser.get("/admin").status == 200)
        #expect(app.sessionFiles().count == 1)
    }

    @Test func nextPointingElsewhereLandsOnHome() throws {
        let app = try RunningApp()
        for next in ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"] {
            let browser = app.browser()
            let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser, next: next), user: "alex")
            #expect(try browser.get(#require(callback.location)).location == "/", "next=\(next)")
        }
    }

    @Test func aUserNameWithMarkupIsShownEscaped() throws {
        let evil = DevUser(id: "mallory", name: "<script>alert(1)</script>", username: "m\"<b>@dev.example",
                           objectID: "0e0e0e0e-0000-4000-8000-000000000003", roles: [], jobTitle: "<img src=x onerror=alert(2)>")
        let server = try RunningApp(devUsers: [evil])
        let browser = server.browser()
        let home = try server.signIn(browser, as: "mallory")
        #expect(!home.body.contains("<script>alert(1)</script>"))
        #expect(home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let graph = try browser.get("/graph")
        #expect(!graph.body.contains("<img src=x"))
        #expect(graph.body.contains("&lt;img src=x onerror=alert(2)&gt;"))
    }

    @Test func theLogHoldsNoSecrets() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let authorizeURL = try app.startSignIn(browser)
        let callback = try app.approve(browser, authorizeURL: authorizeURL, user: "adele")
        let callbackURL = try #require(callback.location)
        _ = try browser.follow(callback)
        _ = try browser.get("/graph")
        let components = try #require(URLComponents(string: callbackURL))
        let code = try #require(components.queryItems?.first { $0.name == "code" }?.value)
        let state = try #require(components.queryItems?.first { $0.name == "state" }?.value)
        let log = app.log.text
        #expect(log.contains("/getAToken"))
        let signInCookie = try #require(browser.cookieHeaders.first { $0.hasPrefix("signin=v1.") }).split(separator: ";")[0].dropFirst(7)
        for secret in [code, state, try #require(browser.cookies["session"]), String(signInCookie), app.provider.clientSecret] {
            #expect(!log.contains(secret))
        }
    }
}
