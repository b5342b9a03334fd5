import DevIdentityProvider
import Encodings
import FoundationEssentials
import HTTPClient
import HTTPServer
import Logging
import OIDC

/// Everything the app knows about the development identity provider, in one place: when
/// it may run at all, how its pages look, where it is mounted, and the sign-in set-up
/// pointed at it. Its demo users let anyone who reaches it in, so every rule here fails
/// closed with a start-up error naming the key.
struct DevIdentityWiring: Sendable {
    /// The provider, mounted under `/_dev/idp/`.
    let provider: DevIdentityProvider

    /// The provider, or nil when DEV_IDP is off. Throws when the configuration could make
    /// it reachable from another machine.
    /// `federatedCredential`: a test's federated identity credential on the development
    /// app registration; the app then signs in with the federated token file instead of
    /// the provider's secret.
    static func make(configuration: AppConfiguration, pages: PageRenderer, users: [DevUser], authorityTenant: String,
                     federatedCredential: DevFederatedCredential? = nil,
                     clock: @escaping @Sendable () -> Date, logger: Logger) throws(ConfigurationError) -> DevIdentityWiring? {
        guard configuration.devIdentityProvider else { return nil }
        try checkSettings(configuration)
        if federatedCredential != nil && configuration.clientAssertion == nil {
            throw ConfigurationError(key: "CLIENT_ASSERTION_FILE", reason: "is required: the development identity provider accepts only a federated token from this app")
        }
        do {
            let provider = try DevIdentityProvider(pages: devPages(pages), users: users, authorityTenant: authorityTenant,
                                                   federatedCredential: federatedCredential, clock: clock, logger: logger)
            return DevIdentityWiring(provider: provider)
        } catch {
            throw ConfigurationError(key: "DEV_IDP", reason: "could not make its signing key: \(error)")
        }
    }

    /// The settings that say "this is a server others reach": a proxy in front, a redirect
    /// URI that is not plain http on this machine, a listening address that is not loopback
    /// (a literal one is caught here; a name is checked once bound, `checkBound`).
    static func checkSettings(_ configuration: AppConfiguration) throws(ConfigurationError) {
        if !configuration.trustedProxies.isEmpty {
            throw ConfigurationError(key: "TRUSTED_PROXIES", reason: "must be empty while the development identity provider is on: behind a proxy, anyone who reaches the proxy could sign in as a demo user")
        }
        if !configuration.redirectURIIsLocal {
            throw ConfigurationError(key: "REDIRECT_URI", reason: "must be an http URL on localhost, 127.0.0.1 or [::1] while the development identity provider is on; it has demo users anyone could sign in as")
        }
        if IPAddress(configuration.host) != nil && !LoopbackHost.isLoopback(configuration.host) {
            throw hostError(configuration.host)
        }
    }

    /// The address the server actually bound (`getsockname`), which is what matters: a host
    /// name, or a number such as `0` that the resolver reads as `0.0.0.0`, can bind anything.
    static func checkBound(_ address: IPAddress?) throws(ConfigurationError) {
        guard let address, LoopbackHost.isLoopback(address.description) else {
            throw hostError(address?.description ?? "an unknown address")
        }
    }

    /// The error naming HOST, with the address that was given or bound.
    private static func hostError(_ bound: String) -> ConfigurationError {
        ConfigurationError(key: "HOST", reason: "must be a loopback address (127.0.0.1, ::1 or localhost) while the development identity provider is on, not \(bound); it has demo users anyone could sign in as")
    }

    /// The provider's pages in the app's layout.
    static func devPages(_ pages: PageRenderer) -> DevPages {
        DevPages(
            authorize: { page in
                let fields = page.fields.map { ["name": $0.name, "value": $0.value] }
                let users = page.users.map {
                    ["id": $0.id, "name": $0.name, "username": $0.username, "isAdmin": $0.roles.contains("admin")] as [String: Any]
                }
                return pages.render("dev-idp-authorize", ["action": page.action, "fields": fields, "users": users], private: true)
            },
            message: { heading, message, status in pages.render("error", ["heading": heading, "message": message], status: status) })
    }

    /// The templates the provider's pages need, on top of the app's own.
    static let templates = ["dev-idp-authorize"]

    /// Serves the provider's endpoints under its path prefix.
    func mount(on router: Router) {
        router.mount(DevIdentityProvider.pathPrefix, provider)
    }

    /// The sign-in set-up pointed at the provider served on `listenOrigin`.
    func identity(listenOrigin: String, redirectURI: String, origin: String, configuration: AppConfiguration,
                  transport: any HTTPTransport, clock: @escaping @Sendable () -> Date, logger: Logger) throws(ConfigurationError) -> Identity {
        provider.configure(origin: listenOrigin, redirectURI: redirectURI)
        let authority: Authority
        do {
            authority = try Authority.entra(provider.authority(origin: listenOrigin))
        } catch {
            throw ConfigurationError(key: "DEV_IDP", reason: "cannot serve its authority: \(error.reason)")
        }
        // Served as `organizations` without ALLOWED_TENANTS, the demo tenant is the one allowed.
        let tenants = configuration.allowedTenants == nil && authority.isMultiTenant
            ? .only([DevIdentityProvider.tenantID])
            : try IdentityFactory.tenants(for: authority, configuration: configuration, logger: logger)
        // Its own per-start secret, unless its registration trusts a federated token instead;
        // CLIENT_SECRET and the certificate are for a real provider.
        let credential: ClientCredential
        if provider.federatedCredential != nil, let file = configuration.clientAssertion {
            credential = IdentityFactory.assertionFile(file, configuration: configuration, logger: logger)
        } else {
            credential = .secret(provider.clientSecret)
        }
        let oidc = OIDCConfiguration(
            authority: authority, clientID: provider.clientID, credential: credential,
            redirectURI: redirectURI, scopes: configuration.scopes, tenants: tenants)
        return Identity(
            client: OIDCClient(configuration: oidc, transport: transport, clock: clock, logger: logger), redirectURI: redirectURI, origin: origin,
            graphEndpoint: configuration.graphEndpoint?.absoluteString ?? provider.graphEndpoint(origin: listenOrigin),
            providerName: "the development identity provider", transport: transport)
    }

    /// The start-up warning: loud, with the demo users' names.
    func announce(origin: String, logger: Logger) {
        logger.warning("""
            DEVELOPMENT IDENTITY PROVIDER ON: anyone who can reach \(origin) can sign in as a demo user. \
            Demo users: \(provider.users.map(\.username).joined(separator: ", ")). \
            Set CLIENT_ID, CLIENT_SECRET and AUTHORITY in .env to use Microsoft Entra ID.
            """)
    }
}
