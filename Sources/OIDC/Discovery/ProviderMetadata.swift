import Encodings
import FoundationEssentials

/// The parts of an OpenID Provider's discovery document this client uses.
public struct ProviderMetadata: Sendable, Equatable, Codable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var endSessionEndpoint: String?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
    }

    public init(issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String, endSessionEndpoint: String? = nil) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.endSessionEndpoint = endSessionEndpoint
    }

    /// Parses and checks a discovery document fetched for `authority`.
    static func parse(_ body: [UInt8], for authority: Authority) throws(OIDCError) -> ProviderMetadata {
        let metadata: ProviderMetadata
        do {
            metadata = try JSONDecoder().decode(ProviderMetadata.self, from: Data(body))
        } catch {
            throw .invalidMetadata("not JSON with issuer, authorization_endpoint, token_endpoint and jwks_uri")
        }
        // OIDC Discovery 4.3: a generic provider's issuer must be the URL we were configured
        // with, or anyone able to serve that document could mint tokens for another issuer.
        // Entra's issuer is a tenant GUID URL (or a {tenantid} template), never the authority itself.
        if case .generic = authority.kind, metadata.issuer.trimmingTrailingSlashes != authority.url {
            throw .invalidMetadata("issuer does not match OIDC_AUTHORITY")
        }
        var endpoints = [("authorization_endpoint", metadata.authorizationEndpoint), ("token_endpoint", metadata.tokenEndpoint),
                         ("jwks_uri", metadata.jwksURI)]
        if let endSession = metadata.endSessionEndpoint { endpoints.append(("end_session_endpoint", endSession)) }
        for (name, value) in endpoints where !SecureURL.isAcceptable(value) {
            throw .invalidMetadata("\(name) must be an https URL")
        }
        return metadata
    }
}

/// The URL rule for anything the provider tells us to call: https, or http on loopback.
enum SecureURL {
    static func isAcceptable(_ value: String) -> Bool {
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              let host = components.literalHost, !host.isEmpty
        else { return false }
        return scheme == "https" || (scheme == "http" && LoopbackHost.isLoopback(host))
    }
}

extension String {
    var trimmingTrailingSlashes: String {
        var result = self
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
