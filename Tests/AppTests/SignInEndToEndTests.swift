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

    @Test func signInRotatesTheSessionID() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let authorizeURL = try app.startSignIn(browser)
        let before = try #require(browser.cookies["session"])
        _ = try browser.follow(app.approve(browser, authorizeURL: authorizeURL, user: "adele"))
        let after = try #require(browser.cookies["session"])
        #expect(before != after)
        #expect(app.sessionFiles().count == 1, "the pre-sign-in session is gone")
    }

    @Test func afterSignInTheUserLandsOnThePageTheyAskedFor() throws {
        let app = try RunningApp()
        let browser = app.browser()
        let redirect = try browser.get("/graph")
        #expect(redirect.status == 302)
        #expect(redirect.location == "/login?next=%2Fgraph")
        let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser, next: "/graph"), user: "alex")
        let landed = try browser.get(try #require(callback.location))
        #expect(landed.location == "/graph")
        #expect(try browser.get("/graph").body.contains("Alex Wilber"))
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
        app.provider.faults.withLock {
            $0.accessTokenLifetime = 60
            $0.rejectRefreshTokens = true
        }
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let graph = try browser.get("/graph")
        #expect(graph.status == 302)
        #expect(graph.location == "/login?next=%2Fgraph")
        app.provider.faults.withLock { $0.rejectRefreshTokens = false }
        app.provider.faults.withLock { $0.accessTokenLifetime = 3600 }
        let landed = try app.signIn(browser, as: "adele", next: "/graph")
        #expect(landed.status == 200)
        #expect(landed.body.contains("Your profile from Microsoft Graph"))
    }

    @Test func aClaimsChallengeGoesThroughSignInWithTheClaims() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        app.provider.faults.withLock { $0.graphClaimsChallenge = true }
        let graph = try browser.get("/graph")
        #expect(graph.status == 302)
        #expect(graph.location == "/login?next=%2Fgraph")
        let authorizeURL = try app.startSignIn(browser, next: "/graph")
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
        #expect(try browser.get("/graph").location == "/login?next=%2Fgraph")
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
        for secret in [code, state, try #require(browser.cookies["session"]), app.provider.clientSecret] {
            #expect(!log.contains(secret))
        }
    }
}
