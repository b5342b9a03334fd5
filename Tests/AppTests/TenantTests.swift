@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import OIDC
import Testing
import TestSupport

/// ALLOWED_TENANTS as the operator sets it: parsed, required where any tenant could sign
/// in, and a warning when it lets every tenant in on purpose.
@Suite struct TenantConfigurationTests {
    static let home = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let entra = ["CLIENT_ID": "client", "CLIENT_SECRET": "secret"]

    func startupError(_ settings: [String: String]) -> ConfigurationError? {
        TestApp.startupError(settings, over: Self.entra)
    }

    @Test func aListOfDirectoryIDsOrAStar() throws {
        let list = try AppConfiguration.load(environment: ["ALLOWED_TENANTS": " \(Self.home.uppercased()) , 22222222-2222-2222-2222-222222222222,"])
        #expect(list.allowedTenants == .only([Self.home, "22222222-2222-2222-2222-222222222222"]))
        #expect(try AppConfiguration.load(environment: ["ALLOWED_TENANTS": "*"]).allowedTenants == .anyTenant)
        #expect(try AppConfiguration.load(environment: [:]).allowedTenants == nil)
        for bad in ["contoso.onmicrosoft.com", "*,\(Self.home)", "72f988bf86f141af91ab2d7cd011db47", "organizations", "{\(Self.home)}"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try AppConfiguration.load(environment: ["ALLOWED_TENANTS": bad]) }
            do { _ = try AppConfiguration.load(environment: ["ALLOWED_TENANTS": bad]) } catch { #expect(error.key == "ALLOWED_TENANTS") }
        }
    }

    @Test func requiredWithCommonAndOrganizations() {
        for tenant in ["common", "organizations", "Organizations"] {
            let error = startupError(["AUTHORITY": "https://login.microsoftonline.com/\(tenant)"])
            #expect(error?.key == "ALLOWED_TENANTS", "\(tenant)")
            #expect(error?.description.contains("\n") == false)
        }
        #expect(startupError(["AUTHORITY": "https://login.microsoftonline.com/organizations", "ALLOWED_TENANTS": Self.home]) == nil)
    }

    @Test func aTenantSpecificOrConsumersAuthorityNeedsNone() {
        for tenant in [Self.home, "contoso.onmicrosoft.com", "consumers"] {
            #expect(startupError(["AUTHORITY": "https://login.microsoftonline.com/\(tenant)"]) == nil, "\(tenant)")
        }
    }

    @Test func aGenericProviderHasNoTenantsToList() {
        #expect(startupError(["OIDC_AUTHORITY": "https://idp.example.com", "ALLOWED_TENANTS": Self.home])?.key == "ALLOWED_TENANTS")
    }

    @Test func anyTenantOnPurposeIsLoggedAsAWarning() throws {
        let log = LogCapture()
        var configuration = try TestApp.configuration(Self.entra.merging(
            ["AUTHORITY": "https://login.microsoftonline.com/organizations", "ALLOWED_TENANTS": "*"]) { _, new in new })
        configuration.sessionDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: configuration.sessionDirectory) }
        _ = try WebApp(configuration: configuration, logger: log.logger)
        #expect(log.count(containing: "ALLOWED_TENANTS=*: users of every Microsoft Entra tenant can sign in", level: .warning) == 1)
    }
}

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
