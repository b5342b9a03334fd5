import COpenSSL

/// An HMAC-SHA256 key set up once, for a key used over and over (a fixed label, a server
/// secret): each MAC starts from a copy of the keyed state instead of preparing the key
/// again, which is half the cost of a MAC of a short message. Thread-safe: the keyed state
/// is only ever read, by `EVP_MAC_CTX_dup`.
public final class HMACKey: @unchecked Sendable {
    /// The `EVP_MAC_CTX *` initialised with the key, never updated.
    private let keyed: OpaquePointer

    /// Prepares `key` once (any length, as HMAC allows).
    public init(_ key: [UInt8]) {
        guard let context = EVP_MAC_CTX_new(fetchedHMACAlgorithm.pointer) else { preconditionFailure("OpenSSL HMAC unavailable") }
        var parameters = [OSSL_PARAM_construct_utf8_string(hmacDigestParameter, hmacDigestName, 0), OSSL_PARAM_construct_end()]
        let ok = key.withUnsafeBufferPointer { bytes in
            EVP_MAC_init(context, bytes.baseAddress ?? hmacEmptyInput, bytes.count, &parameters) == 1
        }
        precondition(ok, "OpenSSL HMAC key set-up failed")
        keyed = context
    }

    deinit {
        EVP_MAC_CTX_free(keyed)
    }

    /// HMAC-SHA256 of `message` under this key (32 bytes), equal to
    /// `Digest.hmacSHA256(key:message:)` with the same key.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        guard let context = EVP_MAC_CTX_dup(keyed) else { preconditionFailure("OpenSSL HMAC copy failed") }
        defer { EVP_MAC_CTX_free(context) }
        let ok = message.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_MAC_update(context, input.baseAddress ?? hmacEmptyInput, input.count) == 1
                    && EVP_MAC_final(context, out.baseAddress, &length, out.count) == 1
            }
        }
        precondition(ok && length == 32, "OpenSSL HMAC failed")
        return output
    }
}

/// HMAC, fetched once (see `FetchedAlgorithm`).
private let fetchedHMACAlgorithm = FetchedAlgorithm(EVP_MAC_fetch(nil, "HMAC", nil))
/// OSSL_PARAM names and values must outlive the call: static strings. OpenSSL's prototype
/// wants a mutable pointer for a value it only reads.
nonisolated(unsafe) private let hmacDigestParameter = UnsafeRawPointer(("digest" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
nonisolated(unsafe) private let hmacDigestName = UnsafeMutablePointer(mutating: UnsafeRawPointer(("SHA256" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self))
/// Where an empty key or message points: OpenSSL wants a non-null pointer.
nonisolated(unsafe) private let hmacEmptyInput = UnsafePointer<UInt8>(UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: UInt8.self))
