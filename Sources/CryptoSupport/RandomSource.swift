// Where secret random values come from: OpenSSL's CSPRNG in production, a seeded
// source in tests that need repeatable ids.
import COpenSSL
import Encodings

/// A source of random bytes. Injected into the OIDC client and the session store so
/// tests can make every value predictable.
public protocol RandomSource: Sendable {
    /// Returns `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// `byteCount` random bytes, base64url-encoded without padding: the form used for
    /// session ids, OAuth state, nonce and PKCE verifiers.
    public func token(byteCount: Int) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}

/// Random bytes from OpenSSL's `RAND_bytes`.
public struct OpenSSLRandom: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let ok = buffer.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // A CSPRNG that cannot produce bytes leaves no safe way to go on: ids and
        // nonces would be guessable.
        precondition(ok == 1, "OpenSSL RAND_bytes failed")
        return buffer
    }
}
