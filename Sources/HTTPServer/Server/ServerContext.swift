import Logging
import Synchronization

/// What every event loop shares: configuration, the responder, the logger, trusted
/// proxies, the worker pool, the connection count and whether we are shutting down.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let proxies: TrustedProxies
    let workers: WorkerPool
    let limits: HTTPParseLimits
    let headTimeoutMs: UInt64
    let idleTimeoutMs: UInt64
    /// Decided once: measuring durations and formatting lines costs even when not logged.
    let accessLogEnabled: Bool

    private let openConnections = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    init(configuration: ServerConfiguration, responder: any HTTPResponder, logger: Logger) throws {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.proxies = try TrustedProxies(configuration.trustedProxies)
        self.workers = WorkerPool(maxThreads: configuration.workerThreads)
        self.limits = configuration.parseLimits
        self.headTimeoutMs = max(1, configuration.headTimeout.milliseconds)
        self.idleTimeoutMs = max(1, configuration.idleTimeout.milliseconds)
        self.accessLogEnabled = configuration.accessLog && logger.logLevel <= .info
    }

    var isShuttingDown: Bool { stopping.load(ordering: .relaxed) }

    func beginShutdown() -> Bool {
        !stopping.exchange(true, ordering: .acquiringAndReleasing)
    }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Claims a connection slot; false when the cap is reached.
    func reserveConnection() -> Bool {
        var current = openConnections.load(ordering: .relaxed)
        while current < configuration.maxConnections {
            let (exchanged, original) = openConnections.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func releaseConnection() {
        openConnections.subtract(1, ordering: .relaxed)
    }
}
