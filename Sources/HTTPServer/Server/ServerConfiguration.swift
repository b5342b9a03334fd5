import Logging

/// Everything the server can be told: where to listen, its limits and timeouts, which
/// proxies to trust and how many threads to use. Every limit a client can push against has
/// a default here and a clear answer when it is reached.
public struct ServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal (`127.0.0.1`, `::`, `::1`) or a host name.
    public var host: String
    /// TCP port; 0 lets the OS pick (see `HTTPServer.boundPort`).
    public var port: Int
    /// Time a client has to send a complete request head, counted from its first byte (or
    /// from the connection's start for its first request), never renewed per byte
    /// (slowloris). A body gets this much more time after its head, plus its size at
    /// `minimumBodyRate`; then 408 and close.
    public var headTimeout: Duration
    /// Time an idle keep-alive connection is kept open. Empty lines do not renew it.
    public var idleTimeout: Duration
    /// Open connections beyond this are answered 503 and closed. The server may allow fewer
    /// when the descriptor limit (RLIMIT_NOFILE) is lower; it logs the cap it uses.
    public var maxConnections: Int
    /// Open connections one client address may have (IPv6: one /64); beyond it, 503 and
    /// close, so one host cannot take every slot. Trusted proxies are exempt (they carry
    /// many clients). Nil means 256, or a quarter of `maxConnections` when that is smaller.
    public var maxConnectionsPerClient: Int?
    /// Longest request line in bytes; beyond it: 414.
    public var maxRequestLine: Int
    /// Largest header block in bytes; beyond it: 431.
    public var maxHeaderBytes: Int
    /// Most header fields; beyond it: 431.
    public var maxHeaderCount: Int
    /// Largest body any route may accept (routes declare smaller limits, see `RouteKind`).
    public var maxBodyBytes: Int
    /// The slowest body upload allowed, in bytes per second: a body's deadline is
    /// `headTimeout` after its head plus its size (Content-Length, or the route's limit for
    /// a chunked body) at this rate.
    public var minimumBodyRate: Int
    /// Response bytes one connection may have waiting for its client: past this, the
    /// server answers no further pipelined request of that connection (and reads none)
    /// until the client has read what is waiting.
    public var maxPendingOutputPerConnection: Int
    /// Response bytes all connections together may have waiting for their clients: past
    /// this, connections that already have output waiting get no further response until
    /// theirs is read; a connection with nothing waiting is still answered.
    public var maxPendingOutputTotal: Int
    /// How long `shutdown()` waits for in-flight requests before closing what is left.
    public var shutdownGracePeriod: Duration
    /// Proxies whose X-Forwarded-For/-Proto/-Host are honoured: addresses or CIDR blocks.
    public var trustedProxies: [String]
    /// Most threads running handlers of `.blocking` routes.
    public var workerThreads: Int
    /// Requests of `.blocking` routes that may wait for a worker thread; beyond it, 503
    /// with Retry-After.
    public var workerQueueCapacity: Int
    /// Event-loop threads; nil means one per CPU this process may use.
    public var eventLoopThreads: Int?
    /// Log one line per request at `info` level.
    public var accessLog: Bool
    /// listen(2) backlog.
    public var backlog: Int

    /// The defaults suit a single machine serving browsers directly or behind a proxy.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5000,
        headTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 10_000,
        maxConnectionsPerClient: Int? = nil,
        maxRequestLine: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        minimumBodyRate: Int = 8 * 1024,
        maxPendingOutputPerConnection: Int = 256 * 1024,
        maxPendingOutputTotal: Int = 32 * 1024 * 1024,
        shutdownGracePeriod: Duration = .seconds(10),
        trustedProxies: [String] = [],
        workerThreads: Int = 64,
        workerQueueCapacity: Int = 1024,
        eventLoopThreads: Int? = nil,
        accessLog: Bool = true,
        backlog: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.minimumBodyRate = minimumBodyRate
        self.maxPendingOutputPerConnection = maxPendingOutputPerConnection
        self.maxPendingOutputTotal = maxPendingOutputTotal
        self.shutdownGracePeriod = shutdownGracePeriod
        self.trustedProxies = trustedProxies
        self.workerThreads = workerThreads
        self.workerQueueCapacity = workerQueueCapacity
        self.eventLoopThreads = eventLoopThreads
        self.accessLog = accessLog
        self.backlog = backlog
    }

    /// The parser's limits.
    public var parseLimits: HTTPParseLimits {
        HTTPParseLimits(
            maxRequestLine: maxRequestLine, maxHeaderBytes: maxHeaderBytes,
            maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }

    /// Whether requests are access-logged to `logger`: decided once per server, since
    /// measuring durations and formatting lines costs even when nothing is logged.
    package func logsAccess(to logger: Logger) -> Bool {
        accessLog && logger.logLevel <= .info
    }

    /// `maxConnectionsPerClient`, or its default for `maxConnections`.
    public var effectiveMaxConnectionsPerClient: Int {
        maxConnectionsPerClient ?? min(256, max(1, maxConnections / 4))
    }
}

extension Duration {
    /// Whole milliseconds, at least 0.
    var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds) / 1_000_000_000_000_000)
    }

    /// Seconds as a Double.
    var seconds: Double { Double(milliseconds) / 1000 }
}
