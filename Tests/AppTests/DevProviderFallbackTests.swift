@_spi(Testing) import App
import Testing

/// `make run`'s decision (`--dev-idp-fallback`): the development provider only when nothing
/// is configured and nothing looks like production.
@Suite struct DevProviderFallbackTests {
    func decide(_ settings: [String: String]) throws -> DevProviderFallback.Decision {
        DevProviderFallback.decide(try AppConfiguration.load(environment: settings))
    }

    @Test func nothingConfiguredOnADevelopmentMachineStartsTheProvider() throws {
        #expect(try decide([:]) == .startDevProvider)
        #expect(try decide(["REDIRECT_URI": "http://localhost:5000/getAToken", "HOST": "localhost"]) == .startDevProvider)
        #expect(try decide(["HOST": "::1"]) == .startDevProvider)
    }

    @Test func aConfiguredProviderOrAnExplicitChoiceIsKept() throws {
        #expect(try decide(["CLIENT_ID": "x"]) == .asConfigured)
        #expect(try decide(["DEV_IDP": "1", "REDIRECT_URI": "https://app.example.com/getAToken"]) == .asConfigured,
                "DEV_IDP=1 is checked by the provider's own start-up rules instead")
    }

    @Test func productionLookingSettingsStopNamingTheKeys() throws {
        let cases: [([String: String], [String])] = [
            (["REDIRECT_URI": "https://app.example.com/getAToken"], ["REDIRECT_URI"]),
            (["TRUSTED_PROXIES": "10.0.0.0/8"], ["TRUSTED_PROXIES"]),
            (["HOST": "0.0.0.0"], ["HOST"]),
            (["HOST": "app.internal"], ["HOST"]),
            (["REDIRECT_URI": "https://app.example.com/getAToken", "TRUSTED_PROXIES": "127.0.0.1", "AUTHORITY": "https://login.microsoftonline.com/x"],
             ["REDIRECT_URI", "TRUSTED_PROXIES"]),
        ]
        for (settings, keys) in cases {
            guard case .refuse(let error) = try decide(settings) else {
                Issue.record("\(settings) started the development provider")
                continue
            }
            #expect(error.key == "CLIENT_ID")
            #expect(error.reason.contains(keys.joined(separator: ", ")), "\(error)")
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("app.example.com"), "values are not echoed, only keys")
        }
    }
}
