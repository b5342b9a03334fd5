import App
import Foundation
import JOSE
import Testing

/// The one place the app builds its OIDC client turns the OIDC module's reason-only
/// errors into start-up errors naming the key (what `Authority.fromEnvironment` did).
@Suite struct ProviderConfigurationTests {
    static let client = ["CLIENT_ID": "client", "CLIENT_SECRET": "secret"]

    func startupError(_ settings: [String: String]) -> ConfigurationError? {
        TestApp.startupError(settings, over: Self.client)
    }

    @Test func authorityErrorsNameTheKey() {
        let http = startupError(["AUTHORITY": "http://login.microsoftonline.com/common"])
        #expect(http?.key == "AUTHORITY")
        #expect(http?.description.contains("https") == true)
        #expect(startupError(["OIDC_AUTHORITY": "http://idp.example"])?.key == "OIDC_AUTHORITY")
        #expect(startupError(["AUTHORITY": "https://login.microsoftonline.com/common/v2.0"])?.key == "AUTHORITY")
        #expect(startupError(["AUTHORITY": "https://login.microsoftonline.com"])?.key == "AUTHORITY")
        #expect(startupError(["AUTHORITY": "https://a/b", "OIDC_AUTHORITY": "https://c"])?.key == "OIDC_AUTHORITY")
    }

    @Test func theEnvExamplePlaceholderIsNamedAsSuch() {
        let error = startupError(["AUTHORITY": "https://login.microsoftonline.com/<tenant-id>"])
        #expect(error?.key == "AUTHORITY")
        #expect(error?.reason.contains("placeholder") == true)
    }

    @Test func theKindOfProviderFollowsTheKeySet() throws {
        let entra = try TestApp.make(Self.client.merging(["AUTHORITY": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"]) { _, new in new })
        #expect(entra.identityDescription.hasPrefix("Microsoft Entra ID"))
        let generic = try TestApp.make(Self.client.merging(["OIDC_AUTHORITY": "https://accounts.google.com"]) { _, new in new })
        #expect(generic.identityDescription.hasPrefix("the OpenID provider"))
        // CLIENT_ID without an authority is not an error: the configuration page names AUTHORITY.
        #expect(try TestApp.make(Self.client).identityDescription.contains("AUTHORITY"))
    }

    @Test func aMismatchedCertificateNamesItsKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try Certificate.selfSigned(key: RSAKey.generate(), commonName: "x")
        try certificate.pem.write(to: directory.appendingPathComponent("cert.pem"), atomically: true, encoding: .utf8)
        try RSAKey.generate().privateKeyPEM().write(to: directory.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        let error = startupError([
            "CLIENT_SECRET": "", "AUTHORITY": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
            "CLIENT_CERTIFICATE_PATH": directory.appendingPathComponent("cert.pem").path,
            "CLIENT_PRIVATE_KEY_PATH": directory.appendingPathComponent("key.pem").path,
        ])
        #expect(error == ConfigurationError(key: "CLIENT_CERTIFICATE_PATH", reason: "does not match its private key"))
    }

    @Test func theGraphEndpointMustBeHTTPSUnlessOnThisMachine() throws {
        for url in ["http://graph.microsoft.com/v1.0/me", "http://127.example.com/me", "http://localhost.evil.com/me", "http://192.0.2.2/me"] {
            do {
                _ = try AppConfiguration.load(environment: ["GRAPH_ENDPOINT": url])
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.key == "GRAPH_ENDPOINT")
                #expect(error.reason.contains("https"))
            }
        }
        for url in ["https://graph.microsoft.com/v1.0/me", "http://127.0.0.1:8080/userinfo", "http://localhost/me", "http://[::1]:9/me"] {
            #expect(try AppConfiguration.load(environment: ["GRAPH_ENDPOINT": url]).graphEndpoint?.absoluteString == url)
        }
    }
}
