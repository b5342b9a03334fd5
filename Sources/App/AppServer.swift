import FoundationEssentials
import HTTPClient
import HTTPServer
import Logging
import SessionStore

/// Starts the app: turns the configuration into the HTTP server's settings, binds, and
/// serves until SIGINT/SIGTERM. The executable and the end-to-end tests both use it.
public final class AppServer: Sendable {
    public let app: WebApp
    private let server: HTTPServer
    private let sweeper: SessionSweeper

    public init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init, devUsers: [DevUser]? = nil
    ) throws(ConfigurationError) {
        app = try WebApp(configuration: configuration, logger: logger, transport: transport, clock: clock, devUsers: devUsers)
        let settings = ServerConfiguration(
            host: configuration.host,
            port: configuration.port,
            headTimeout: .milliseconds(Int(configuration.headTimeout * 1000)),
            idleTimeout: .milliseconds(Int(configuration.idleTimeout * 1000)),
            maxConnections: configuration.maxConnections,
            maxConnectionsPerClient: configuration.maxConnectionsPerClient,
            trustedProxies: configuration.trustedProxies
        )
        server = HTTPServer(configuration: settings, responder: app.responder, logger: logger)
        sweeper = SessionSweeper(store: app.sessionStore, interval: 600, logger: logger)
    }

    /// Binds, finishes the app's set-up for the bound port and starts serving in the
    /// background; returns the port (useful with PORT=0).
    @discardableResult
    public func start() throws -> Int {
        let port = try server.start()
        do {
            try app.didStartListening(host: app.configuration.host, port: port)
        } catch {
            server.shutdown()
            throw error
        }
        sweeper.start(initialDelay: 5)
        return port
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully and returns.
    public func run() throws {
        try start()
        server.installSignalHandlers()
        server.waitUntilStopped()
        sweeper.stop()
    }

    public func shutdown() {
        server.shutdown()
        sweeper.stop()
    }
}
