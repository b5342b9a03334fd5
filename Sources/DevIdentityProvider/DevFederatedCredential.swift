import Encodings
import FoundationEssentials
import JOSE

/// A federated identity credential on the development app registration, as Entra keeps
/// them: tokens from `issuer` about `subject`, meant for `audience`, are accepted as the
/// client's credential instead of its secret. Entra checks the signature against the
/// issuer's published keys; the development provider, which fetches nothing, is given the
/// issuer's public key instead.
public struct DevFederatedCredential: Sendable {
    /// The audience Entra expects in federated tokens (its own token exchange).
    public static let entraAudience = "api://AzureADTokenExchange"
    /// Clock difference tolerated on `exp` and `nbf`.
    static let clockSkew: Int64 = 60

    /// The external issuer, e.g. an AKS cluster's OIDC issuer URL.
    public let issuer: String
    /// The workload, e.g. `system:serviceaccount:NAMESPACE:NAME`.
    public let subject: String
    /// The `aud` the token must carry.
    public let audience: String
    /// The issuer's signing key (public part).
    public let issuerKey: RSAKey

    /// A credential trusting `subject`'s tokens from `issuer`, signed by `issuerKey`.
    public init(issuer: String, subject: String, audience: String = entraAudience, issuerKey: RSAKey) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.issuerKey = issuerKey
    }

    /// Why an assertion is refused, in Entra's words and codes.
    struct Refusal: Error, Equatable {
        /// The AADSTS number.
        let code: Int
        /// Entra's description.
        let description: String
        /// A short name for the log line.
        let reason: String
    }

    /// Checks a presented `client_assertion` as Entra checks a federated one: a well-formed
    /// RS256 JWT, signed by the issuer's key, with this issuer, subject and audience, and
    /// within its validity period.
    func check(_ assertion: String, now: Date) throws(Refusal) {
        guard let token = try? JWT(compact: assertion), token.algorithm == "RS256" else {
            throw Refusal(code: 50027, description: "AADSTS50027: JWT token is invalid or malformed.", reason: "malformed")
        }
        guard issuerKey.verifyRS256(signature: token.signature, message: token.signingInput) else {
            throw Refusal(code: 700027, description: "AADSTS700027: Client assertion failed signature validation.", reason: "signature")
        }
        guard token.claims["iss"]?.stringValue == issuer else {
            throw Refusal(code: 700211, description: "AADSTS700211: No matching federated identity record found for presented assertion issuer.", reason: "issuer")
        }
        guard token.claims["sub"]?.stringValue == subject else {
            throw Refusal(code: 700213, description: "AADSTS700213: No matching federated identity record found for presented assertion subject.", reason: "subject")
        }
        let audiences = token.claims["aud"].map { claim in claim.stringValue.map { [$0] } ?? (claim.arrayValue ?? []).compactMap(\.stringValue) } ?? []
        guard audiences.contains(audience) else {
            throw Refusal(code: 700212, description: "AADSTS700212: No matching federated identity record found for presented assertion audience.", reason: "audience")
        }
        let seconds = Int64(now.timeIntervalSince1970)
        guard let expiry = token.claims["exp"]?.integerValue, expiry + Self.clockSkew > seconds,
              (token.claims["nbf"]?.integerValue ?? seconds) - Self.clockSkew <= seconds
        else {
            throw Refusal(code: 700024, description: "AADSTS700024: Client assertion is not within its valid time range.", reason: "expired")
        }
    }
}
