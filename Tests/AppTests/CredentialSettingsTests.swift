import App
import Foundation
import OIDC
import Testing
import TestSupport

/// Exactly one client credential; CLIENT_ASSERTION_FILE and the AKS workload identity
/// webhook's variables combine as `WorkloadIdentity` documents.
@Suite struct CredentialSettingsTests {
    static let entra = ["CLIENT_ID": "client", "AUTHORITY": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"]
    /// What the webhook injects into a pod of a labelled service account.
    static let webhook = [
        "AZURE_CLIENT_ID": "0a1b2c3d-0000-4000-8000-00000000a11d",
        "AZURE_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
    ]

    @Test func twoCredentialsAtOnceStopStartUpNamingBoth() {
        let cases: [([String: String], String, String)] = [
            (["CLIENT_SECRET": "s", "CLIENT_ASSERTION_FILE": "/run/token"], "CLIENT_SECRET", "CLIENT_ASSERTION_FILE"),
            (["CLIENT_CERTIFICATE_PATH": "/c.pem", "CLIENT_PRIVATE_KEY_PATH": "/k.pem", "CLIENT_ASSERTION_FILE": "/run/token"],
             "CLIENT_CERTIFICATE_PATH", "CLIENT_ASSERTION_FILE"),
            (["CLIENT_SECRET": "s", "CLIENT_CERTIFICATE_PATH": "/c.pem", "CLIENT_PRIVATE_KEY_PATH": "/k.pem"], "CLIENT_SECRET", "CLIENT_CERTIFICATE_PATH"),
        ]
        for (settings, key, other) in cases {
            let error = TestApp.startupError(settings, over: Self.entra)
            #expect(error?.key == key, "\(settings)")
            #expect(error?.reason.contains(other) == true && error?.reason.contains("one client credential") == true, "\(String(describing: error))")
        }
    }

    @Test func theAssertionFileIsTheCredentialAndNeedNotExistYet() throws {
        let log = LogCapture()
        let configuration = try TestApp.configuration(Self.entra.merging(["CLIENT_ASSERTION_FILE": "/nonexistent/token"]) { _, new in new })
        #expect(configuration.clientAssertion == ClientAssertionFile(path: "/nonexistent/token", setting: "CLIENT_ASSERTION_FILE"))
        #expect(configuration.missingIdentityKeys.isEmpty)
        let server = try AppServer(configuration: configuration, logger: log.logger)
        _ = server
        #expect(log.count(containing: "CLIENT_ASSERTION_FILE cannot be read: /nonexistent/token: no such file", level: .warning) == 1, "\(log.text)")
    }

    @Test func theWebhooksVariablesAloneConfigureEntraWithTheFederatedToken() throws {
        let configuration = try TestApp.configuration(Self.webhook)
        #expect(configuration.clientID == "0a1b2c3d-0000-4000-8000-00000000a11d")
        #expect(configuration.authority == "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47")
        #expect(configuration.clientAssertion?.setting == "AZURE_FEDERATED_TOKEN_FILE")
        #expect(configuration.clientAssertion?.path == "/var/run/secrets/azure/tokens/azure-identity-token")
        #expect(try TestApp.make(Self.webhook).identityDescription == "Microsoft Entra ID at https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47")

        // A sovereign cloud's host, with or without the trailing slash.
        let china = try TestApp.configuration(Self.webhook.merging(["AZURE_AUTHORITY_HOST": "https://login.chinacloudapi.cn"]) { _, new in new })
        #expect(china.authority == "https://login.chinacloudapi.cn/72f988bf-86f1-41af-91ab-2d7cd011db47")
    }

    @Test func explicitSettingsWinOverTheWebhooks() throws {
        let explicit = try TestApp.configuration(Self.webhook.merging([
            "CLIENT_ID": "mine", "AUTHORITY": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
        ]) { _, new in new })
        #expect(explicit.clientID == "mine" && explicit.authority == "https://login.microsoftonline.com/contoso.onmicrosoft.com")
        #expect(explicit.clientAssertion?.setting == "AZURE_FEDERATED_TOKEN_FILE")
        let generic = try TestApp.configuration(Self.webhook.merging(["OIDC_AUTHORITY": "https://idp.example"]) { _, new in new })
        #expect(generic.authority == nil, "no Entra authority is made up next to OIDC_AUTHORITY")
    }

    @Test func withAnotherCredentialTheWebhooksTokenAndIdentityAreNotBorrowed() throws {
        // The pod uses workload identity for something else (Key Vault); the app signs in with its secret.
        let log = LogCapture()
        let configuration = try TestApp.configuration(Self.webhook.merging(["CLIENT_SECRET": "secret"]) { _, new in new })
        #expect(configuration.clientAssertion == nil)
        #expect(configuration.clientID == nil && configuration.authority == nil, "AZURE_CLIENT_ID belongs to the other identity")
        #expect(configuration.missingIdentityKeys == ["CLIENT_ID", "AUTHORITY"])
        var withClient = configuration
        withClient.clientID = "client"
        withClient.authority = Self.entra["AUTHORITY"]
        _ = try AppServer(configuration: withClient, logger: log.logger)
        #expect(log.count(containing: "AZURE_FEDERATED_TOKEN_FILE is not used for sign-in: CLIENT_SECRET is the client credential") == 1, "\(log.text)")
    }

    @Test func clientAssertionFileWinsOverADifferentWebhookFileWithAWarning() throws {
        let log = LogCapture()
        let configuration = try TestApp.configuration(Self.webhook.merging(Self.entra) { _, new in new }.merging(["CLIENT_ASSERTION_FILE": "/run/other-token"]) { _, new in new })
        #expect(configuration.clientAssertion == ClientAssertionFile(path: "/run/other-token", setting: "CLIENT_ASSERTION_FILE"))
        _ = try AppServer(configuration: configuration, logger: log.logger)
        #expect(log.count(containing: "CLIENT_ASSERTION_FILE and AZURE_FEDERATED_TOKEN_FILE name different files: CLIENT_ASSERTION_FILE is used", level: .warning) == 1)

        // The same file twice is no conflict.
        let same = LogCapture()
        let agreeing = try TestApp.configuration(Self.webhook.merging(Self.entra) { _, new in new }.merging(["CLIENT_ASSERTION_FILE": Self.webhook["AZURE_FEDERATED_TOKEN_FILE"]!]) { _, new in new })
        _ = try AppServer(configuration: agreeing, logger: same.logger)
        #expect(same.count(containing: "name different files") == 0)
    }
}
