import Glibc

extension RedisError {
    /// The error an error reply stands for. `MOVED` and `ASK` mean the server is a cluster
    /// node that wants the command sent elsewhere: reported as such, never taken as the
    /// command's answer. Long messages are cut: they can quote a command's arguments.
    static func reply(_ message: String) -> RedisError {
        let text = message.count > 300 ? String(message.prefix(300)) + "…" : message
        let code = text.prefix { $0 != " " }
        switch code {
        case "MOVED", "ASK": return .clusterRedirect(text)
        case "NOAUTH": return .authentication("\(text) (set REDIS_PASSWORD, or user:password@ in the URL)")
        case "WRONGPASS": return .authentication(text)
        default: return .server(text)
        }
    }

    /// The error for a transport failure at one step of talking to `address`.
    static func transport(_ error: TransportError, address: String, step: Step, bound: Duration) -> RedisError {
        switch (error, step) {
        case (.timedOut, .connect): return .timeout("connecting to \(address) took longer than \(milliseconds(bound))")
        case (.timedOut, .write): return .timeout("writing to \(address) took longer than \(milliseconds(bound))")
        case (.timedOut, .read): return .timeout("no reply from \(address) within \(milliseconds(bound))")
        case (.tls(let reason), .connect): return .tls("\(address): \(reason)")
        case (.closed, .connect), (.system(_, ECONNRESET), .connect):
            return .unavailable("\(address) ended the connection while it was being set up (is it a Redis server, and does it expect TLS as configured?)")
        case (.closed, _): return .unavailable("\(address) closed the connection")
        case (_, .connect): return .unavailable("cannot connect to \(address): \(error.detail)")
        default: return .unavailable("connection to \(address) failed: \(error.detail)")
        }
    }

    /// The step of a conversation that failed, for the message.
    enum Step {
        /// Connecting (TCP, TLS, AUTH, SELECT, PING), writing a command, reading its reply.
        case connect, write, read
    }

    /// `250 ms`, `2000 ms`: timeouts as configured, in one unit.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}
