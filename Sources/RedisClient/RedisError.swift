/// Everything that can go wrong talking to Redis, sorted by what the caller should do about
/// it. Messages name the server and the cause; they never contain a password, a key's value
/// or session data.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis cannot be reached, or the connection broke: refused, reset, closed, DNS, or the
    /// client waits out its reconnect backoff. Transient: answer 503, retry later.
    case unavailable(String)
    /// Connecting, writing or waiting for a reply took longer than its configured bound. The
    /// connection is closed, since a late reply must never answer a later command.
    case timeout(String)
    /// Every pooled connection stayed busy for the whole wait.
    case poolExhausted(String)
    /// The server answered the command with an error reply ("WRONGTYPE ...", "NOSCRIPT ...").
    /// The connection stays usable.
    case server(String)
    /// The server refused the credentials (WRONGPASS), or wants some (NOAUTH).
    case authentication(String)
    /// The TLS handshake failed: untrusted certificate, wrong host name, no common protocol.
    case tls(String)
    /// The server sent something that is not a valid reply, or a reply of the wrong type.
    case protocolError(String)
    /// The server is a Redis Cluster node and sent the command elsewhere (`MOVED` or `ASK`).
    /// Following the redirect is not implemented; the command's answer is unknown.
    case clusterRedirect(String)

    /// True for the failures that pass by themselves (the store is down or overloaded), as
    /// opposed to a configuration or programming error.
    public var isTransient: Bool {
        switch self {
        case .unavailable, .timeout, .poolExhausted: return true
        case .server, .authentication, .tls, .protocolError, .clusterRedirect: return false
        }
    }

    /// One line for the log or a 503 page's log entry.
    public var description: String {
        switch self {
        case .unavailable(let detail): return "Redis unavailable: \(detail)"
        case .timeout(let detail): return "Redis timeout: \(detail)"
        case .poolExhausted(let detail): return "Redis connection pool exhausted: \(detail)"
        case .server(let message): return "Redis error reply: \(message)"
        case .authentication(let detail): return "Redis authentication failed: \(detail)"
        case .tls(let detail): return "Redis TLS failure: \(detail)"
        case .protocolError(let detail): return "Redis protocol error: \(detail)"
        case .clusterRedirect(let detail):
            return "Redis Cluster mode is not supported yet: the server redirected the command (\(detail))"
        }
    }
}
