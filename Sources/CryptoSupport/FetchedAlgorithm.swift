import COpenSSL

/// An algorithm fetched from OpenSSL's default provider once for the process. OpenSSL
/// documents fetched `EVP_CIPHER`, `EVP_KDF`, `EVP_MD` and `EVP_MAC` objects as shareable
/// between threads, and this one is never freed, so handing it across threads is safe.
struct FetchedAlgorithm: @unchecked Sendable {
    /// The `EVP_CIPHER *`, `EVP_KDF *`, `EVP_MD *` or `EVP_MAC *`.
    let pointer: OpaquePointer

    /// Stops the process when the algorithm is missing: without AES-GCM or HKDF no session
    /// can be stored safely, and nothing else should run half-working.
    init(_ pointer: OpaquePointer?, file: StaticString = #file, line: UInt = #line) {
        guard let pointer else {
            preconditionFailure("OpenSSL lacks an algorithm this server needs (is libcrypto 3 installed?)", file: file, line: line)
        }
        self.pointer = pointer
    }
}
