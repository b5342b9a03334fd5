@_spi(Testing) import App
import DevIdentityProvider
import Foundation
import HTTPServer
import Testing

/// The development provider never starts where another machine could reach it: each
/// production-looking setting stops start-up with one line naming its key.
@Suite struct DevProviderStartupTests {
    func startupError(_ settings: [String: String]) -> ConfigurationError? {
        TestApp.startupError(settings, over: ["DEV_IDP": "1"])
    }

    @Test func trustedProxiesRefuseTheProvider() {
        let error = startupError(["TRUSTED_PROXIES": "127.0.0.1"])
        #expect(error?.key == "TRUSTED_PROXIES")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func theRedirectURIMustBePlainHTTPOnThisMachine() {
        for uri in ["https://app.example.com/getAToken", "https://localhost:5000/getAToken", "http://app.example.com/getAToken",
                    "http://127.example.com:5000/getAToken", "http://localhost.evil.com/getAToken", "http://192.0.2.2:5000/getAToken"] {
            #expect(startupError(["REDIRECT_URI": uri])?.key == "REDIRECT_URI", "\(uri)")
        }
        for uri in ["http://localhost:5000/getAToken", "http://127.0.0.1:5000/getAToken", "http://[::1]:5000/getAToken"] {
            #expect(startupError(["REDIRECT_URI": uri]) == nil, "\(uri)")
        }
    }

    @Test func aNonLoopbackLiteralHostIsRefusedBeforeBinding() {
        for host in ["0.0.0.0", "::", "192.0.2.2", "::ffff:192.0.2.2"] {
            #expect(startupError(["HOST": host])?.key == "HOST", "\(host)")
        }
    }

    @Test func theBoundAddressDecidesNotTheHostString() throws {
        let app = try TestApp.make(["DEV_IDP": "1"])
        for address in ["192.0.2.2", "0.0.0.0", "::", "2001:db8::1"] {
            #expect(throws: ConfigurationError.self, "\(address)") { try app.acceptBound(IPAddress(address)) }
        }
        #expect(throws: ConfigurationError.self) { try app.acceptBound(nil) }
        try app.acceptBound(IPAddress("127.0.0.1"))
        try app.acceptBound(IPAddress("::1"))
        // Without the provider any address is fine.
        try TestApp.make().acceptBound(IPAddress("0.0.0.0"))
    }

    @Test func productionStartUpNeedsNoDevelopmentProviderTemplate() throws {
        let templates = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestApp.root.appendingPathComponent("Templates"), to: templates)
        defer { try? FileManager.default.removeItem(at: templates) }
        try FileManager.default.removeItem(at: templates.appendingPathComponent("dev-idp-authorize.mustache"))
        var configuration = try TestApp.configuration()
        configuration.templatesDirectory = templates.path
        _ = try WebApp(configuration: configuration, logger: .init(label: "t"))
        configuration.devIdentityProvider = true
        #expect(throws: ConfigurationError(key: "TEMPLATES_DIR", reason: "has no dev-idp-authorize.mustache")) {
            try WebApp(configuration: configuration, logger: .init(label: "t"))
        }
    }
}
