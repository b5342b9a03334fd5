import DevIdentityProvider
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
    /// How routes reach sessions (and the token caches decoded for them).
    let sessions: SessionAccess
    let pages: PageRenderer
    let identitySlot = IdentitySlot()
    let identityFactory: IdentityFactory
    /// The development provider, when it is on.
    let dev: DevIdentityWiring?
    let logger: Logger

    /// The embedded development identity provider, when it is on.
    public var devIdentityProvider: DevIdentityProvider? { dev?.provider }

    /// Templates every route relies on; checked at start-up so a missing file fails fast.
    /// The development provider's own come on top only when it is on.
    static let requiredTemplates = [
        "layout", "index", "configuration", "error", "not-found", "graph", "admin", "forbidden", "logout",
    ]

    /// - Parameters:
    ///   - transport: outbound HTTP to the provider and Graph (libcurl in production).
    ///   - clock: the time sessions and tokens are judged by.
    public convenience init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(ConfigurationError) {
        try self.init(configuration: configuration, logger: logger, transport: transport, clock: clock,
                      devUsers: DevUser.demoUsers, devAuthorityTenant: DevIdentityProvider.tenantID)
    }

    /// As above, with the development provider's accounts, authority tenant and federated
    /// identity credential chosen by a test.
    @_spi(Testing) public init(
        configuration: AppConfiguration, logger: Logger, transport: (any HTTPTransport)?,
        clock: @escaping @Sendable () -> Date, devUsers: [DevUser], devAuthorityTenant: String,
        devFederatedCredential: DevFederatedCredential? = nil
    ) throws(ConfigurationError) {
        let pages = try PageRenderer(directory: configuration.templatesDirectory,
                                     devIdentityProvider: configuration.devIdentityProvider,
                                     microsoftGraph: configuration.usesMicrosoftGraph)
        let templates = Self.requiredTemplates + (configuration.devIdentityProvider ? DevIdentityWiring.templates : [])
        for name in templates where !pages.has(name) {
            throw ConfigurationError(key: "TEMPLATES_DIR", reason: "has no \(name).mustache")
        }
        guard FileManager.default.fileExists(atPath: configuration.publicDirectory) else {
            throw ConfigurationError(key: "PUBLIC_DIR", reason: "\(configuration.publicDirectory) does not exist")
        }
        let dev = try DevIdentityWiring.make(configuration: configuration, pages: pages, users: devUsers,
                                             authorityTenant: devAuthorityTenant, federatedCredential: devFederatedCredential,
                                             clock: clock, logger: logger)
        // Checked before the session directory is touched: a bad setting changes nothing on disk.
        let tls = try configuration.outboundTLS()
        identityFactory = try IdentityFactory(configuration: configuration, dev: dev,
                                              transport: transport ?? CurlTransport(options: .init(tls: tls)), clock: clock, logger: logger)
        for line in [OutboundTrustSettings.describe(configuration), OutboundProxy.describe(ProcessInfo.processInfo.environment)] {
            if let line { logger.info("\(line)") }
        }
        // The secret first: a missing SESSION_SECRET is a configuration error before any store is asked.
        let secret = try SessionSecret.resolve(configuration)
        sessionStore = try SessionStoreFactory.make(configuration, clock: clock, logger: logger)
        self.configuration = configuration
        self.pages = pages
        self.logger = logger
        self.dev = dev

        sessions = SessionAccess(store: sessionStore, clock: clock, identitySlot: identitySlot,
                                     revocations: SessionRevocations(logger: logger), logger: logger)
        let context = AppContext(configuration: configuration, pages: pages, sessions: sessions,
                                 pendingSignIns: PendingSignInCookie(secret: secret), identitySlot: identitySlot, logger: logger)
        let router = Router()
        router.setNotFound { _ in pages.render("not-found", status: .notFound) }
        router.mount("/static/", StaticFiles(directory: configuration.publicDirectory, prefix: "/static/"))
        dev?.mount(on: router)
        HealthRoutes.register(on: router, readiness: ReadinessProbe(store: sessionStore, identitySlot: identitySlot, logger: logger))
        IndexRoutes(app: context).register(on: router)
        SignInRoutes(app: context).register(on: router, redirectPath: configuration.redirectURI?.path ?? IdentityFactory.defaultRedirectPath)
        GraphRoutes(app: context).register(on: router)
        AdminRoutes(app: context).register(on: router)
        SignOutRoutes(app: context).register(on: router)
        responder = ErrorBoundary(inner: router, pages: pages, logger: logger)
    }

    /// Checks the address the listener actually bound, before any connection is accepted:
    /// the development provider is served on loopback only.
    public func acceptBound(_ address: IPAddress?) throws(ConfigurationError) {
        if dev != nil { try DevIdentityWiring.checkBound(address) }
    }

    /// The HTTP server's settings for this app: where to listen, its timeouts and
    /// connection caps, which proxies to trust.
    public var serverConfiguration: ServerConfiguration {
        ServerConfiguration(
            host: configuration.host,
            port: configuration.port,
            headTimeout: .milliseconds(Int(configuration.headTimeout * 1000)),
            idleTimeout: .milliseconds(Int(configuration.idleTimeout * 1000)),
            maxConnections: configuration.maxConnections,
            maxConnectionsPerClient: configuration.maxConnectionsPerClient,
            trustedProxies: configuration.trustedProxies
        )
    }

    /// Finishes set-up as `AppServer.start()` does once it has bound, for an app whose
    /// responder is driven in-process, with no listener (tests): `host` (an address literal)
    /// and `port` stand for the address a listener would have bound, and make the app's
    /// origin. The session sweeper belongs to `AppServer` and is not started.
    @_spi(Testing) public func startWithoutListener(host: String = "127.0.0.1", port: Int = 5000) throws(ConfigurationError) {
        try acceptBound(IPAddress(host))
        try didStartListening(host: host, port: port)
    }

    /// Finishes set-up once the server listens: the redirect URI and the development
    /// provider's address may depend on the port the system picked.
    public func didStartListening(host: String, port: Int) throws(ConfigurationError) {
        let identity = try identityFactory.make(boundHost: host, boundPort: port)
        identitySlot.set(identity)
        if let dev, let identity {
            dev.announce(origin: identity.origin, logger: logger)
        } else if identity == nil {
            logger.warning("No identity provider configured: set \(configuration.missingIdentityKeys.joined(separator: ", ")) in .env, or start with --dev-idp")
        }
        if let identity { logger.info("Open \(identity.origin)/ in a browser; redirect URI \(identity.redirectURI)") }
    }

    /// Which identity provider sign-in will use, in words (`--check-config`).
    public var identityDescription: String {
        if dev != nil { return "the embedded development identity provider (demo users only)" }
        if configuration.clientID != nil, let authority = configuration.authority { return "Microsoft Entra ID at \(authority)" }
        if configuration.clientID != nil, let issuer = configuration.oidcAuthority { return "the OpenID provider at \(issuer)" }
        return "no identity provider (missing \(configuration.missingIdentityKeys.joined(separator: ", ")))"
    }

    /// The current sign-in set-up (nil before the server listens or without a provider).
    public var identity: Identity? { identitySlot.current }
}
