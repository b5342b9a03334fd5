import COpenSSL

/// HKDF (RFC 5869) with SHA-256 through OpenSSL's `EVP_KDF`: turns a high-entropy secret into
/// keys, one per purpose, named by `info`.
public enum HKDF {
    /// The largest output RFC 5869 allows for SHA-256 (255 blocks of 32 bytes).
    public static let maximumOutputByteCount = 255 * 32

    /// `outputByteCount` bytes of HKDF-SHA256 of `key` (the input keying material), `salt`
    /// (may be empty: RFC 5869 then uses zeros) and `info` (the purpose of the output).
    public static func sha256(key: [UInt8], salt: [UInt8] = [], info: [UInt8], outputByteCount: Int) -> [UInt8] {
        precondition((1...maximumOutputByteCount).contains(outputByteCount), "HKDF-SHA256 output must be 1 to 8160 bytes")
        precondition(!key.isEmpty, "HKDF needs input keying material")
        var output = [UInt8](repeating: 0, count: outputByteCount)
        let ok = key.withUnsafeBytes { key in
            salt.withUnsafeBytes { salt in
                info.withUnsafeBytes { info in
                    output.withUnsafeMutableBytes { out in derive(key: key, salt: salt, info: info, into: out) }
                }
            }
        }
        // Derivation cannot fail with valid sizes; a key of zeros must never be used instead.
        precondition(ok, "OpenSSL HKDF failed")
        return output
    }

    /// `EVP_KDF_derive` with the digest, key, salt and info as OSSL_PARAMs.
    private static func derive(key: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
                               into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard let context = EVP_KDF_CTX_new(fetchedKDF.pointer) else { return false }
        defer { EVP_KDF_CTX_free(context) }
        // OSSL_PARAM keeps the pointers it is given, so every name is a static string and every
        // value lives until EVP_KDF_derive returns.
        var parameters = [
            OSSL_PARAM_construct_utf8_string(name("digest"), digestName, 0),
            OSSL_PARAM_construct_octet_string(name("key"), UnsafeMutableRawPointer(mutating: key.baseAddress), key.count),
        ]
        if salt.count > 0 {
            parameters.append(OSSL_PARAM_construct_octet_string(name("salt"), UnsafeMutableRawPointer(mutating: salt.baseAddress), salt.count))
        }
        if info.count > 0 {
            parameters.append(OSSL_PARAM_construct_octet_string(name("info"), UnsafeMutableRawPointer(mutating: info.baseAddress), info.count))
        }
        parameters.append(OSSL_PARAM_construct_end())
        return EVP_KDF_derive(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), output.count, &parameters) == 1
    }

    /// A static string as the C string OSSL_PARAM names and values must be.
    private static func name(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// OpenSSL's prototype wants a mutable pointer for a value it only reads.
    nonisolated(unsafe) private static let digestName = UnsafeMutablePointer(mutating: name("SHA256"))
}

/// HKDF, fetched once (see `FetchedAlgorithm`).
private let fetchedKDF = FetchedAlgorithm(EVP_KDF_fetch(nil, "HKDF", nil))
