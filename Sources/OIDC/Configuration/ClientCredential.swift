import JOSE

/// How this app proves its identity at the token endpoint: a client secret (post or
/// basic), a certificate (private_key_jwt) or a federated token from a file, the last two
/// being what Microsoft recommends for production.
public enum ClientCredential: Sendable {
    public enum SecretMethod: String, Sendable {
        /// client_id and client_secret in the form body (the default, as MSAL does).
        case post = "client_secret_post"
        /// HTTP Basic authentication with the form-encoded id and secret.
        case basic = "client_secret_basic"
    }

    case secret(String, method: SecretMethod = .post)
    /// A client assertion signed RS256 with `privateKey`; the certificate supplies the
    /// thumbprints Entra uses to find the registered key.
    case certificate(privateKey: RSAKey, certificate: Certificate)
    /// Workload identity federation: a token another identity provider issued to this
    /// workload, read from a file for every request and sent as the client assertion.
    case assertionFile(ClientAssertionFile)
    /// A public client (no credential), for providers that allow it with PKCE.
    case none

    /// Loads a certificate credential from PEM strings, checking that key and certificate
    /// belong together so a mismatch is a start-up error rather than a failed sign-in.
    public static func certificate(privateKeyPEM: String, certificatePEM: String) throws(SettingError) -> ClientCredential {
        let privateKey: RSAKey
        let certificate: Certificate
        do {
            privateKey = try RSAKey(privateKeyPEM: privateKeyPEM)
            certificate = try Certificate(pem: certificatePEM)
        } catch {
            throw SettingError("could not be loaded (\(error))")
        }
        guard certificate.matches(privateKey: privateKey) else {
            throw SettingError("does not match its private key")
        }
        return .certificate(privateKey: privateKey, certificate: certificate)
    }
}
