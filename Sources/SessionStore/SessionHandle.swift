// What the session cookie carries: an id that names the stored entry, and a secret that the
// server never stores, from which the key sealing the entry is derived.
import CryptoSupport
import Encodings

/// The browser's handle on its session, opaque to routes: they get it from `SessionCookie`
/// and hand it to the store, never look inside.
///
/// The cookie value is `<id>.<secret>`, each 32 random bytes in unpadded base64url (87
/// characters in all). The store keeps an entry under `storageKey` (the hex SHA-256 of the id,
/// so a listing of the store reveals no id) sealed with a key derived from the secret (HKDF),
/// so whoever copies the store holds ciphertext only, and whoever learns a storage key cannot
/// open or forge its entry.
///
/// Printing a handle shows neither part; compare handles with `==`, which takes constant time.
public struct SessionHandle: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Bytes of randomness in each part (256 bits).
    public static let byteCount = 32
    /// Characters of each part: 32 bytes in unpadded base64url.
    static let partLength = 43
    /// Characters of a cookie value: id, dot, secret.
    public static let cookieValueLength = 2 * partLength + 1

    /// The id part, as the cookie spells it.
    private let id: String
    /// The secret part, decoded.
    private let secret: [UInt8]
    /// Where the entry is stored: lowercase hex SHA-256 of the id (64 characters), which is
    /// also the session's file name in the file store.
    package let storageKey: String

    /// A handle of two well-formed parts.
    private init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
        self.storageKey = Digest.hex(Digest.sha256(id))
    }

    /// The handle in a cookie value, or nil when `value` is not exactly what `cookieValue`
    /// produces: checked before anything is hashed or stored, so oversized or hostile values
    /// cost nothing and never reach the storage. Values of the single-id format of earlier
    /// versions are refused too: those users sign in again.
    public init?(cookieValue value: some StringProtocol) {
        guard value.utf8.count == Self.cookieValueLength else { return nil }
        let text = String(value)
        let utf8 = text.utf8
        let dot = utf8.index(utf8.startIndex, offsetBy: Self.partLength)
        guard utf8[dot] == UInt8(ascii: "."), Self.decodedPart(utf8[..<dot]) != nil,
              let secret = Self.decodedPart(utf8[utf8.index(after: dot)...])
        else { return nil }
        self.init(id: String(text[..<dot]), secret: secret)
    }

    /// A fresh handle from `random` (OpenSSL's CSPRNG in production).
    package static func generate(using random: any RandomSource) -> SessionHandle {
        let bytes = random.bytes(2 * byteCount)
        precondition(bytes.count == 2 * byteCount, "RandomSource returned the wrong number of bytes")
        return SessionHandle(id: Base64URL.encode(bytes.prefix(byteCount)), secret: Array(bytes.suffix(byteCount)))
    }

    /// The cookie value: `<id>.<secret>`. Goes into `Set-Cookie` and nowhere else (never a log).
    public var cookieValue: String {
        id + "." + Base64URL.encode(secret)
    }

    /// The key that seals this session's entry: HKDF-SHA256 of the secret, for this purpose
    /// and format version only.
    package func sealingKey() -> [UInt8] {
        HKDF.sha256(key: secret, info: Self.sealingKeyInfo, outputByteCount: AES256GCM.keyByteCount)
    }

    /// A keyed hash of the secret (SHA-256 of `key` then the secret, both fixed-length): what
    /// a cache of decoded sessions compares a later request's handle with, in constant time,
    /// for a fraction of the key derivation's cost. `key` is random per process, so the value
    /// means nothing outside it.
    package func fingerprint(keyedBy key: [UInt8]) -> [UInt8] {
        Digest.sha256(key + secret)
    }

    /// HKDF's `info`: a new format or purpose gets a new name, and with it unrelated keys.
    private static let sealingKeyInfo = Array("entra-web session v2 AES-256-GCM".utf8)

    /// Exactly 43 base64url characters that decode to 32 bytes, with zero padding bits, so
    /// that every handle has a single spelling.
    private static func decodedPart(_ part: Substring.UTF8View) -> [UInt8]? {
        for byte in part {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return nil
            }
        }
        guard let bytes = Base64URL.decode(Substring(part)), bytes.count == byteCount else { return nil }
        return bytes
    }

    /// Equal when both parts are, compared in constant time.
    public static func == (a: SessionHandle, b: SessionHandle) -> Bool {
        // Both comparisons always run, so the time does not tell which part differed.
        let sameID = ConstantTime.equals(a.id, b.id)
        let sameSecret = ConstantTime.equals(a.secret, b.secret)
        return sameID && sameSecret
    }

    /// Never the id or the secret.
    public var description: String { "SessionHandle(redacted)" }
    /// Never the id or the secret.
    public var debugDescription: String { description }
    /// No children, so `dump` shows neither part.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
