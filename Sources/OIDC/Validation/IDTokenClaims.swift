import Encodings
import FoundationEssentials

/// The claims of a validated ID token, with typed access to the ones the app uses.
public struct IDTokenClaims: Sendable, Equatable, Codable {
    /// Every claim as sent.
    public let raw: [String: JSONValue]

    public init(raw: [String: JSONValue]) {
        self.raw = raw
    }

    public init(from decoder: any Decoder) throws {
        raw = try [String: JSONValue](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try raw.encode(to: encoder)
    }

    public subscript(claim: String) -> JSONValue? { raw[claim] }

    public var issuer: String? { raw["iss"]?.stringValue }
    public var subject: String? { raw["sub"]?.stringValue }
    /// `aud` as a list whether the token sent a string or an array.
    public var audiences: [String] {
        switch raw["aud"] {
        case .string(let value)?: return [value]
        case .array(let values)?: return values.compactMap(\.stringValue)
        default: return []
        }
    }
    public var tenantID: String? { raw["tid"]?.stringValue }
    public var objectID: String? { raw["oid"]?.stringValue }
    public var name: String? { raw["name"]?.stringValue }
    public var preferredUsername: String? { raw["preferred_username"]?.stringValue }
    public var email: String? { raw["email"]?.stringValue }
    /// Entra's hint for end-session (`logout_hint`).
    public var loginHint: String? { raw["login_hint"]?.stringValue }
    public var nonce: String? { raw["nonce"]?.stringValue }
    public var expiresAt: Date? { raw["exp"]?.integerValue.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
    public var issuedAt: Date? { raw["iat"]?.integerValue.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
}
