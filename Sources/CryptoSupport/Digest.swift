import COpenSSL

/// SHA-1 and SHA-256 digests and HMAC-SHA256 through OpenSSL. The algorithms are fetched
/// from the provider once (`FetchedAlgorithm`): OpenSSL 3 otherwise looks each one up again
/// on every call, which costs more than hashing a cookie.
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        digest(bytes, fetchedSHA256.pointer, length: 32)
    }

    /// SHA-256 of a string's UTF-8 bytes.
    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// SHA-1 of `bytes` (20 bytes). Only for names that protocols define with it (certificate
    /// thumbprints, `x5t`, which Entra still asks for; Redis script ids for EVALSHA); never
    /// for anything that must resist collisions.
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        digest(bytes, fetchedSHA1.pointer, length: 20)
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under `key`, through `EVP_MAC`. For a key used
    /// again and again, keep an `HMACKey` instead: it prepares the key once.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        HMACKey(key).authenticate(message)
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func digest(_ bytes: [UInt8], _ type: OpaquePointer?, length: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        var outLength: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &outLength, type, nil)
            }
        }
        precondition(ok == 1 && Int(outLength) == length, "OpenSSL EVP_Digest failed")
        return output
    }
}

/// The algorithms `Digest` uses, fetched once (see `FetchedAlgorithm`).
private let fetchedSHA256 = FetchedAlgorithm(EVP_MD_fetch(nil, "SHA256", nil))
private let fetchedSHA1 = FetchedAlgorithm(EVP_MD_fetch(nil, "SHA1", nil))
