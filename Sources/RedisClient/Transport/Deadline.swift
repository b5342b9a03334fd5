import Glibc

/// The monotonic instant by which an I/O step must be done. One deadline covers a whole
/// step (a connect, a write, a reply), so a server that trickles a byte at a time cannot
/// stretch it the way a per-read timeout could be stretched.
struct Deadline: Sendable {
    /// When the time is up.
    let instant: ContinuousClock.Instant

    /// `duration` from now.
    init(after duration: Duration) {
        instant = .now + duration
    }

    /// What is left, in whole milliseconds rounded up (for poll), or 0 when passed.
    var remainingMilliseconds: Int32 {
        let left = instant - .now
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

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
