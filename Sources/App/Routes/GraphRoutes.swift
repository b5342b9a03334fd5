import HTTPClient
import HTTPServer
import OIDC
import SessionStore

/// `GET /graph`: an access token obtained silently (refreshed when needed), then the
/// user's profile from Graph as a table and as raw JSON. A refresh token that no longer
/// works, or a Conditional Access claims challenge, sends the user through sign-in again.
struct GraphRoutes {
    let app: AppContext

    /// Blocking: it may refresh tokens and always calls Graph over the network. Its usual
    /// case (signed in, the token cached, a kept-alive connection to Graph idle) runs on the
    /// event loop instead when session reads do not block: `graphOnLoop`.
    func register(on router: Router) {
        let app = app
        let page = app.prerendered("graph", slots: ["endpoint", "rawJSON"], rows: (key: "fields", slots: ["name", "value"]))
        let views = ProfileViews()
        let attempt: MatchedRoute.LoopAttempt = { request in Self.graphOnLoop(request, app: app, page: page, views: views) }
        let onLoop = app.sessions.store.readsMayBlock ? nil : attempt
        router.get("/graph", .blocking, onLoop: onLoop) { request in try Self.graph(request, app: app, page: page, views: views) }
    }

    static func graph(_ request: HTTPRequest, app: AppContext, page: PrerenderedPage? = nil, views: ProfileViews = ProfileViews()) throws -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        guard let (session, user) = try app.sessions.signedIn(request), let tokens = app.sessions.tokens(of: session) else {
            return app.signInRequired(request, next: "/graph")
        }
        let token: AccessTokenResult
        switch try accessToken(for: session, tokens: tokens, identity: identity, store: app.sessions.store) {
        case nil:
            return app.signInRequired(request, next: "/graph")
        case .success(let value)?:
            token = value
        case .failure(let error)? where error.needsInteractiveSignIn:
            app.logger.info("Silent token acquisition needs a new sign-in", metadata: ["reason": "\(error.logReason)"])
            return app.signInRequired(request, next: "/graph")
        case .failure(let error)?:
            return SignInRoutes.signInFailure(error, app: app, next: "/graph")
        }

        let graph = GraphClient(endpoint: identity.graphEndpoint, transport: identity.transport)
        let profile = Result { () throws(GraphClient.Failure) in try graph.profile(accessToken: token.accessToken) }
        return profilePage(profile, request: request, user: user, identity: identity, app: app, page: page, views: views)
    }

    /// `/graph` without blocking, for its usual case: a signed-in session (read as `/` reads
    /// it), an access token from the cache, and Graph called on an idle kept-alive
    /// connection that this loop's epoll waits on. On a worker the same request costs three
    /// thread switches, more than all of its own work. Anything else goes to the blocking
    /// handler, from the start: no session, a token to refresh, no idle connection, a stale
    /// one, a claims challenge (sign-in may fetch the provider's metadata), a store error.
    static func graphOnLoop(_ request: HTTPRequest, app: AppContext, page: PrerenderedPage?, views: ProfileViews) -> LoopAnswer {
        guard let identity = app.identity, let signedIn = try? app.sessions.signedIn(request),
              let tokens = app.sessions.tokens(of: signedIn.session),
              let token = identity.client.cachedAccessToken(account: tokens.account, cache: tokens.cache)
        else { return .blocking }
        let graph = GraphClient(endpoint: identity.graphEndpoint, transport: identity.transport)
        guard let call = identity.transport.begin(graph.request(accessToken: token.accessToken)) else { return .blocking }
        return follow(call, call.resume()) { outcome in
            let profile = outcome.mapError(GraphClient.Failure.unreachable).flatMap { response in
                Result { () throws(GraphClient.Failure) in try GraphClient.profile(in: response) }
            }
            if case .failure(.claimsChallenge) = profile { return .blocking }
            return .response(profilePage(profile, request: request, user: signedIn.user, identity: identity, app: app, page: page, views: views))
        }
    }

    /// Carries the Graph call on from `progress`: waits as it asks, and gives `answer` the
    /// response or the failure (a timeout included). A stale connection is `.blocking`: the
    /// handler sends the request again on a fresh one.
    static func follow(_ call: OutboundCall, _ progress: OutboundCall.Progress,
                       answer: @escaping @Sendable (Result<OutboundResponse, TransportError>) -> LoopAnswer) -> LoopAnswer {
        switch progress {
        case .readable, .writable:
            let readiness: DescriptorWait.Readiness = if case .readable = progress { .readable } else { .writable }
            return .waiting(DescriptorWait(descriptor: call.descriptor, readiness: readiness, deadline: call.deadline) { outcome in
                follow(call, outcome == .ready ? call.resume() : .failed(call.expire()), answer: answer)
            })
        case .finished(let response): return answer(.success(response))
        case .failed(let error): return answer(.failure(error))
        case .stale: return .blocking
        }
    }

    /// The page for what Graph gave: the profile as a table and as JSON, or the failure.
    static func profilePage(_ profile: Result<[UInt8], GraphClient.Failure>, request: HTTPRequest, user: SignedInUser,
                            identity: Identity, app: AppContext, page: PrerenderedPage?, views: ProfileViews) -> HTTPResponse {
        do throws(GraphClient.Failure) {
            guard let view = views.view(of: try profile.get()) else { throw GraphClient.Failure.notJSON }
            let (rows, rawJSON) = (view.rows, view.rawJSON)
            if let prerendered = app.page(page, values: [identity.graphEndpoint, rawJSON], rows: rows.map { [$0.name, $0.value] }, user: user) {
                return prerendered
            }
            return app.page("graph", [
                "endpoint": identity.graphEndpoint,
                "fields": rows.map { ["name": $0.name, "value": $0.value] },
                "rawJSON": rawJSON,
            ], user: user)
        } catch {
            return graphFailure(error, request: request, user: user, app: app)
        }
    }

    /// How long a request waits for another request (on any instance) refreshing the same
    /// session's tokens: longer than one token call can take.
    static let refreshLockTimeout = Duration.seconds(30)

    /// An access token for the session. Usually the cached one, found without any lock in
    /// the tokens decoded for this session (once per change of its cache). When it must be
    /// refreshed, the refresh happens under the session's refresh lock, which every instance
    /// sharing the store honours: a request that waited re-reads the session and finds the
    /// tokens the previous holder stored, so a rotating refresh token is redeemed once. The refresh is a network
    /// call: it holds the refresh lock, not the session's write lock. Nil when the session
    /// ended meanwhile.
    static func accessToken(for session: Session, tokens: SignedInTokens, identity: Identity,
                            store: any SessionStore) throws -> Result<AccessTokenResult, OIDCError>? {
        if let cached = identity.client.cachedAccessToken(account: tokens.account, cache: tokens.cache) { return .success(cached) }
        let handle = session.handle
        return try store.withRefreshLock(handle, timeout: refreshLockTimeout) { () throws -> Result<AccessTokenResult, OIDCError>? in
            guard let current = try store.load(handle) else { return nil }
            // Unchanged since this request read it: the tokens decoded then are still the ones.
            let fresh = current.version == session.version ? tokens : current.signedInTokens()
            guard var cache = fresh?.cache, let account = fresh?.account else { return nil }
            let before = cache
            let result = Result { () throws(OIDCError) in try identity.client.acquireTokenSilently(account: account, cache: &cache) }
            if case .success(let token) = result, cache != before {
                _ = try store.update(handle) { stored in
                    stored.store(cache)
                    if let claims = token.refreshedIDTokenClaims { stored.claims = claims.raw }
                }
            }
            return result
        }
    }

    static func graphFailure(_ failure: GraphClient.Failure, request: HTTPRequest, user: SignedInUser, app: AppContext) -> HTTPResponse {
        let message: String
        var status = HTTPStatus.badGateway
        let api = app.configuration.usesMicrosoftGraph ? "Microsoft Graph" : "The profile endpoint"
        switch failure {
        case .claimsChallenge(let claims):
            // Conditional Access wants more (e.g. MFA): sign in again asking for those claims,
            // which go straight into the authorize request (nothing is stored meanwhile).
            app.logger.info("Graph returned a claims challenge")
            return app.signInRequired(request, next: "/graph", claims: claims)
        case .unauthorized:
            message = "\(api) did not accept your access token (HTTP 401). Signing out and in again usually fixes this."
        case .forbidden:
            status = .forbidden
            message = "\(api) refused access (HTTP 403): the app may lack consent for the requested permission."
        case .unavailable(let code):
            message = "\(api) is unavailable right now (HTTP \(code)). Please try again in a moment."
        case .unexpectedStatus(let code):
            message = "\(api) answered with an unexpected status (HTTP \(code))."
        case .unreachable:
            // Which host and why are in the log line below, not on the page.
            message = "\(api) could not be reached. Please try again in a moment."
        case .notJSON:
            message = "\(api) sent a response that is not JSON."
        }
        app.logger.notice("Graph call failed", metadata: ["reason": "\(failure)"])
        return app.errorPage(heading: "Your profile could not be loaded", message: message, retryURL: "/graph", user: user, status: status)
    }
}
