import Encodings

/// Where Redis is and how to talk to it: the endpoint, credentials and database from the
/// URL, plus timeouts, pool size, reconnect backoff and reply limits.
///
/// Its description is the URL without the password, so the configuration can be logged.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A host name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// TLS (`rediss://`), with certificate and host name verification.
    public var useTLS: Bool
    /// The ACL user for AUTH; nil authenticates as the default user (password only).
    public var username: String?
    /// The password for AUTH; nil sends no AUTH.
    public var password: RedisPassword?
    /// The database every connection SELECTs (0 by default).
    public var database: Int
    /// PEM file with the CA certificates to trust instead of the system's; TLS only.
    public var caFile: String?
    /// The bound for TCP connect, TLS handshake, AUTH and SELECT together.
    public var connectTimeout: Duration
    /// The bound for writing one command or pipeline.
    public var writeTimeout: Duration
    /// The bound for the whole reply to one command or pipeline, once written.
    public var readTimeout: Duration
    /// Connections open at most; more callers wait for one.
    public var maxConnections: Int
    /// How long a caller waits for a connection before `RedisError.poolExhausted`.
    public var poolWaitTimeout: Duration
    /// The pause before reconnecting after a failed connect.
    public var backoff: ReconnectBackoff
    /// What the reply parser accepts.
    public var replyLimits: RESPLimits

    /// A configuration with the defaults: 2 s to connect, 2 s to write, 2 s for a reply,
    /// 16 connections, 1 s to wait for one, so a Redis that is down or slow is reported
    /// well within the 5 s a 503 page may take.
    public init(
        host: String, port: Int = 6379, useTLS: Bool = false, username: String? = nil,
        password: RedisPassword? = nil, database: Int = 0, caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.useTLS = useTLS
        self.username = username
        self.password = password
        self.database = database
        self.caFile = caFile
        connectTimeout = .seconds(2)
        writeTimeout = .seconds(2)
        readTimeout = .seconds(2)
        maxConnections = 16
        poolWaitTimeout = .seconds(1)
        backoff = ReconnectBackoff()
        replyLimits = RESPLimits()
    }

    /// `host:port`, with IPv6 addresses in brackets: how errors name the server.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL without the password: `rediss://alice@cache.example:6380/2 (password set)`.
    public var description: String {
        let user = username.map { "\(FormURLEncoding.percentEncode($0))@" } ?? ""
        let url = "\(useTLS ? "rediss" : "redis")://\(user)\(address)/\(database)"
        var notes: [String] = []
        if password != nil { notes.append("password set") }
        if let caFile { notes.append("CA file \(caFile)") }
        return notes.isEmpty ? url : "\(url) (\(notes.joined(separator: ", ")))"
    }

    /// The same as `description`: debug output must not show the password either.
    public var debugDescription: String { description }
}
