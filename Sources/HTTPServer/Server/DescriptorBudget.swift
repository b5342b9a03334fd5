import Glibc

/// How many connections the descriptor limit leaves room for. Every connection is a
/// descriptor; so are session files and their locks, outbound calls to the provider, the
/// listener, the event loops' epoll and eventfd descriptors and the log. Accepting
/// connections until RLIMIT_NOFILE runs out would break sign-ins and session storage for
/// everyone, so the cap in force is MAX_CONNECTIONS or the limit minus a reserve,
/// whichever is smaller, and the server says which at start.
struct DescriptorBudget: CustomStringConvertible, Equatable {
    /// The cap in force.
    let connections: Int
    /// The configured cap (MAX_CONNECTIONS).
    let configured: Int
    /// RLIMIT_NOFILE after raising the soft limit to the hard one.
    let limit: Int
    /// Descriptors kept for everything but connections.
    let reserve: Int
    /// Connections one client may have open.
    let perClient: Int

    /// Descriptors kept besides connections: the server's own (listener, loops, log,
    /// static files, rejected connections lingering for their 503) and, per worker thread,
    /// a session file, its lock, a temporary file, and a pooled outbound handle: its
    /// connection and the socket pair libcurl keeps to wake its own poll (three more).
    static func reserve(for configuration: ServerConfiguration) -> Int {
        256 + 6 * max(1, configuration.workerThreads)
    }

    /// Raises the soft descriptor limit as far as allowed and computes the cap.
    static func connectionCap(for configuration: ServerConfiguration) throws(ServerError) -> DescriptorBudget {
        try budget(
            configured: configuration.maxConnections, limit: raiseDescriptorLimit(), reserve: reserve(for: configuration),
            perClient: configuration.effectiveMaxConnectionsPerClient)
    }

    /// The cap for a descriptor `limit`; fails when the reserve leaves nothing.
    static func budget(configured: Int, limit: Int, reserve: Int, perClient: Int) throws(ServerError) -> DescriptorBudget {
        let room = limit - reserve
        guard room >= 1 else { throw .descriptorLimitTooLow(limit: limit, reserve: reserve) }
        let connections = max(1, min(configured, room))
        return DescriptorBudget(
            connections: connections, configured: configured, limit: limit, reserve: reserve, perClient: min(perClient, connections))
    }

    /// 10,000 connections need more descriptors than the usual soft limit of 1,024: the
    /// soft limit goes up to the hard one. Returns the limit in force.
    private static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int(FOPEN_MAX) }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The start-up line.
    var description: String {
        let why = connections < configured
            ? "MAX_CONNECTIONS is \(configured), but the descriptor limit is \(limit) and \(reserve) are kept for sessions, outbound calls and the server's own files"
            : "MAX_CONNECTIONS; descriptor limit \(limit), \(reserve) kept for sessions, outbound calls and the server's own files"
        return "Accepting up to \(connections) connections, \(perClient) per client (\(why))"
    }
}
