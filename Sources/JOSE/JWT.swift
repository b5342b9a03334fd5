import CryptoSupport
import Encodings

/// JWS compact serialization (header.payload.signature) for JWTs: parsing without
/// trusting anything, and RS256 signing for client assertions and the development provider.
public struct JWT: Sendable {
    /// The decoded protected header.
    public let header: [String: JSONValue]
    /// The decoded claims (payload).
    public let claims: [String: JSONValue]
    /// The exact bytes the signature covers: the first two compact segments joined by ".".
    public let signingInput: [UInt8]
    /// The raw signature bytes.
    public let signature: [UInt8]

    /// Why a string is not a well-formed compact JWS.
    public enum ParseError: Error, Sendable, Equatable {
        case notThreeSegments
        case invalidBase64URL
        case headerNotJSONObject
        case claimsNotJSONObject
    }

    /// Splits and decodes a compact JWS. The result is untrusted until a validator has
    /// checked the signature and claims.
    public init(compact: String) throws(ParseError) {
        let segments = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .notThreeSegments }
        guard let headerBytes = Base64URL.decode(segments[0]),
              let claimBytes = Base64URL.decode(segments[1]),
              let signature = Base64URL.decode(segments[2])
        else { throw .invalidBase64URL }
        guard let header = JSONValue.parseObject(headerBytes) else { throw .headerNotJSONObject }
        guard let claims = JSONValue.parseObject(claimBytes) else { throw .claimsNotJSONObject }
        self.header = header
        self.claims = claims
        self.signingInput = Array(segments[0].utf8) + [UInt8(ascii: ".")] + Array(segments[1].utf8)
        self.signature = signature
    }

    public var algorithm: String? { header["alg"]?.stringValue }
    public var keyID: String? { header["kid"]?.stringValue }

    /// Signs `claims` with RS256 and returns the compact form. `header` adds fields such
    /// as `kid`, `typ`, `x5t`; `alg` is always set to RS256.
    public static func sign(header: [String: JSONValue] = [:], claims: [String: JSONValue], with key: RSAKey) throws -> String {
        var fullHeader = header
        fullHeader["alg"] = "RS256"
        if fullHeader["typ"] == nil { fullHeader["typ"] = "JWT" }
        let signingInput = Base64URL.encode(JSONValue.serialize(fullHeader)) + "." + Base64URL.encode(JSONValue.serialize(claims))
        let signature = try key.signRS256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Decodes the claims of a compact JWT without any verification. Only for tokens this
    /// process already validated (for example an ID token read back from the cache).
    public static func unverifiedClaims(of compact: String) -> [String: JSONValue]? {
        try? JWT(compact: compact).claims
    }
}
