import Foundation
import RedisClient

/// A real `redis-server` for a test: on 127.0.0.1 with free ports, in its own temporary
/// directory, optionally with TLS (throw-away CA), passwords and append-only persistence.
/// It can be stopped, killed and restarted in place (same ports, same data directory).
///
/// Redis runs under a small shell watchdog whose stdin is a pipe from the test process:
/// when the test process ends, however it ends (even kill -9), the pipe closes and the
/// watchdog stops Redis, so no server outlives the tests.
public final class RedisServer: @unchecked Sendable {
    /// How it was set up.
    public let options: RedisServerOptions
    /// Its data directory (redis.conf, redis.log, the append-only files).
    public let directory: String
    /// The plain TCP port on 127.0.0.1.
    public private(set) var port = 0
    /// The TLS port, when `options.tls`.
    public private(set) var tlsPort: Int?
    /// The CA whose certificate clients must trust for TLS.
    public let certificateAuthority: TestCertificateAuthority?
    /// The server's TLS certificate and key.
    private let certificate: TestCertificateAuthority.ServerCertificate?
    /// The redis-server binary.
    private let executable: String
    /// Guards `running`.
    private let lock = NSLock()
    /// The current run; nil while stopped.
    private var running: RunningRedis?

    /// Starts a server; throws with its log when it does not come up.
    public static func start(_ options: RedisServerOptions = RedisServerOptions()) throws -> RedisServer {
        let server = try RedisServer(options: options)
        try server.launchOnFreePorts()
        return server
    }

    /// Finds redis-server, makes the directory and, for TLS, the certificates.
    private init(options: RedisServerOptions) throws {
        guard let executable = Command.find("redis-server") else {
            throw RedisHarnessError("redis-server is not installed: `make test` installs Debian's redis-server (or: apt-get install redis-server)")
        }
        self.executable = executable
        self.options = options
        directory = try TemporaryDirectory.make()
        if options.tls {
            let authority = try TestCertificateAuthority(directory: directory)
            certificateAuthority = authority
            certificate = try authority.issueServerCertificate(for: options.certificateNames)
        } else {
            certificateAuthority = nil
            certificate = nil
        }
    }

    /// Stops Redis and removes its directory.
    deinit {
        running?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `redis://[user:password@]127.0.0.1:port/db` (user and password percent-encoded).
    public func url(database: Int = 0, username: String? = nil, password: String? = nil) -> String {
        "redis://\(Self.userInfo(username, password))127.0.0.1:\(port)/\(database)"
    }

    /// `rediss://[user:password@]host:tlsPort/db`; `host` must resolve to 127.0.0.1.
    public func tlsURL(host: String = "localhost", database: Int = 0, username: String? = nil, password: String? = nil) -> String {
        "rediss://\(Self.userInfo(username, password))\(host):\(tlsPort ?? 0)/\(database)"
    }

    /// A client configuration for this server: plain, or TLS trusting the test CA.
    public func configuration(tls: Bool = false, host: String? = nil, database: Int = 0, username: String? = nil, password: String? = nil) throws -> RedisConfiguration {
        if tls {
            return try RedisConfiguration(
                url: tlsURL(host: host ?? "localhost", database: database, username: username),
                password: password, caFile: certificateAuthority?.certificateFile)
        }
        return try RedisConfiguration(url: "redis://\(Self.userInfo(username, nil))\(host ?? "127.0.0.1"):\(port)/\(database)", password: password)
    }

    /// True while redis-server runs.
    public var isRunning: Bool { lock.withLock { running?.isRunning ?? false } }

    /// The process id of redis-server, while it runs.
    public var pid: Int32? { lock.withLock { running?.isRunning == true ? running?.redisPID : nil } }

    /// Stops Redis the way an operator would (SIGTERM: it flushes the append-only file and
    /// exits) and waits until it has.
    public func stop() {
        let current = lock.withLock { defer { running = nil }; return running }
        current?.stop()
    }

    /// Kills Redis with SIGKILL: no chance to write anything more.
    public func kill() {
        let current = lock.withLock { defer { running = nil }; return running }
        current?.kill()
    }

    /// Starts Redis again on the same ports and directory (after `stop` or `kill`); with
    /// append-only persistence the data is back.
    public func restart() throws {
        stop()
        try launch()
    }

    /// Runs `redis-cli` against the plain port with these arguments and returns its output.
    public func cli(_ arguments: [String], password: String? = nil) throws -> String {
        guard let cli = Command.find("redis-cli") else { throw RedisHarnessError("redis-cli is not installed") }
        var prefix = ["-h", "127.0.0.1", "-p", String(port)]
        if let password { prefix += ["--no-auth-warning", "-a", password] }
        return try Command.check(cli, prefix + arguments)
    }

    /// The server's log so far.
    public var log: String { (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? "" }

    /// Tries fresh ports until Redis binds them (someone may take a port between the pick
    /// and Redis's bind).
    private func launchOnFreePorts() throws {
        var lastError: Error?
        for _ in 0..<5 {
            port = try Loopback.freePort()
            tlsPort = nil
            if options.tls {
                var candidate = try Loopback.freePort()
                while candidate == port { candidate = try Loopback.freePort() }
                tlsPort = candidate
            }
            do {
                try launch()
                return
            } catch let error as PortTaken {
                lastError = error
            }
        }
        throw RedisHarnessError("redis-server found no free port: \(lastError.map { "\($0)" } ?? "")")
    }

    /// Writes redis.conf for the current ports and starts a run.
    private func launch() throws {
        let file = directory + "/redis.conf"
        try options.configurationFile(
            directory: directory, port: port, tlsPort: tlsPort, certificate: certificate,
            caFile: certificateAuthority?.certificateFile
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let started = try RunningRedis(executable: executable, configurationFile: file, directory: directory)
        try started.waitUntilReady()
        lock.withLock { running = started }
    }

    /// `user:password@`, percent-encoded, or nothing.
    private static func userInfo(_ username: String?, _ password: String?) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let user = username?.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        guard let password else { return user.isEmpty ? "" : user + "@" }
        return user + ":" + password.addingPercentEncoding(withAllowedCharacters: allowed)! + "@"
    }
}

/// Redis could not bind its port: another process took it.
struct PortTaken: Error, CustomStringConvertible {
    /// Redis's log lines about it.
    let description: String
}
