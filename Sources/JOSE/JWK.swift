import CryptoSupport
import Encodings
import FoundationEssentials

/// JSON Web Keys (RFC 7517) as a provider's jwks_uri serves them, limited to the fields
/// an RS256 verifier needs.
public struct JWK: Codable, Sendable, Equatable {
    public var kty: String
    public var use: String?
    public var alg: String?
    public var kid: String?
    public var n: String?
    public var e: String?
    public var x5t: String?
    public var x5c: [String]?

    public init(kty: String, use: String? = nil, alg: String? = nil, kid: String? = nil,
                n: String? = nil, e: String? = nil, x5t: String? = nil, x5c: [String]? = nil) {
        self.kty = kty
        self.use = use
        self.alg = alg
        self.kid = kid
        self.n = n
        self.e = e
        self.x5t = x5t
        self.x5c = x5c
    }

    /// True for keys that may verify RS256 signatures: RSA, not marked for encryption,
    /// and not pinned to another algorithm.
    public var isRS256SigningKey: Bool {
        kty == "RSA" && (use == nil || use == "sig") && (alg == nil || alg == "RS256") && n != nil && e != nil
    }

    /// The key as an OpenSSL public key.
    public func rsaPublicKey() throws -> RSAKey {
        guard kty == "RSA", let n, let e, let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e) else {
            throw CryptoError(operation: "JWK", detail: "not an RSA key with base64url n and e")
        }
        return try RSAKey(modulus: modulus, exponent: exponent)
    }
}

/// A JWK Set: `{"keys": [...]}`.
public struct JWKSet: Codable, Sendable, Equatable {
    public var keys: [JWK]

    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// Decodes a JWK Set, skipping entries that are not valid JWK objects instead of
    /// failing the whole set (providers publish key types we do not use).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode([JSONValue].self, forKey: .keys)
        keys = raw.compactMap { value in
            guard let data = try? JSONEncoder().encode(value) else { return nil }
            return try? JSONDecoder().decode(JWK.self, from: data)
        }
    }
}

