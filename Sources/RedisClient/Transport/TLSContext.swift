import CLibSSL
import Glibc

/// The TLS settings every rediss:// connection of a client shares (an OpenSSL SSL_CTX):
/// TLS 1.2 or newer, the peer's certificate verified against the system trust store, or
/// only against the CAs in `caFile` when one is configured.
final class TLSContext: @unchecked Sendable {
    // SSL_CTX is safe to share between threads once set up; it is never changed after init.
    let context: OpaquePointer

    /// Builds the context; a CA file that cannot be read or holds no certificate is a
    /// configuration error about the CA file.
    init(caFile: String?) throws(RedisConfigurationError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw RedisConfigurationError(.url, "cannot use TLS: \(OpenSSLErrorQueue.drain(fallback: "SSL_CTX_new failed"))")
        }
        self.context = context
        _ = clibssl_set_min_protocol(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard access(caFile, R_OK) == 0 else {
                throw RedisConfigurationError(.caFile, "cannot be read: \(caFile): \(String(cString: strerror(errno)))")
            }
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                let reason = OpenSSLErrorQueue.drain(fallback: "no certificate in it")
                throw RedisConfigurationError(.caFile, "holds no usable CA certificate: \(caFile): \(reason)")
            }
        } else {
            SSL_CTX_set_default_verify_paths(context)
        }
    }

    /// Frees the context.
    deinit { SSL_CTX_free(context) }
}
