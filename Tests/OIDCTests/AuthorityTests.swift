import OIDC
import Testing

/// AUTHORITY / OIDC_AUTHORITY parsing: metadata URLs, https rule, loopback exception,
/// errors naming the setting.
@Suite struct AuthorityTests {
    @Test func entraAuthorityMetadataURL() throws {
        let authority = try Authority.entra("https://login.microsoftonline.com/contoso.onmicrosoft.com/")
        #expect(authority.metadataURL == "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")
        #expect(authority.kind == .entra(tenant: "contoso.onmicrosoft.com"))
        #expect(authority.host == "login.microsoftonline.com")
        #expect(authority.realm == "contoso.onmicrosoft.com")
        #expect(authority.isEntra)
    }

    @Test func entraAuthorityUnderAPathPrefix() throws {
        let authority = try Authority.entra("http://127.0.0.1:5000/_dev/idp/organizations")
        #expect(authority.kind == .entra(tenant: "organizations"))
        #expect(authority.metadataURL == "http://127.0.0.1:5000/_dev/idp/organizations/v2.0/.well-known/openid-configuration")
        #expect(throws: SettingError.self) { try Authority.entra("https://login.microsoftonline.com/common/oauth2/v2.0/authorize") }
    }

    @Test func genericAuthorityMetadataURL() throws {
        let authority = try Authority.generic("https://idp.example.com/realms/demo")
        #expect(authority.metadataURL == "https://idp.example.com/realms/demo/.well-known/openid-configuration")
        #expect(!authority.isEntra)
        #expect(authority.realm == "realms")
    }

    @Test func httpOnlyForLoopback() throws {
        _ = try Authority.generic("http://localhost:8081/dev")
        _ = try Authority.generic("http://127.0.0.1:9000")
        _ = try Authority.generic("http://127.45.0.1")
        _ = try Authority.generic("http://[::1]:8081")
        // A percent-escaped loopback address is not loopback: the host is checked as written.
        for url in ["http://idp.example.com", "http://128.0.0.1", "http://localhost.evil.com", "ftp://localhost", "idp.example.com",
                    "http://127.0.0.%31", "http://local%68ost"] {
            #expect(throws: SettingError.self, "\(url)") { try Authority.generic(url) }
        }
    }

    @Test func hostIsTheASCIIFormAsWritten() throws {
        #expect(try Authority.generic("https://xn--bcher-kva.example/realm").host == "xn--bcher-kva.example")
        #expect(try Authority.entra("https://Login.MicrosoftOnline.com/common").host == "login.microsoftonline.com")
    }

    /// Which key a bad value came from is the app's to say (AppTests' AuthorityConfigurationTests);
    /// the OIDC module says what is wrong with the value.
    @Test func errorsExplainTheProblem() {
        do {
            _ = try Authority.entra("http://login.microsoftonline.com/common")
            Issue.record("accepted http")
        } catch {
            #expect(error.description.contains("https"))
        }
        #expect(throws: SettingError("must use https (http is allowed only for localhost, 127.0.0.0/8 and ::1)")) {
            try Authority.generic("http://idp.example")
        }
        #expect(throws: SettingError.self) { try Authority.entra("https://login.microsoftonline.com/common/v2.0") }
        #expect(throws: SettingError.self) { try Authority.entra("https://login.microsoftonline.com") }
    }

    @Test func multiTenantAuthorities() throws {
        #expect(try Authority.entra("https://login.microsoftonline.com/common").isMultiTenant)
        #expect(try Authority.entra("https://login.microsoftonline.com/Organizations").isMultiTenant)
        // consumers' issuer is the one directory of personal accounts; a GUID or domain pins one tenant.
        #expect(try !Authority.entra("https://login.microsoftonline.com/consumers").isMultiTenant)
        #expect(try !Authority.entra("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47").isMultiTenant)
        #expect(try !Authority.entra("https://login.microsoftonline.com/contoso.onmicrosoft.com").isMultiTenant)
        #expect(try !Authority.generic("https://accounts.google.com").isMultiTenant)
    }
}
