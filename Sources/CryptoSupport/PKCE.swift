import Encodings

/// Proof Key for Code Exchange (RFC 7636) with the S256 method only: `plain` would let
/// anyone who sees the authorize URL redeem the code.
public enum PKCE {
    /// A new verifier: 32 random bytes, base64url, 43 characters (RFC 7636 section 4.1 asks
    /// for 43-128 characters from the unreserved set, with 256 bits of entropy).
    public static func makeVerifier(using random: any RandomSource) -> String {
        random.token(byteCount: 32)
    }

    /// BASE64URL(SHA256(ASCII(verifier))).
    public static func challenge(forVerifier verifier: String) -> String {
        Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
    }

    /// True when `verifier` meets RFC 7636's length and character rules.
    public static func isValidVerifier(_ verifier: String) -> Bool {
        let bytes = Array(verifier.utf8)
        guard (43...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
        }
    }
}
