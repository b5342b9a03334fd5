/// Starts the app: turns the configuration into the HTTP server's settings, binds, and
/// serves until SIGINT/SIGTERM. The executable and the end-to-end tests both use it.
import HTTPServer
import Logging

public final class AppServer: Sendable {
    public let app: WebApp
    private let server: HTTPServer

    public init(configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) {
        app = try WebApp(configuration: configuration, logger: logger)
        let settings = ServerConfiguration(
            host: configuration.host,
            port: configuration.port,
            headTimeout: .milliseconds(Int(configuration.headTimeout * 1000)),
            idleTimeout: .milliseconds(Int(configuration.idleTimeout * 1000)),
            maxConnections: configuration.maxConnections,
            trustedProxies: configuration.trustedProxies
        )
        server = HTTPServer(configuration: settings, responder: app.responder, logger: logger)
    }

    /// Binds and starts serving in the background; returns the port (useful with PORT=0).
    @discardableResult
    public func start() throws -> Int {
        try server.start()
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully and returns.
    public func run() throws {
        try server.run()
    }

    public func shutdown() {
        server.shutdown()
    }
}
