import Glibc

/// How a byte stream failed, before the connection turns it into a `RedisError` that says
/// which server and which step.
enum TransportError: Error, Sendable {
    /// The deadline passed.
    case timedOut
    /// The peer closed the connection.
    case closed
    /// A system call failed: its name and errno.
    case system(String, Int32)
    /// The host name did not resolve: getaddrinfo's reason.
    case unresolved(String)
    /// TLS failed: a reason from OpenSSL or the certificate check.
    case tls(String)

    /// `connect: Connection refused`, or the TLS reason.
    var detail: String {
        switch self {
        case .timedOut: return "timed out"
        case .closed: return "the server closed the connection"
        case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        case .unresolved(let reason), .tls(let reason): return reason
        }
    }
}
