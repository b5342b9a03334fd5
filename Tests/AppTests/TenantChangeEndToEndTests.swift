@_spi(Testing) import DevIdentityProvider
import Foundation
import Testing

/// ALLOWED_TENANTS changed while people were signed in: on the next request their session
/// ends, whichever instance reads it, and the log names their tenant.
@Suite struct TenantChangeEndToEndTests {
    static let other = "44444444-4444-4444-4444-444444444444"

    @Test func aSessionOfATenantNoLongerAllowedIsSignedOut() throws {
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("tenants-\(UUID().uuidString)")
        let first = try RunningApp(["SESSION_DIR": shared.path, "ALLOWED_TENANTS": DevIdentityProvider.tenantID], devAuthorityTenant: "organizations")
        let browser = first.browser()
        try first.signIn(browser, as: "adele")
        let cookie = ("Cookie", "session=" + (try #require(browser.cookies["session"])))
        #expect(first.sessionFiles().count == 1)
        // The same store, now read with a list that no longer names the demo tenant.
        let narrowed = try RunningApp([
            "DEV_IDP": "0", "SESSION_DIR": shared.path, "ALLOWED_TENANTS": Self.other,
            "CLIENT_ID": first.provider.clientID, "CLIENT_SECRET": first.provider.clientSecret,
            "AUTHORITY": first.provider.authority(origin: first.base), "REDIRECT_URI": first.base + "/getAToken",
            "GRAPH_ENDPOINT": first.provider.graphEndpoint(origin: first.base),
        ])
        let home = try narrowed.browser().send(path: "/", headers: [cookie])
        #expect(home.status == 200)
        #expect(home.body.contains("href=\"/login\"") && !home.body.contains("Adele Vance"), "signed out")
        #expect(narrowed.log.text.contains("Signed out a session whose tenant is no longer allowed"))
        #expect(narrowed.log.text.contains("tenant=\(DevIdentityProvider.tenantID)"), "the log names the tenant")
        #expect(try narrowed.browser().send(path: "/admin", headers: [cookie]).status == 302)
        // The session is deleted, so the instance that still allows the tenant signs it out too.
        let deadline = Date().addingTimeInterval(10)
        while !first.sessionFiles().isEmpty && Date() < deadline { usleep(20_000) }
        #expect(first.sessionFiles().isEmpty)
        #expect(try first.browser().send(path: "/", headers: [cookie]).body.contains("href=\"/login\""))
    }
}
