import CryptoSupport
import Dispatch
import Synchronization

/// At most `maxConnections` connections, lent out one caller at a time. A caller waits up
/// to `poolWaitTimeout` for one to be free, then gets `RedisError.poolExhausted`.
///
/// After a failed connect the pool waits out a backoff (`ReconnectBackoff`) before it
/// tries again, and only one caller makes that attempt: the others fail at once with the
/// last failure, so a Redis that is down costs each request microseconds, not a connect
/// timeout, and recovers by itself once it is back.
final class ConnectionPool: Sendable {
    /// Server, timeouts, pool size and backoff.
    private let configuration: RedisConfiguration
    /// Set for rediss://.
    private let tls: TLSContext?
    /// Jitter for the backoff.
    private let random: any RandomSource
    /// When the backoff is over.
    private let clock: any RedisClock
    /// One permit per connection that may exist, idle or lent out or being opened.
    private let permits: DispatchSemaphore
    /// Idle connections and the backoff, under one lock.
    private let state = Mutex(State())

    /// What the lock guards.
    private struct State: ~Copyable {
        /// Connections waiting to be lent, the most recently used last.
        var idle: [RedisConnection] = []
        /// Failed connects since the last one that worked.
        var consecutiveFailures = 0
        /// No new connect before this, after a failure.
        var retryAt: ContinuousClock.Instant?
        /// A caller is making the one connect attempt after the backoff.
        var probing = false
        /// Why the last connect failed, repeated while the backoff lasts.
        var lastFailure: RedisError?
        /// Set by `close()`.
        var isClosed = false
    }

    /// What a caller that holds a permit does next.
    private enum Plan {
        /// Lend this idle connection.
        case reuse(RedisConnection)
        /// Open a new connection.
        case connect
        /// Fail now: closed, or backing off.
        case refuse(RedisError)
    }

    /// A pool for `configuration`; `tls` is set for rediss://.
    init(configuration: RedisConfiguration, tls: TLSContext?, random: any RandomSource, clock: any RedisClock) {
        self.configuration = configuration
        self.tls = tls
        self.random = random
        self.clock = clock
        permits = DispatchSemaphore(value: max(1, configuration.maxConnections))
    }

    /// Lends a connection to `body` and takes it back afterwards (dropping it if it broke).
    func withConnection<T>(_ body: (RedisConnection) throws(RedisError) -> T) throws(RedisError) -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Connections waiting in the pool, for tests and statistics.
    var idleCount: Int { state.withLock { $0.idle.count } }

    /// Closes idle connections and refuses new work; connections lent out close when returned.
    func close() {
        let idle = state.withLock { state in
            state.isClosed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.close() }
    }

    /// Takes a permit (waiting up to `poolWaitTimeout`) and a connection.
    private func checkOut() throws(RedisError) -> RedisConnection {
        let wait = configuration.poolWaitTimeout.components
        let nanoseconds = Int(clamping: wait.seconds * 1_000_000_000 + wait.attoseconds / 1_000_000_000)
        guard permits.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else {
            throw .poolExhausted(
                "all \(configuration.maxConnections) connections to \(configuration.address) stayed busy for \(RedisError.milliseconds(configuration.poolWaitTimeout))")
        }
        do {
            return try obtain()
        } catch {
            permits.signal()
            throw error
        }
    }

    /// Keeps a healthy connection for the next caller, closes a broken one, returns the permit.
    private func checkIn(_ connection: RedisConnection) {
        let keep = !connection.isBroken && state.withLock { state in
            if state.isClosed { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close() }
        permits.signal()
    }

    /// A healthy idle connection, or a new one unless the backoff says not yet. An idle
    /// connection is checked (a poll) after it left the lock, so checks never make other
    /// callers wait; a stale one is closed and the next one tried.
    private func obtain() throws(RedisError) -> RedisConnection {
        while true {
            switch plan() {
            case .reuse(let connection):
                if connection.isReusable() { return connection }
                connection.close()
            case .refuse(let error):
                throw error
            case .connect:
                return try connect()
            }
        }
    }

    /// Opens a new connection, ending the backoff when it works and lengthening it when not.
    private func connect() throws(RedisError) -> RedisConnection {
        do {
            let connection = try RedisConnection.open(configuration, tls: tls)
            state.withLock { state in
                state.consecutiveFailures = 0
                state.retryAt = nil
                state.probing = false
                state.lastFailure = nil
            }
            return connection
        } catch {
            recordFailure(error)
            throw error
        }
    }

    /// Decides under the lock: the most recently used idle connection, a connect, or a refusal.
    private func plan() -> Plan {
        state.withLock { state -> Plan in
            if state.isClosed { return .refuse(.unavailable("the Redis client for \(configuration.address) is closed")) }
            if let connection = state.idle.popLast() { return .reuse(connection) }
            if let retryAt = state.retryAt {
                let now = clock.now()
                if now < retryAt || state.probing {
                    return .refuse(Self.backingOff(state.lastFailure, retryIn: max(.zero, retryAt - now)))
                }
                state.probing = true
            }
            return .connect
        }
    }

    /// Starts (or lengthens) the backoff after a failed connect.
    private func recordFailure(_ error: RedisError) {
        state.withLock { state in
            state.consecutiveFailures += 1
            state.retryAt = clock.now() + configuration.backoff.delay(afterFailures: state.consecutiveFailures, random: random)
            state.probing = false
            state.lastFailure = error
        }
    }

    /// The last connect failure, repeated while the backoff lasts. A timeout becomes
    /// "unavailable": this answer is immediate, and nothing timed out this time.
    private static func backingOff(_ last: RedisError?, retryIn: Duration) -> RedisError {
        let note = " (not retrying for another \(RedisError.milliseconds(retryIn)))"
        switch last {
        case .authentication(let detail): return .authentication(detail + note)
        case .tls(let detail): return .tls(detail + note)
        case .server(let detail): return .server(detail + note)
        case .protocolError(let detail): return .protocolError(detail + note)
        case .unavailable(let detail), .timeout(let detail), .poolExhausted(let detail), .clusterRedirect(let detail):
            return .unavailable(detail + note)
        case nil: return .unavailable("the last connect failed" + note)
        }
    }
}
