/// Starts the app: turns the configuration into the HTTP server's settings, binds, and
/// serves until SIGINT/SIGTERM. The executable and the end-to-end tests both use it.
import HTTPServer
import Logging

public final class AppServer: Sendable {
    public let app: WebApp
    private let server: HTTPServer

    public init(configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) {
        app = try WebApp(configuration: configuration, logger: logger)
        var settings = ServerConfiguration()
        settings.host = configuration.host
        settings.port = configuration.port
        settings.headTimeout = configuration.headTimeout
        settings.idleTimeout = configuration.idleTimeout
        settings.maxConnections = configuration.maxConnections
        settings.trustedProxies = configuration.trustedProxies
        server = HTTPServer(configuration: settings, responder: app.responder, logger: logger)
    }

    /// Binds and starts serving in the background; returns the port (useful with PORT=0).
    @discardableResult
    public func start() throws -> Int {
        try server.start()
    }

    /// Blocks until the server has shut down (after SIGINT/SIGTERM or `shutdown()`).
    public func waitUntilStopped() {
        server.waitUntilStopped()
    }

    public func shutdown() {
        server.shutdown()
    }
}
