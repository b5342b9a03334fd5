import CLibSSL
import Glibc
import ThreadSupport

/// TLS over a `TCPStream`. OpenSSL never touches the socket: it reads from and writes to
/// two memory BIOs, and this class moves the bytes between them and the socket. So every
/// wait is our poll with our deadline, and no write can raise SIGPIPE (OpenSSL's socket BIO
/// uses write(2), which would).
final class TLSStream: ByteStream {
    /// The socket under the TLS session.
    private let tcp: TCPStream
    /// The OpenSSL session (SSL).
    private let ssl: OpaquePointer
    /// Ciphertext from the socket, for OpenSSL to read (owned by `ssl`).
    private let incoming: OpaquePointer
    /// Ciphertext from OpenSSL, for the socket (owned by `ssl`).
    private let outgoing: OpaquePointer
    /// Room for ciphertext moving between socket and BIOs.
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    /// Runs the handshake over `tcp`: SNI with `host` when it is a name, and the
    /// certificate must be valid for `host` (name or IP address) and chain to a trusted CA.
    init(tcp: TCPStream, context: TLSContext, host: String, deadline: Deadline) throws(TransportError) {
        self.tcp = tcp
        guard let ssl = SSL_new(context.context), let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            throw .tls(OpenSSLErrorQueue.drain(fallback: "cannot allocate a TLS session"))
        }
        SSL_set_bio(ssl, incoming, outgoing)
        (self.ssl, self.incoming, self.outgoing) = (ssl, incoming, outgoing)
        try expectHost(host)
        SSL_set_connect_state(ssl)
        try handshake(host: host, deadline: deadline)
    }

    /// Frees the session and, with it, both BIOs.
    deinit {
        SSL_free(ssl)
    }

    /// Sets what the certificate must name, and SNI (which takes names, not addresses).
    private func expectHost(_ host: String) throws(TransportError) {
        var v4 = in_addr()
        var v6 = in6_addr()
        let isAddress = inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
        let ok: Bool
        if isAddress {
            ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1
        } else {
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            ok = SSL_set1_host(ssl, host) == 1 && clibssl_set_server_name(ssl, host) == 1
        }
        guard ok else { throw .tls(OpenSSLErrorQueue.drain(fallback: "cannot check certificates for \(host)")) }
    }

    /// Drives SSL_do_handshake until it is done, moving ciphertext both ways.
    private func handshake(host: String, deadline: Deadline) throws(TransportError) {
        while true {
            OpenSSLErrorQueue.clear()
            let result = SSL_do_handshake(ssl)
            try flushOutgoing(deadline: deadline)
            if result == 1 { return }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                try receiveCiphertext(deadline: deadline)
            default:
                throw .tls(handshakeFailure(host: host))
            }
        }
    }

    /// The certificate check's verdict when that was the cause, else OpenSSL's reasons.
    private func handshakeFailure(host: String) -> String {
        let verdict = SSL_get_verify_result(ssl)
        if verdict != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verdict))
            OpenSSLErrorQueue.clear()
            return "the server's certificate is not accepted for \(host): \(reason)"
        }
        return "handshake failed: \(OpenSSLErrorQueue.drain(fallback: "the server ended it"))"
    }

    /// Encrypts and sends all of `bytes`.
    func write(_ bytes: ArraySlice<UInt8>, deadline: Deadline) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            OpenSSLErrorQueue.clear()
            var written = 0
            // The outgoing BIO takes all it is given; 64 KiB at a time keeps a large value
            // from being held twice, as plaintext and as ciphertext.
            let piece = min(bytes.count - offset, 64 * 1024)
            let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress! + offset, piece, &written) }
            guard result == 1 else {
                throw .tls(OpenSSLErrorQueue.drain(fallback: "write failed"))
            }
            offset += written
            try flushOutgoing(deadline: deadline)
        }
    }

    /// Decrypts at least one byte into `buffer`.
    func read(into buffer: inout [UInt8], deadline: Deadline) throws(TransportError) -> Int {
        while true {
            OpenSSLErrorQueue.clear()
            var count = 0
            let result = buffer.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
            if result == 1 { return count }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                // Reading may have produced records to send (a key update's answer).
                try flushOutgoing(deadline: deadline)
                try receiveCiphertext(deadline: deadline)
            case SSL_ERROR_ZERO_RETURN:
                throw .closed
            default:
                throw .tls(OpenSSLErrorQueue.drain(fallback: "read failed"))
            }
        }
    }

    /// Bytes that arrive while idle may be TLS 1.3 session tickets, which are fine; the
    /// end of the stream, an alert or application data are not.
    func isQuietWhileIdle() -> Bool {
        guard tcp.fd >= 0 else { return false }
        while tcp.hasPendingInput() {
            guard let count = tcp.readAvailable(into: &chunk) else { return true }
            guard count > 0, BIO_write(incoming, chunk, Int32(count)) == Int32(count) else { return false }
            OpenSSLErrorQueue.clear()
            var probe: UInt8 = 0
            var read = 0
            let result = SSL_read_ex(ssl, &probe, 1, &read)
            guard result != 1, SSL_get_error(ssl, result) == SSL_ERROR_WANT_READ else {
                OpenSSLErrorQueue.clear()
                return false
            }
        }
        return true
    }

    /// Sends close_notify if the socket takes it at once, then closes.
    func close() {
        guard tcp.fd >= 0 else { return }
        OpenSSLErrorQueue.clear()
        if SSL_shutdown(ssl) >= 0 {
            try? flushOutgoing(deadline: Deadline(after: .zero))
        }
        OpenSSLErrorQueue.clear()
        tcp.close()
    }

    /// Sends whatever OpenSSL has written to the outgoing BIO.
    private func flushOutgoing(deadline: Deadline) throws(TransportError) {
        while BIO_ctrl_pending(outgoing) > 0 {
            let count = chunk.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { return }
            try tcp.write(chunk[0..<Int(count)], deadline: deadline)
        }
    }

    /// Moves one read's worth of ciphertext from the socket to the incoming BIO.
    private func receiveCiphertext(deadline: Deadline) throws(TransportError) {
        let count = try tcp.read(into: &chunk, deadline: deadline)
        guard BIO_write(incoming, chunk, Int32(count)) == Int32(count) else {
            throw .tls(OpenSSLErrorQueue.drain(fallback: "cannot buffer received data"))
        }
    }
}
