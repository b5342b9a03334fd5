import Encodings
import FoundationEssentials
import HTTPClient
import Logging
import OIDC

/// Everything sign-in needs at request time: the OIDC client, the redirect URI and the
/// app's origin, the Graph endpoint. Built once the server has bound its port, because
/// with PORT=0 the redirect URI and the development provider's address depend on it.
public struct Identity: Sendable {
    public let client: OIDCClient
    /// The absolute redirect URI sent to the provider.
    public let redirectURI: String
    /// `scheme://host[:port]` of the redirect URI: where sign-in must start so the session
    /// cookie set there comes back with the callback.
    public let origin: String
    public let graphEndpoint: String
    /// Shown on the sign-in button.
    public let providerName: String
    /// Outbound HTTP for Graph (the OIDC client has the same transport for the provider).
    public let transport: any HTTPTransport
}

/// Turns the app's settings into an `Identity` once the listening port is known. This is
/// the one place the app builds its OIDC client, so it is also where the OIDC module's
/// reason-only `SettingError`s become start-up errors naming the key.
struct IdentityFactory: Sendable {
    /// What a real provider needs that does not depend on the port, checked at start-up.
    private struct Provider: Sendable {
        let authority: Authority
        let clientID: String
        let credential: ClientCredential
        let tenants: TenantRestriction
    }

    /// The settings the identity is built from.
    let configuration: AppConfiguration
    /// The development provider, when it is on (then no other provider is built).
    let dev: DevIdentityWiring?
    /// Outbound HTTP for the OIDC client and Graph.
    let transport: any HTTPTransport
    /// The time tokens are judged by.
    let clock: @Sendable () -> Date
    /// Where the OIDC client logs.
    let logger: Logger
    /// The real provider's settings, checked at start-up; nil without one.
    private let provider: Provider?

    /// Checks every provider setting now, so a bad one stops start-up before the server binds.
    init(configuration: AppConfiguration, dev: DevIdentityWiring?, transport: any HTTPTransport,
         clock: @escaping @Sendable () -> Date, logger: Logger) throws(ConfigurationError) {
        self.configuration = configuration
        self.dev = dev
        self.transport = transport
        self.clock = clock
        self.logger = logger
        provider = dev == nil ? try Self.provider(configuration, logger: logger) : nil
    }

    /// Nil when no provider is configured (the configuration page is shown instead).
    func make(boundHost: String, boundPort: Int) throws(ConfigurationError) -> Identity? {
        let listenOrigin = Self.origin(host: boundHost, port: boundPort)
        let redirectURI = configuration.redirectURI?.absoluteString ?? listenOrigin + Self.defaultRedirectPath
        guard let origin = Self.origin(of: redirectURI) else {
            throw ConfigurationError(key: "REDIRECT_URI", reason: "must be an absolute http(s) URL")
        }
        if let dev {
            return try dev.identity(listenOrigin: listenOrigin, redirectURI: redirectURI, origin: origin,
                                    configuration: configuration, transport: transport, clock: clock, logger: logger)
        }
        guard let provider else { return nil }
        let oidc = OIDCConfiguration(
            authority: provider.authority, clientID: provider.clientID, credential: provider.credential,
            redirectURI: redirectURI, scopes: configuration.scopes, tenants: provider.tenants)
        return Identity(
            client: OIDCClient(configuration: oidc, transport: transport, clock: clock, logger: logger), redirectURI: redirectURI, origin: origin,
            graphEndpoint: configuration.graphEndpoint?.absoluteString ?? AppConfiguration.defaultGraphEndpoint,
            providerName: provider.authority.isEntra ? "Microsoft" : provider.authority.host, transport: transport)
    }

    /// The redirect URI's path when REDIRECT_URI is not set.
    static let defaultRedirectPath = "/getAToken"

    /// AUTHORITY or OIDC_AUTHORITY, the credential and the tenants; nil without CLIENT_ID.
    private static func provider(_ configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) -> Provider? {
        guard let clientID = configuration.clientID else { return nil }
        let authority: Authority
        if configuration.authority != nil && configuration.oidcAuthority != nil {
            throw ConfigurationError(key: "OIDC_AUTHORITY", reason: "set either AUTHORITY (Microsoft Entra ID) or OIDC_AUTHORITY (another OpenID provider), not both")
        }
        if let entra = configuration.authority {
            if entra.contains("<") {
                throw ConfigurationError(key: "AUTHORITY", reason: "still holds the placeholder from .env.example: use https://login.microsoftonline.com/ followed by your Directory (tenant) ID")
            }
            do { authority = try Authority.entra(entra) } catch { throw ConfigurationError(key: "AUTHORITY", reason: error.reason) }
        } else if let generic = configuration.oidcAuthority {
            do { authority = try Authority.generic(generic) } catch { throw ConfigurationError(key: "OIDC_AUTHORITY", reason: error.reason) }
        } else {
            return nil
        }
        return Provider(authority: authority, clientID: clientID, credential: try credential(configuration, logger: logger),
                        tenants: try tenants(for: authority, configuration: configuration, logger: logger))
    }

    /// ALLOWED_TENANTS against the authority: required where any tenant's token would
    /// otherwise be accepted, meaningless for a provider without Entra's tenants.
    static func tenants(for authority: Authority, configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) -> TenantRestriction {
        guard let allowed = configuration.allowedTenants else {
            if authority.isMultiTenant {
                throw ConfigurationError(key: "ALLOWED_TENANTS", reason: "is required with a multi-tenant AUTHORITY (\(authority.realm)): the directory (tenant) ids whose users may sign in, comma-separated, or * to let users of every Microsoft Entra tenant in")
            }
            return .issuer
        }
        guard authority.isEntra else {
            throw ConfigurationError(key: "ALLOWED_TENANTS", reason: "applies only with AUTHORITY (Microsoft Entra ID); an OIDC_AUTHORITY issuer already names its one provider")
        }
        if allowed == .anyTenant {
            logger.warning("ALLOWED_TENANTS=*: users of every Microsoft Entra tenant can sign in, and an administrator of any tenant can give themselves the \(configuration.adminRole) app role")
        }
        return allowed
    }

    /// The one client credential: the secret, the certificate (CLIENT_CERTIFICATE_PATH and
    /// CLIENT_PRIVATE_KEY_PATH) or the federated token file (`WorkloadIdentity` says which
    /// file). Two at once is a start-up error naming both, rather than a guess at which the
    /// app registration expects.
    private static func credential(_ configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) -> ClientCredential {
        let set = [
            configuration.clientSecret.map { _ in "CLIENT_SECRET" },
            configuration.clientCertificatePath.map { _ in "CLIENT_CERTIFICATE_PATH" },
            configuration.clientAssertion.map(\.setting),
        ].compactMap { $0 }
        if set.count > 1 {
            throw ConfigurationError(key: set[0], reason: "and \(set.dropFirst().joined(separator: " and ")) are both set: use one client credential (a secret, a certificate or a federated token file)")
        }
        if let file = configuration.clientAssertion { return assertionFile(file, configuration: configuration, logger: logger) }
        if let federated = configuration.federatedTokenFile {
            logger.info("AZURE_FEDERATED_TOKEN_FILE is not used for sign-in: \(set.first ?? "another credential") is the client credential", metadata: ["path": "\(federated)"])
        }
        if let certificatePath = configuration.clientCertificatePath {
            return try certificate(certificatePath, keyPath: configuration.clientPrivateKeyPath)
        }
        guard let secret = configuration.clientSecret else {
            throw ConfigurationError(key: "CLIENT_SECRET", reason: "is required (or CLIENT_CERTIFICATE_PATH and CLIENT_PRIVATE_KEY_PATH, or CLIENT_ASSERTION_FILE)")
        }
        return .secret(secret, method: configuration.tokenAuthMethod == "client_secret_basic" ? .basic : .post)
    }

    /// The federated token file. Only its being set is checked: a projected volume may fill
    /// it after the app starts, and it is read again for every token request anyway. A file
    /// that cannot be used yet gets a warning now, so the operator need not wait for a sign-in.
    static func assertionFile(_ file: ClientAssertionFile, configuration: AppConfiguration, logger: Logger) -> ClientCredential {
        if file.setting == WorkloadIdentity.explicitKey, let federated = configuration.federatedTokenFile, federated != file.path {
            logger.warning("CLIENT_ASSERTION_FILE and AZURE_FEDERATED_TOKEN_FILE name different files: CLIENT_ASSERTION_FILE is used", metadata: ["path": "\(file.path)"])
        }
        do {
            _ = try file.read()
        } catch {
            logger.warning("\(file.setting) \(error.reason): sign-in fails until it holds the workload's token")
        }
        return .assertionFile(file)
    }

    /// The certificate credential; both files must be readable and belong together.
    private static func certificate(_ certificatePath: String, keyPath: String?) throws(ConfigurationError) -> ClientCredential {
        guard let keyPath else {
            throw ConfigurationError(key: "CLIENT_PRIVATE_KEY_PATH", reason: "is required with CLIENT_CERTIFICATE_PATH")
        }
        guard let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8) else {
            throw ConfigurationError(key: "CLIENT_CERTIFICATE_PATH", reason: "cannot read \(certificatePath)")
        }
        guard let key = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
            throw ConfigurationError(key: "CLIENT_PRIVATE_KEY_PATH", reason: "cannot read \(keyPath)")
        }
        do {
            return try ClientCredential.certificate(privateKeyPEM: key, certificatePEM: certificate)
        } catch {
            throw ConfigurationError(key: "CLIENT_CERTIFICATE_PATH", reason: error.reason)
        }
    }

    /// The URL origin of the address the server listens on; wildcard addresses become
    /// `localhost`, which is what a browser on this machine would use.
    static func origin(host: String, port: Int) -> String {
        let name: String
        switch host {
        case "0.0.0.0", "::", "": name = "localhost"
        case let ipv6 where ipv6.contains(":"): name = "[\(ipv6)]"
        default: name = host
        }
        return "http://\(name):\(port)"
    }

    /// `scheme://host[:port]` of an absolute URL.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.literalHost else { return nil }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart)" + (components.port.map { ":\($0)" } ?? "")
    }
}
