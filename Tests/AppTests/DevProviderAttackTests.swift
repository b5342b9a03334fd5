import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import Testing

/// End-to-end, real sockets on port 0: a request that reached the development provider
/// through a proxy, or under another site's name, gets the 403 page and no code.
@Suite struct DevProviderAttackTests {
    @Test func aProxiedSignInIsRefusedAndIssuesNoCode() throws {
        let app = try RunningApp()
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

    @Test func anotherSitesHostNameIsRefused() throws {
        // DNS rebinding: a page on evil.example, its name pointed at 127.0.0.1, reaches the port
        // but cannot make its Host say anything else.
        let app = try RunningApp()
        let discovery = "/_dev/idp/\(DevIdentityProvider.tenantID)/v2.0/.well-known/openid-configuration"
        #expect(try app.browser().send(path: discovery, headers: [("Host", "evil.example:\(app.port)")]).status == 403)
        #expect(try app.browser().get(discovery).status == 200)
    }
}
