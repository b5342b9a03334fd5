@_spi(Testing) import App
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
