import FoundationEssentials
import HTTPClient
import HTTPServer
import Logging
import OIDC
import SessionStore

/// The app: configuration, templates, the session store, the identity provider and the
/// routes, assembled into the responder the server runs.
public final class WebApp: Sendable {
    public let configuration: AppConfiguration
    public let responder: any HTTPResponder
    public let sessionStore: any SessionStore
    /// The embedded development identity provider, when it is on.
    public let devIdentityProvider: DevIdentityProvider?
    let pages: PageRenderer
    let identitySlot = IdentitySlot()
    let identityFactory: IdentityFactory
    let logger: Logger

    /// Templates every route relies on; checked at start-up so a missing file fails fast.
    static let requiredTemplates = [
        "layout", "index", "configuration", "error", "not-found", "login", "graph", "admin", "forbidden", "dev-idp-authorize",
    ]

    /// - Parameters:
    ///   - transport: outbound HTTP to the provider and Graph (libcurl in production).
    ///   - clock: the time sessions and tokens are judged by.
    ///   - devUsers: the development provider's accounts (tests use their own).
    public init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init, devUsers: [DevUser]? = nil
    ) throws(ConfigurationError) {
        let pages = try PageRenderer(directory: configuration.templatesDirectory,
                                     devIdentityProvider: configuration.devIdentityProvider,
                                     microsoftGraph: configuration.usesMicrosoftGraph)
        for name in Self.requiredTemplates where !pages.has(name) {
            throw ConfigurationError(key: "TEMPLATES_DIR", reason: "has no \(name).mustache")
        }
        guard FileManager.default.fileExists(atPath: configuration.publicDirectory) else {
            throw ConfigurationError(key: "PUBLIC_DIR", reason: "\(configuration.publicDirectory) does not exist")
        }
        if configuration.devIdentityProvider && !Self.isLoopback(configuration.host) {
            throw ConfigurationError(key: "HOST", reason: "must be a loopback address (127.0.0.1, ::1 or localhost) while the development identity provider is on; it has demo users anyone could sign in as")
        }
        let policy = SessionPolicy(
            idleTimeout: configuration.sessionIdleTimeout, absoluteLifetime: configuration.sessionLifetime,
            touchInterval: min(60, configuration.sessionIdleTimeout / 2))
        do {
            sessionStore = try FileSessionStore(directory: configuration.sessionDirectory, policy: policy, clock: clock,
                                                logger: logger)
        } catch {
            throw ConfigurationError(key: "SESSION_DIR", reason: "cannot be used: \(error)")
        }
        do {
            devIdentityProvider = configuration.devIdentityProvider ? try DevIdentityProvider(pages: pages, users: devUsers ?? DevUser.demoUsers, clock: clock) : nil
        } catch {
            throw ConfigurationError(key: "DEV_IDP", reason: "could not make its signing key: \(error)")
        }
        self.configuration = configuration
        self.pages = pages
        self.logger = logger
        identityFactory = IdentityFactory(configuration: configuration, devProvider: devIdentityProvider,
                                          transport: transport ?? CurlTransport(), clock: clock, logger: logger)

        let context = AppContext(configuration: configuration, pages: pages,
                                 sessions: SessionAccess(store: sessionStore, clock: clock),
                                 identitySlot: identitySlot, logger: logger)
        let router = Router()
        router.setNotFound { _ in pages.render("not-found", status: .notFound) }
        router.mount("/static/", StaticFiles(directory: configuration.publicDirectory, prefix: "/static/"))
        if let devIdentityProvider { router.mount(DevIdentityProvider.pathPrefix, devIdentityProvider) }
        HealthRoutes.register(on: router)
        IndexRoutes(app: context).register(on: router)
        SignInRoutes(app: context).register(on: router, redirectPath: configuration.redirectURI?.path ?? IdentityFactory.defaultRedirectPath)
        GraphRoutes(app: context).register(on: router)
        AdminRoutes(app: context).register(on: router)
        SignOutRoutes(app: context).register(on: router)
        responder = ErrorBoundary(inner: router, pages: pages, logger: logger)
    }

    /// Finishes set-up once the server listens: the redirect URI and the development
    /// provider's address may depend on the port the system picked.
    public func didStartListening(host: String, port: Int) throws(ConfigurationError) {
        let identity = try identityFactory.make(boundHost: host, boundPort: port)
        identitySlot.set(identity)
        if let devIdentityProvider, let identity {
            logger.warning("""
                DEVELOPMENT IDENTITY PROVIDER ON: anyone who can reach \(identity.origin) can sign in as a demo user. \
                Demo users: \(devIdentityProvider.users.map(\.username).joined(separator: ", ")). \
                Set CLIENT_ID, CLIENT_SECRET and AUTHORITY in .env to use Microsoft Entra ID.
                """)
        } else if identity == nil {
            logger.warning("No identity provider configured: set \(configuration.missingIdentityKeys.joined(separator: ", ")) in .env, or start with --dev-idp")
        }
        if let identity { logger.info("Open \(identity.origin)/ in a browser; redirect URI \(identity.redirectURI)") }
    }

    /// The current sign-in set-up (nil before the server listens or without a provider).
    public var identity: Identity? { identitySlot.current }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
