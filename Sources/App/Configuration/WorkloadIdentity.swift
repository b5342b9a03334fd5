import OIDC

/// How the workload identity settings combine, in one place.
///
/// - `CLIENT_ASSERTION_FILE` is ours and explicit: it is the credential, and setting it
///   together with `CLIENT_SECRET` or a certificate is a start-up error (`IdentityFactory`).
///   When `AZURE_FEDERATED_TOKEN_FILE` names another file, `CLIENT_ASSERTION_FILE` wins (a
///   warning says so): the app's own setting beats the platform's generic one.
/// - `AZURE_FEDERATED_TOKEN_FILE` is what the AKS workload identity webhook injects into every
///   pod of a labelled service account, also when the pod uses it for something else (Key
///   Vault, storage). So it is only a fallback: the credential when no other is set.
/// - Only then, `AZURE_CLIENT_ID` stands in for an unset `CLIENT_ID`, and `AZURE_AUTHORITY_HOST`
///   plus `AZURE_TENANT_ID` for an unset `AUTHORITY`: the webhook's variables describe one
///   identity, and borrowing them while another credential is in use would mix two.
struct WorkloadIdentity {
    /// Our own setting.
    static let explicitKey = "CLIENT_ASSERTION_FILE"
    /// The webhook's.
    static let webhookTokenKey = "AZURE_FEDERATED_TOKEN_FILE"
    /// Entra's public cloud, where `AZURE_AUTHORITY_HOST` is unset.
    static let defaultAuthorityHost = "https://login.microsoftonline.com/"

    /// The token file the client assertion is read from, if any.
    let assertion: ClientAssertionFile?
    /// `AZURE_CLIENT_ID`, when the webhook's token is the credential.
    let defaultClientID: String?
    /// `AZURE_AUTHORITY_HOST` + `AZURE_TENANT_ID`, likewise.
    let defaultAuthority: String?

    /// Reads the settings through `value` (nil for unset or blank).
    init(_ value: (String) -> String?) {
        let otherCredential = value("CLIENT_SECRET") != nil || value("CLIENT_CERTIFICATE_PATH") != nil
        if let explicit = value(Self.explicitKey) {
            assertion = ClientAssertionFile(path: explicit, setting: Self.explicitKey)
        } else if !otherCredential, let injected = value(Self.webhookTokenKey) {
            assertion = ClientAssertionFile(path: injected, setting: Self.webhookTokenKey)
        } else {
            assertion = nil
        }
        guard assertion?.setting == Self.webhookTokenKey else {
            defaultClientID = nil
            defaultAuthority = nil
            return
        }
        defaultClientID = value("AZURE_CLIENT_ID")
        let host = value("AZURE_AUTHORITY_HOST") ?? Self.defaultAuthorityHost
        defaultAuthority = value("AZURE_TENANT_ID").map { tenant in
            (host.hasSuffix("/") ? String(host.dropLast()) : host) + "/" + tenant
        }
    }
}
