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

/// Turns the app's settings into an `Identity` once the listening port is known.
struct IdentityFactory: Sendable {
    let configuration: AppConfiguration
    let devProvider: DevIdentityProvider?
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Nil when no provider is configured (the configuration page is shown instead).
    func make(boundHost: String, boundPort: Int) throws(ConfigurationError) -> Identity? {
        let listenOrigin = Self.origin(host: boundHost, port: boundPort)
        let redirectURI = configuration.redirectURI?.absoluteString ?? listenOrigin + Self.defaultRedirectPath
        guard let origin = Self.origin(of: redirectURI) else {
            throw ConfigurationError(key: "REDIRECT_URI", reason: "must be an absolute http(s) URL")
        }
        if let devProvider {
            devProvider.configure(origin: listenOrigin, redirectURI: redirectURI)
            let oidc = OIDCConfiguration(
                authority: try Authority.entra(devProvider.authority(origin: listenOrigin), key: "DEV_IDP"),
                clientID: devProvider.clientID, credential: .secret(devProvider.clientSecret),
                redirectURI: redirectURI, scopes: configuration.scopes)
            return Identity(
                client: OIDCClient(configuration: oidc, transport: transport, clock: clock, logger: logger), redirectURI: redirectURI, origin: origin,
                graphEndpoint: configuration.graphEndpoint?.absoluteString ?? devProvider.graphEndpoint(origin: listenOrigin),
                providerName: "the development identity provider", transport: transport)
        }
        guard let clientID = configuration.clientID else { return nil }
        let authority: Authority
        if let entra = configuration.authority {
            authority = try Authority.entra(entra)
        } else if let generic = configuration.oidcAuthority {
            authority = try Authority.generic(generic)
        } else {
            return nil
        }
        let oidc = OIDCConfiguration(
            authority: authority, clientID: clientID, credential: try credential(),
            redirectURI: redirectURI, scopes: configuration.scopes)
        return Identity(
            client: OIDCClient(configuration: oidc, transport: transport, clock: clock, logger: logger), redirectURI: redirectURI, origin: origin,
            graphEndpoint: configuration.graphEndpoint?.absoluteString ?? AppConfiguration.defaultGraphEndpoint,
            providerName: authority.isEntra ? "Microsoft" : authority.host, transport: transport)
    }

    static let defaultRedirectPath = "/getAToken"

    private func credential() throws(ConfigurationError) -> ClientCredential {
        if let certificatePath = configuration.clientCertificatePath {
            guard let keyPath = configuration.clientPrivateKeyPath else {
                throw ConfigurationError(key: "CLIENT_PRIVATE_KEY_PATH", reason: "is required with CLIENT_CERTIFICATE_PATH")
            }
            guard let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8) else {
                throw ConfigurationError(key: "CLIENT_CERTIFICATE_PATH", reason: "cannot read \(certificatePath)")
            }
            guard let key = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
                throw ConfigurationError(key: "CLIENT_PRIVATE_KEY_PATH", reason: "cannot read \(keyPath)")
            }
            return try ClientCredential.certificate(privateKeyPEM: key, certificatePEM: certificate, key: "CLIENT_CERTIFICATE_PATH")
        }
        guard let secret = configuration.clientSecret else {
            throw ConfigurationError(key: "CLIENT_SECRET", reason: "is required (or CLIENT_CERTIFICATE_PATH and CLIENT_PRIVATE_KEY_PATH)")
        }
        return .secret(secret, method: configuration.tokenAuthMethod == "client_secret_basic" ? .basic : .post)
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
