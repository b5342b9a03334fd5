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
            if isFresh(connection, now: now) { return connection }
            discarded.append(connection)
        }
        return nil
    }

    /// `checkOut` for a thread that must not wait for the lock (an event loop): nil when
    /// another thread holds it just now, as when no connection is idle. A stale one it takes
    /// is closed, and the caller goes the blocking way, which connects afresh.
    func checkOutAtOnce(origin: String) -> CurlConnection? {
        guard let connection = idle.withLockIfAvailable({ $0[origin]?.popLast() }) ?? nil else { return nil }
        return isFresh(connection, now: MonotonicClock.coarseMilliseconds()) ? connection : nil
    }

    /// Idle for less than the limit, and neither closed nor sent to by the server.
    private func isFresh(_ connection: CurlConnection, now: UInt64) -> Bool {
        now &- connection.idleSince <= idleLimit && connection.isReusable
    }

    /// Keeps `connection` for the next call to its origin, or closes it when the pool is full.
    /// An event loop calls it too (a call it drove is over): the lock is only ever held for
    /// an array operation, never across a system call, as the loop's own task queue's is.
    func checkIn(_ connection: CurlConnection) {
        connection.idleSince = MonotonicClock.coarseMilliseconds()
        // When the pool is full the connection is not kept and closes as the caller lets go.
        idle.withLock { idle in
            guard idle.values.reduce(0, { $0 + $1.count }) < capacity else { return }
            idle[connection.origin, default: []].append(connection)
        }
    }
}
