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
        #expect(throws: ConfigurationError.self) { try Authority.entra("https://login.microsoftonline.com/common/oauth2/v2.0/authorize") }
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
            #expect(throws: ConfigurationError.self, "\(url)") { try Authority.generic(url) }
        }
    }

    @Test func hostIsTheASCIIFormAsWritten() throws {
        #expect(try Authority.generic("https://xn--bcher-kva.example/realm").host == "xn--bcher-kva.example")
        #expect(try Authority.entra("https://Login.MicrosoftOnline.com/common").host == "login.microsoftonline.com")
    }

    @Test func errorsNameTheKey() {
        do {
            _ = try Authority.fromEnvironment(["AUTHORITY": "http://login.microsoftonline.com/common"])
            Issue.record("accepted http")
        } catch {
            #expect(error.key == "AUTHORITY")
            #expect(error.description.contains("https"))
        }
        #expect(throws: ConfigurationError(key: "AUTHORITY", reason: "is required (or OIDC_AUTHORITY for a non-Entra provider)")) {
            try Authority.fromEnvironment([:])
        }
        do {
            _ = try Authority.fromEnvironment(["OIDC_AUTHORITY": "http://idp.example"])
            Issue.record("accepted http")
        } catch {
            #expect(error.key == "OIDC_AUTHORITY")
        }
        #expect(throws: ConfigurationError.self) { try Authority.entra("https://login.microsoftonline.com/common/v2.0") }
        #expect(throws: ConfigurationError.self) { try Authority.entra("https://login.microsoftonline.com") }
        #expect(throws: ConfigurationError.self) { try Authority.fromEnvironment(["AUTHORITY": "https://a/b", "OIDC_AUTHORITY": "https://c"]) }
    }

    @Test func fromEnvironmentPicksTheKind() throws {
        #expect(try Authority.fromEnvironment(["AUTHORITY": "https://login.microsoftonline.com/common"]).isEntra)
        #expect(try !Authority.fromEnvironment(["OIDC_AUTHORITY": "https://accounts.google.com"]).isEntra)
    }
}
