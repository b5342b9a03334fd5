import DevIdentityProvider
import FoundationEssentials
import HTTPClient
import HTTPServer
import Logging
import SessionStore

/// Starts the app: turns the configuration into the HTTP server's settings, binds, and
/// serves until SIGINT/SIGTERM. The executable and the end-to-end tests both use it.
public final class AppServer: Sendable {
    /// The app the server runs.
    public let app: WebApp
    /// The HTTP server: its listener and event loops.
    private let server: HTTPServer
    /// Deletes expired session files every ten minutes.
    private let sweeper: SessionSweeper

    /// The app for `configuration`, ready to `start()`; bad settings throw naming the key.
    public convenience init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(ConfigurationError) {
        try self.init(app: WebApp(configuration: configuration, logger: logger, transport: transport, clock: clock), logger: logger)
    }

    /// As above, with the development provider's accounts, authority tenant and federated
    /// identity credential chosen by a test, and optionally fewer worker threads.
    @_spi(Testing) public convenience init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init, devUsers: [DevUser], devAuthorityTenant: String = DevIdentityProvider.tenantID,
        devFederatedCredential: DevFederatedCredential? = nil, workerThreads: Int? = nil
    ) throws(ConfigurationError) {
        try self.init(app: WebApp(configuration: configuration, logger: logger, transport: transport, clock: clock,
                                  devUsers: devUsers, devAuthorityTenant: devAuthorityTenant,
                                  devFederatedCredential: devFederatedCredential), logger: logger, workerThreads: workerThreads)
    }

    /// The server settings for an app already built.
    private init(app: WebApp, logger: Logger, workerThreads: Int? = nil) {
        self.app = app
        var settings = app.serverConfiguration
        if let workerThreads { settings.workerThreads = workerThreads }
        server = HTTPServer(configuration: settings, responder: app.responder, logger: logger)
        sweeper = SessionSweeper(store: app.sessionStore, interval: 600, logger: logger)
    }

    /// Binds, finishes the app's set-up for the bound port and starts serving in the
    /// background; returns the port (useful with PORT=0).
    @discardableResult
    public func start() throws -> Int {
        let app = app
        let port = try server.start(acceptBound: { address in try app.acceptBound(address) })
        do {
            try app.didStartListening(host: app.configuration.host, port: port)
        } catch {
            server.shutdown()
            throw error
        }
        sweeper.start(initialDelay: 5)
        return port
    }

    /// Requests a worker thread has run so far (for tests: `/graph`'s usual case needs none).
    package var workerJobsRun: Int { server.workerJobsRunCount }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully and returns.
    public func run() throws {
        try start()
        server.installSignalHandlers()
        server.waitUntilStopped()
        stopBackgroundWork()
    }

    /// Stops serving (gracefully), then the sweeper and the development provider's threads.
    public func shutdown() {
        server.shutdown()
        stopBackgroundWork()
    }

    /// What runs besides the server: the sweeper, the development provider's signing lane,
    /// the session touches still queued.
    private func stopBackgroundWork() {
        sweeper.stop()
        app.devIdentityProvider?.shutdown()
        app.sessionStore.finishBackgroundWrites()
    }
}
