import ThreadSupport

/// Idle kept-alive connections, by origin, so the next call to the same provider or Graph
/// skips the TCP and TLS handshakes. Bounded in number (each connection holds descriptors)
/// and in idle time (servers drop idle connections; a stale one costs a failed request).
final class ConnectionPool: Sendable {
    /// Idle connections by origin, most recently returned last. Every worker takes the lock
    /// twice per call: a `Locked`, which sleeps rather than spins when contended.
    private let idle = Locked<[String: [CurlConnection]]>([:])
    /// How many connections may wait, over all origins.
    private let capacity: Int
    /// Connections idle longer than this are closed instead of reused (milliseconds).
    private let idleLimit: UInt64

    /// A pool of at most `capacity` idle connections, each reused for up to `idleLimit` seconds.
    init(capacity: Int, idleLimit: Double = 50) {
        self.capacity = capacity
        self.idleLimit = UInt64(idleLimit * 1000)
    }

    /// The most recently returned connection to `origin` that is still open, if any. Stale
    /// ones met on the way are closed (outside the lock: closing is a system call).
    func checkOut(origin: String) -> CurlConnection? {
        let now = MonotonicClock.coarseMilliseconds()
        var discarded: [CurlConnection] = []
        defer { discarded.removeAll() }
        while let connection = idle.withLock({ $0[origin]?.popLast() }) {
            if now &- connection.idleSince <= idleLimit, connection.isReusable { return connection }
            discarded.append(connection)
        }
        return nil
    }

    /// Keeps `connection` for the next call to its origin, or closes it when the pool is full.
    func checkIn(_ connection: CurlConnection) {
        connection.idleSince = MonotonicClock.coarseMilliseconds()
        // When the pool is full the connection is not kept and closes as the caller lets go.
        idle.withLock { idle in
            guard idle.values.reduce(0, { $0 + $1.count }) < capacity else { return }
            idle[connection.origin, default: []].append(connection)
        }
    }
}
