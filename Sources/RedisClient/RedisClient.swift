import CryptoSupport

/// A blocking Redis client for worker threads: a bounded pool of connections to one server
/// (plain or TLS), each authenticated and on the configured database, with timeouts on
/// every step and reconnects with backoff. Safe to share between threads.
///
///     let redis = try RedisClient(configuration: RedisConfiguration(url: "redis://127.0.0.1:6379/0"))
///     try redis.set("greeting", Array("hello".utf8), expireAfter: .seconds(60))
///     let value = try redis.get("greeting")
///
/// Every call throws `RedisError`. Nothing retries a command on its own: whether a command
/// that timed out ran is unknown, and only the caller knows whether running it twice is safe.
public final class RedisClient: Sendable {
    /// The configuration it was made with.
    public let configuration: RedisConfiguration
    /// The connections.
    private let pool: ConnectionPool

    /// A client for `configuration`. Connects lazily, on first use. With `rediss://` it
    /// loads the trust store (or `caFile`) now, so a bad CA file stops start-up.
    public init(
        configuration: RedisConfiguration, random: any RandomSource = OpenSSLRandom(),
        clock: any RedisClock = SystemRedisClock()
    ) throws(RedisConfigurationError) {
        self.configuration = configuration
        let tls = configuration.useTLS ? try TLSContext(caFile: configuration.caFile) : nil
        pool = ConnectionPool(configuration: configuration, tls: tls, random: random, clock: clock)
    }

    /// Closes the idle connections.
    deinit { pool.close() }

    /// Sends one command; returns its reply, or throws its error reply as `RedisError.server`.
    public func execute(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        try pool.withConnection { (connection) throws(RedisError) in try connection.execute(command) }
    }

    /// Sends commands in one write on one connection and returns each reply or error reply,
    /// in order. Not a transaction: other clients' commands may run in between.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [Result<RESPValue, RedisError>] {
        try pool.withConnection { (connection) throws(RedisError) in try connection.pipeline(commands) }
    }

    /// Lends one connection to `body`, for commands that must share one (WATCH ... EXEC).
    /// The connection goes back to the pool afterwards, or is dropped if it broke.
    public func withConnection<T>(_ body: (RedisConnection) throws(RedisError) -> T) throws(RedisError) -> T {
        try pool.withConnection(body)
    }

    /// Connections idle in the pool.
    public var idleConnectionCount: Int { pool.idleCount }

    /// Closes idle connections; later calls fail with `.unavailable`.
    public func close() {
        pool.close()
    }
}
