import CryptoSupport
import Encodings

/// Session ids: how they are made, how a cookie value is checked before anything touches the
/// disk, and how an id becomes a file name.
public enum SessionID {
    /// Bytes of randomness in an id (256 bits).
    public static let byteCount = 32
    /// Characters of an id: 32 bytes in unpadded base64url.
    public static let length = 43

    /// A fresh id from `random` (OpenSSL's CSPRNG in production).
    public static func generate(using random: any RandomSource) -> String {
        let id = random.token(byteCount: byteCount)
        precondition(isWellFormed(id), "RandomSource returned the wrong number of bytes")
        return id
    }

    /// True when `value` could be an id we issued: exactly 43 base64url characters that
    /// decode to 32 bytes. Checked before hashing, so oversized or hostile cookie values cost
    /// nothing and never reach the file system.
    public static func isWellFormed(_ value: some StringProtocol) -> Bool {
        let utf8 = value.utf8
        guard utf8.count == length else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        // Rejects the last character's non-zero padding bits, so each id has one spelling.
        return Base64URL.decode(value)?.count == byteCount
    }

    /// The file name for `id`: lowercase hex SHA-256. A cookie value thus never becomes a
    /// path, and a directory listing does not reveal live ids. Nil for a malformed id.
    static func fileName(for id: String) -> String? {
        guard isWellFormed(id) else { return nil }
        return Digest.hex(Digest.sha256(id))
    }
}
