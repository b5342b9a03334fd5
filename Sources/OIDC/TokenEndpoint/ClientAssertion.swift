import CryptoSupport
import Encodings
import FoundationEssentials
import JOSE

/// The private_key_jwt client assertion (RFC 7523) Entra accepts for certificate
/// credentials: RS256, with the certificate's SHA-1 (x5t) and SHA-256 (x5t#S256)
/// thumbprints in the header so Entra can find the registered certificate.
public enum ClientAssertion {
    public static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Short-lived: the assertion is single-use, made fresh for every request.
    static let lifetime: TimeInterval = 600

    public static func make(clientID: String, audience: String, privateKey: RSAKey, certificate: Certificate,
                            now: Date, random: any RandomSource) throws -> String {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let header: [String: JSONValue] = [
            "typ": "JWT",
            "x5t": .string(certificate.sha1Thumbprint),
            "x5t#S256": .string(certificate.sha256Thumbprint),
        ]
        let claims: [String: JSONValue] = [
            "aud": .string(audience),
            "iss": .string(clientID),
            "sub": .string(clientID),
            // Unique per assertion so the provider can detect replays.
            "jti": .string(random.token(byteCount: 16)),
            "iat": .integer(issuedAt),
            "nbf": .integer(issuedAt),
            "exp": .integer(issuedAt + Int64(lifetime)),
        ]
        return try JWT.sign(header: header, claims: claims, with: privateKey)
    }
}
