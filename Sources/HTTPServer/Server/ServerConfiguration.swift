/// Everything the server can be told: where to listen, its limits and timeouts, which
/// proxies to trust and how many threads to use. Defaults follow the numbers.
public struct ServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal (`127.0.0.1`, `::`, `::1`) or a host name.
    public var host: String
    /// TCP port; 0 lets the OS pick (see `HTTPServer.boundPort`).
    public var port: Int
    /// Time a client has to send a complete request head (slowloris guard); also how long a
    /// request body may stall between reads.
    public var headTimeout: Duration
    /// Time an idle keep-alive connection is kept open.
    public var idleTimeout: Duration
    /// Open connections beyond this are answered 503 and closed.
    public var maxConnections: Int
    public var maxRequestLine: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int
    /// How long `shutdown()` waits for in-flight requests before closing what is left.
    public var shutdownGracePeriod: Duration
    /// Proxies whose X-Forwarded-For/-Proto/-Host are honoured: addresses or CIDR blocks.
    public var trustedProxies: [String]
    /// Most threads running handlers whose `mayBlock` is true.
    public var workerThreads: Int
    /// Event-loop threads; nil means one per CPU this process may use.
    public var eventLoopThreads: Int?
    /// Log one line per request at `info` level.
    public var accessLog: Bool
    /// listen(2) backlog.
    public var backlog: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 5000,
        headTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 10_000,
        maxRequestLine: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        shutdownGracePeriod: Duration = .seconds(10),
        trustedProxies: [String] = [],
        workerThreads: Int = 64,
        eventLoopThreads: Int? = nil,
        accessLog: Bool = true,
        backlog: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGracePeriod = shutdownGracePeriod
        self.trustedProxies = trustedProxies
        self.workerThreads = workerThreads
        self.eventLoopThreads = eventLoopThreads
        self.accessLog = accessLog
        self.backlog = backlog
    }

    public var parseLimits: HTTPParseLimits {
        HTTPParseLimits(
            maxRequestLine: maxRequestLine, maxHeaderBytes: maxHeaderBytes,
            maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }
}

extension Duration {
    var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds) / 1_000_000_000_000_000)
    }

    var seconds: Double { Double(milliseconds) / 1000 }
}
