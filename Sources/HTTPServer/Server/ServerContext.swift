import Logging
import Synchronization

/// What every event loop shares: configuration, the responder, the logger, trusted
/// proxies, the worker pool, the connection counts (total and per client), the response
/// bytes waiting across all connections, and whether we are shutting down.
final class ServerContext: Sendable {
    /// What the server was told.
    let configuration: ServerConfiguration
    /// Finds each request's route.
    let responder: any HTTPResponder
    /// The server's log.
    let logger: Logger
    /// Peers whose forwarded headers are believed.
    let proxies: TrustedProxies
    /// Threads for `.blocking` routes.
    let workers: WorkerPool
    /// The parser's limits.
    let limits: HTTPParseLimits
    /// `headTimeout` in milliseconds (at least 1).
    let headTimeoutMs: UInt64
    /// `idleTimeout` in milliseconds (at least 1).
    let idleTimeoutMs: UInt64
    /// Bytes per second a body must at least arrive at (see `ServerConfiguration`).
    let minimumBodyRate: UInt64
    /// The connection cap in force: MAX_CONNECTIONS, or fewer when descriptors are short.
    let maxConnections: Int
    /// Response bytes one connection may have waiting before it is paused.
    let maxPendingOutputPerConnection: Int
    /// Response bytes all connections may have waiting before those with some are paused.
    let maxPendingOutputTotal: Int
    /// Connections per client address.
    let clients: ClientConnectionTable
    /// Decided once: measuring durations and formatting lines costs even when not logged.
    let accessLogEnabled: Bool

    /// Admitted connections open now.
    private let openConnections = Atomic<Int>(0)
    /// Response bytes held across connections, as each loop last reported them.
    private let bufferedOutput = Atomic<Int>(0)
    /// Shutdown has begun.
    private let stopping = Atomic<Bool>(false)

    /// - Parameters:
    ///   - maxConnections: the connection cap in force (see `HTTPServer.connectionCap`).
    ///   - startThread: how worker threads are started (tests inject failures).
    init(
        configuration: ServerConfiguration, responder: any HTTPResponder, logger: Logger, maxConnections: Int,
        startThread: WorkerPool.ThreadStarter? = nil
    ) throws {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.proxies = try TrustedProxies(configuration.trustedProxies)
        self.workers = WorkerPool(
            maxThreads: configuration.workerThreads, capacity: configuration.workerQueueCapacity, logger: logger,
            startThread: startThread)
        self.limits = configuration.parseLimits
        self.headTimeoutMs = max(1, configuration.headTimeout.milliseconds)
        self.idleTimeoutMs = max(1, configuration.idleTimeout.milliseconds)
        self.minimumBodyRate = UInt64(max(1, configuration.minimumBodyRate))
        self.maxConnections = maxConnections
        self.maxPendingOutputPerConnection = max(1, configuration.maxPendingOutputPerConnection)
        self.maxPendingOutputTotal = max(1, configuration.maxPendingOutputTotal)
        self.clients = ClientConnectionTable(limit: configuration.effectiveMaxConnectionsPerClient)
        self.accessLogEnabled = configuration.logsAccess(to: logger)
    }

    /// True once shutdown has begun.
    var isShuttingDown: Bool { stopping.load(ordering: .relaxed) }

    /// Marks the start of shutdown; true for the caller that started it.
    func beginShutdown() -> Bool {
        !stopping.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Connections open now, across all loops.
    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Whether a new connection may stay, and what it counts against.
    enum Admission {
        /// Counted; `client` is the per-client entry to release when it closes (nil for
        /// trusted proxies and unknown peers, which are only counted in the total).
        case admitted(client: ClientConnectionTable.Key?)
        /// The server is at its connection cap.
        case serverFull
        /// This client is at its own cap.
        case clientFull
    }

    /// Claims a connection slot for a client at `peer`.
    func admit(_ peer: IPAddress?) -> Admission {
        guard reserveConnection() else { return .serverFull }
        guard let peer, !proxies.contains(peer) else { return .admitted(client: nil) }
        let key = ClientConnectionTable.Key(peer)
        guard clients.claim(key) else {
            releaseConnection()
            return .clientFull
        }
        return .admitted(client: key)
    }

    /// An admitted connection has closed.
    func release(client: ClientConnectionTable.Key?) {
        if let client { clients.release(client) }
        releaseConnection()
    }

    /// Claims a slot in the total; false when the cap is reached.
    private func reserveConnection() -> Bool {
        var current = openConnections.load(ordering: .relaxed)
        while current < maxConnections {
            let (exchanged, original) = openConnections.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives a slot in the total back.
    private func releaseConnection() {
        openConnections.subtract(1, ordering: .relaxed)
    }

    /// Response bytes held for clients across every connection, as last reported.
    var bufferedOutputBytes: Int { bufferedOutput.load(ordering: .relaxed) }

    /// A connection's held response bytes changed by `delta`.
    func addBufferedOutput(_ delta: Int) {
        bufferedOutput.add(delta, ordering: .relaxed)
    }
}
