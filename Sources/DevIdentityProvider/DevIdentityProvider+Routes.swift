import Encodings
import FoundationEssentials
import HTTPServer
import JOSE

/// Dispatches requests under `/_dev/idp/` to the provider's endpoints, after the access
/// gate has made sure they come from this machine.
extension DevIdentityProvider: HTTPResponder {
    /// The token endpoint signs two RS256 tokens per answer (about a millisecond each), so
    /// it runs on the provider's own signing lane: not on the event loop, where every other
    /// connection would wait for it, and not on the server's worker pool, where the app's
    /// callbacks wait for it (with every worker in a callback, none would be left to answer
    /// them). Every other endpoint only compares and formats: the event loop. POST forms
    /// stay within the default body limit.
    public func route(for head: HTTPRequest) -> MatchedRoute {
        let kind: RouteKind = head.method == .POST && head.path.hasSuffix(Self.tokenPathSuffix) ? .blocking(on: signingLane) : .nonBlocking
        return MatchedRoute(kind: kind) { request in try self.respond(to: request) }
    }

    /// How every tenant's token endpoint path ends.
    static let tokenPathSuffix = "/oauth2/v2.0/token"

    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        if let refusal = DevAccessGate.refusal(request) {
            logger.warning("Refused a development identity provider request: \(refusal)",
                           metadata: ["peer": "\(request.peerAddress ?? "-")"])
            return pages.message("Not available from here",
                                 "The development identity provider only answers requests made on this machine, directly (not through a proxy).",
                                 .forbidden)
        }
        guard let endpoints = endpoints.withLock({ $0 }) else {
            return .text("The development identity provider is starting\n", status: .serviceUnavailable)
        }
        let route = request.path.dropFirst(Self.pathPrefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if route == ["graph", "v1.0", "me"], request.method == .GET || request.method == .HEAD {
            return graphMe(request)
        }
        guard let tenant = route.first, isKnownTenant(tenant) else { return notFound() }
        switch (request.method, Array(route.dropFirst())) {
        case (.GET, ["v2.0", ".well-known", "openid-configuration"]), (.HEAD, ["v2.0", ".well-known", "openid-configuration"]):
            return discovery(tenant: tenant, endpoints: endpoints)
        case (.GET, ["discovery", "v2.0", "keys"]), (.HEAD, ["discovery", "v2.0", "keys"]):
            return jwks()
        case (.GET, ["oauth2", "v2.0", "authorize"]):
            return authorizePage(request, tenant: tenant, endpoints: endpoints)
        case (.POST, ["oauth2", "v2.0", "authorize"]):
            return authorizeDecision(request, tenant: tenant, endpoints: endpoints)
        case (.POST, ["oauth2", "v2.0", "token"]):
            return token(request, tenant: tenant, endpoints: endpoints)
        case (.GET, ["oauth2", "v2.0", "logout"]):
            return logout(request, endpoints: endpoints)
        default:
            return notFound()
        }
    }

    /// The demo tenant, or the multi-tenant aliases whose metadata carries Entra's
    /// `{tenantid}` issuer placeholder.
    func isKnownTenant(_ tenant: String) -> Bool {
        tenant == Self.tenantID || tenant == "organizations" || tenant == "common"
    }

    func notFound() -> HTTPResponse {
        .text("No such development provider endpoint\n", status: .notFound)
    }

    /// The headers of every JSON answer.
    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"]

    func json(_ object: [String: JSONValue], status: HTTPStatus = .ok, headers extra: [(String, String)] = []) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: Self.jsonHeaders, body: JSONValue.serialize(object))
        for (name, value) in extra { response.headers.add(name, value) }
        return response
    }

    func discovery(tenant: String, endpoints: DevEndpoints) -> HTTPResponse {
        let base = endpoints.base(tenant: tenant)
        let issuer = tenant == Self.tenantID ? endpoints.issuer(tenant: tenant) : endpoints.issuer(tenant: "{tenantid}")
        let tokenEndpoint = faults.withLock { $0.tokenEndpointUnreachable }
            ? "http://127.0.0.1:1/_dev/idp/\(tenant)/oauth2/v2.0/token"
            : "\(base)/oauth2/v2.0/token"
        return json([
            "issuer": .string(issuer),
            "authorization_endpoint": .string("\(base)/oauth2/v2.0/authorize"),
            "token_endpoint": .string(tokenEndpoint),
            "jwks_uri": .string("\(base)/discovery/v2.0/keys"),
            "end_session_endpoint": .string("\(base)/oauth2/v2.0/logout"),
            "userinfo_endpoint": .string(graphEndpoint(origin: endpoints.origin)),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "preferred_username", "oid", "tid", "roles", "nonce", "login_hint"],
        ])
    }

    func jwks() -> HTTPResponse {
        counters.withLock { $0.keySetsServed += 1 }
        let signing = signing.withLock { $0 }
        guard let jwk = try? signing.key.publicJWK(kid: signing.keyID), let data = try? JSONEncoder().encode(JWKSet(keys: [jwk])) else {
            return .text("Cannot export the signing key\n", status: .internalServerError)
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json; charset=utf-8"], body: Array(data))
    }
}
