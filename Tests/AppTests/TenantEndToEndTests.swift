@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import Testing

/// End-to-end against the development provider served as a multi-tenant (`organizations`)
/// authority: a user of another tenant is refused, on sign-in and on refresh.
@Suite struct TenantEndToEndTests {
    static let other = "44444444-4444-4444-4444-444444444444"

    @Test func anotherTenantsUserIsNotLetIn() throws {
        let app = try RunningApp(["ALLOWED_TENANTS": DevIdentityProvider.tenantID], devAuthorityTenant: "organizations")
        app.provider.faults.withLock { $0.tokenTenant = Self.other }
        let browser = app.browser()
        let page = try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele"))
        #expect(page.status == 400)
        #expect(page.body.contains("could not be trusted"))
        #expect(page.body.contains("is not one this app lets sign in"))
        try app.expectSignedOut(browser)
        #expect(app.log.text.contains("tenant_not_allowed(\(Self.other))"), "the log names the rejected tenant")
        #expect(try browser.get("/admin").status == 302, "the other tenant's admin role opens nothing")

        app.provider.faults.withLock { $0.tokenTenant = nil }
        #expect(try app.signIn(browser, as: "adele").body.contains("Welcome, Adele Vance"), "the listed tenant signs in")
    }

    @Test func withoutAListOnlyTheDemoTenantSignsIn() throws {
        let app = try RunningApp(devAuthorityTenant: "organizations")
        app.provider.faults.withLock { $0.tokenTenant = Self.other }
        let browser = app.browser()
        #expect(try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")).status == 400)
        try app.expectSignedOut(browser)
    }

    @Test func aRefreshedTokenOfAnotherTenantIsRefused() throws {
        let app = try RunningApp(["ALLOWED_TENANTS": DevIdentityProvider.tenantID], devAuthorityTenant: "organizations")
        app.provider.faults.withLock { $0.accessTokenLifetime = 60 }
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        app.provider.faults.withLock { $0.tokenTenant = Self.other }
        let graph = try browser.get("/graph")
        #expect(graph.status == 400)
        #expect(graph.body.contains("could not be trusted"))
        let session = try #require(try app.session(of: browser))
        #expect(!"\(session.claims)".contains(Self.other) && !(session.tokenCache ?? "").contains(Self.other),
                "nothing of the other tenant was stored")
        #expect(app.log.text.contains("tenant_not_allowed(\(Self.other))"))
    }

    @Test func anyTenantOnPurposeLetsTheOtherTenantIn() throws {
        let app = try RunningApp(["ALLOWED_TENANTS": "*"], devAuthorityTenant: "organizations")
        app.provider.faults.withLock { $0.tokenTenant = Self.other }
        #expect(try app.signIn(app.browser(), as: "alex").body.contains("Welcome, Alex Wilber"))
        #expect(app.log.text.contains("ALLOWED_TENANTS=*"))
    }
}
