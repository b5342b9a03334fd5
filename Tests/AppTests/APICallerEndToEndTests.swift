@_spi(Testing) import DevIdentityProvider
import Encodings
import Foundation
import Testing

/// End-to-end: what a `fetch()` or an API client gets from the protected pages.
@Suite struct APICallerEndToEndTests {
    static let fetchHeaders: [[(String, String)]] = [
        [("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Site", "same-origin"), ("Accept", "*/*")],
        [("Accept", "application/json")],
        [("X-Requested-With", "XMLHttpRequest")],
    ]

    @Test func aSignedOutAPICallGets401WithJSON() throws {
        let app = try RunningApp()
        for headers in Self.fetchHeaders {
            for (path, next) in [("/graph", "%2Fgraph"), ("/admin", "%2Fadmin")] {
                let page = try app.browser().send(path: path, headers: headers)
                #expect(page.status == 401, "\(path) \(headers)")
                #expect(page.header("Content-Type") == "application/json; charset=utf-8")
                #expect(page.header("Cache-Control") == "no-store")
                #expect(page.header("Vary") == "Accept, Sec-Fetch-Mode, X-Requested-With")
                #expect(page.header("WWW-Authenticate") == "Cookie realm=\"entra-web\", form-action=\"/login?next=\(next)\", cookie-name=\"session\"")
                #expect(page.header("Set-Cookie") == nil, "no sign-in is started for it")
                let body = try #require(JSONValue.parseObject(Array(page.body.utf8)))
                #expect(body == ["error": "unauthenticated", "login": .string("/login?next=\(next)")])
            }
        }
        // A navigation still goes to the provider.
        let navigation = try app.browser().send(path: "/graph", headers: [("Sec-Fetch-Mode", "navigate"), ("Accept", "text/html,*/*;q=0.8")])
        #expect(navigation.status == 302)
        #expect(navigation.location?.contains("/oauth2/v2.0/authorize?") == true)
        #expect(navigation.header("Vary") == "Accept, Sec-Fetch-Mode, X-Requested-With")
        #expect(app.sessionFiles().isEmpty)
    }

    @Test func aSignedInCallWithoutTheRoleGets403WithJSON() throws {
        let app = try RunningApp()
        let browser = app.browser()
        try app.signIn(browser, as: "alex")
        let cookie = ("Cookie", "session=" + (try #require(browser.cookies["session"])))
        for headers in Self.fetchHeaders {
            let page = try app.browser().send(path: "/admin", headers: headers + [cookie])
            #expect(page.status == 403)
            #expect(page.header("Content-Type") == "application/json; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.header("Vary") == "Accept, Sec-Fetch-Mode, X-Requested-With")
            #expect(try #require(JSONValue.parseObject(Array(page.body.utf8))) == ["error": "forbidden", "missing_role": "admin"])
            // Signed in: /graph answers as for the browser.
            #expect(try app.browser().send(path: "/graph", headers: headers + [cookie]).status == 200)
        }
        let html = try browser.get("/admin")
        #expect(html.status == 403 && html.body.contains("needs the <code>admin</code> app role"))
        #expect(html.header("Vary") == "Accept, Sec-Fetch-Mode, X-Requested-With")
    }

    @Test func aRevokedRefreshTokenGives401ToAnAPICall() throws {
        let app = try RunningApp()
        app.revokeRefreshTokens()
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let page = try app.browser().send(path: "/graph", headers: [("Accept", "application/json"),
                                                                    ("Cookie", "session=" + (try #require(browser.cookies["session"])))])
        #expect(page.status == 401)
        #expect(page.body.contains("\"unauthenticated\""))
    }
}
