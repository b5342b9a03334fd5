import Encodings
import FoundationEssentials
import HTTPServer
import OIDC
import SessionStore

/// `GET /login` and the redirect URI (`/getAToken`): start a sign-in (PKCE, state, nonce,
/// the pending flow kept in the session) and complete it (state checked first, code
/// redeemed, ID token validated, session id rotated), or explain plainly what went wrong.
struct SignInRoutes {
    let app: AppContext

    /// The prompts a link may ask for; anything else is dropped rather than forwarded.
    static let allowedPrompts: Set<String> = ["select_account", "login", "consent"]

    func register(on router: Router, redirectPath: String) {
        let app = app
        router.get("/login", .blocking) { request in try Self.login(request, app: app) }
        router.get(redirectPath, .blocking) { request in try Self.callback(request, app: app) }
    }

    static func login(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        // The session cookie is set on the host the browser uses now; the provider sends the
        // browser back to the redirect URI's host. Starting elsewhere (127.0.0.1 versus
        // localhost) would lose the session on the way back, so move to that host first.
        if let host = request.host, "\(request.scheme)://\(host)" != identity.origin,
           let originHost = URLComponents(string: identity.origin)?.literalHost, LoopbackHost.isLoopback(originHost),
           LoopbackHost.isLoopback(hostHeader: host)
        {
            return .redirect(to: identity.origin + request.path + (request.query.map { "?" + $0 } ?? ""))
        }
        let next = LocalPath.sanitize(request.queryValue("next") ?? "/")
        let prompt = request.queryValue("prompt").flatMap { allowedPrompts.contains($0) ? $0 : nil }
        let existing = try app.sessions.load(request)
        let options = SignInOptions(returnPath: next, prompt: prompt, claims: existing?.claimsChallenge)
        let signIn: AuthorizationRequest
        do {
            // May fetch the provider's metadata: done before the session is locked.
            signIn = try identity.client.authorizationRequest(options: options)
        } catch {
            return signInFailure(error, app: app, next: next)
        }
        let config = identity.client.configuration
        let remember = { (session: inout Session) in
            var flows = session.signInFlows
            flows.add(signIn.flow, now: app.sessions.clock(), limit: config.maximumPendingFlows, lifetime: config.flowLifetime)
            session.signInFlows = flows
            session.claimsChallenge = nil
        }
        var setCookie: String?
        if let existing, let updated = try app.sessions.store.update(existing.handle, remember) {
            _ = updated
        } else {
            let created = try app.sessions.store.create(remember)
            setCookie = app.sessions.setCookie(created, for: request)
        }
        let user = existing.flatMap(SignedInUser.init(session:))
        var context: [String: Any] = ["authorizeURL": signIn.url, "providerName": identity.providerName]
        // Left out for "/": Mustache shows a section for an empty string too.
        if next != "/" { context["next"] = next }
        var response = app.page("login", context, user: user)
        response.headers["Cache-Control"] = "no-store"
        if let setCookie { response.headers.add("Set-Cookie", setCookie) }
        return response
    }

    static func callback(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        let authorization = AuthorizationResponse(query: request.query ?? "")
        // The state must match a pending sign-in of this session before anything else; the
        // flow is removed whatever happens next, so a callback URL works once.
        var redeemed: Result<PendingFlow, OIDCError> = .failure(.stateRejected(.unknown))
        let found = try app.sessions.handle(from: request).flatMap { handle in
            try app.sessions.store.update(handle) { session in
                var flows = session.signInFlows
                redeemed = Result { () throws(OIDCError) -> PendingFlow in
                    try flows.redeem(state: authorization.state, now: app.sessions.clock(), lifetime: identity.client.configuration.flowLifetime)
                }
                session.signInFlows = flows
            }
        }
        guard let found else {
            app.logger.notice("Sign-in callback without a session")
            return app.errorPage(
                heading: "Sign-in could not be completed",
                message: "This browser has no sign-in in progress here: the session cookie is missing or has expired (for example, sign-in was started on another address or in another browser). Please start again.",
                retryURL: "/login", retryLabel: "Sign in again", status: .badRequest)
        }
        let flow: PendingFlow
        switch redeemed {
        case .success(let value): flow = value
        case .failure(let error): return signInFailure(error, app: app, next: "/")
        }

        // Exchanging the code is a network call: it runs without holding the session lock.
        var single = PendingFlows(flows: [flow])
        var cache = TokenCache()
        let result: SignInResult
        do {
            result = try identity.client.completeSignIn(authorization, flows: &single, cache: &cache)
        } catch {
            return signInFailure(error, app: app, next: flow.returnPath)
        }

        // A fresh session id for the signed-in user (session fixation); only the other tabs'
        // pending sign-ins come along.
        let signedIn = try app.sessions.store.rotate(found.handle) { old, new in
            new.signInFlows = old.signInFlows
            new.signIn(result, cache: cache)
        }
        guard let signedIn else {
            return app.errorPage(heading: "Sign-in could not be completed", message: "Your session ended while signing in. Please start again.",
                                 retryURL: "/login", retryLabel: "Sign in again", status: .badRequest)
        }
        var response = HTTPResponse.redirect(to: LocalPath.sanitize(result.returnPath))
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Set-Cookie", app.sessions.setCookie(signedIn, for: request))
        return response
    }

    /// The error page for a failed sign-in: the provider's words when it gave any, 502 when
    /// the provider could not be reached, 500 when our own client credential could not be
    /// made, 400 otherwise.
    static func signInFailure(_ error: OIDCError, app: AppContext, next: String) -> HTTPResponse {
        var details: [(String, String)] = []
        func describe(_ body: ProviderErrorResponse) {
            details.append(("Error", body.error))
            if let description = body.errorDescription { details.append(("Description", description)) }
            if let correlation = body.correlationID { details.append(("Correlation ID", correlation)) }
        }
        let status: HTTPStatus
        let heading: String
        switch error {
        case .transport:
            status = .badGateway
            heading = "The identity provider could not be reached"
        case .providerUnavailable(_, let body):
            // A 5xx from the provider: still 502, but its error and correlation id help support.
            status = .badGateway
            heading = "The identity provider could not be reached"
            if let body { describe(body) }
        case .authorizationFailed(let code, let description):
            status = .badRequest
            heading = code == "access_denied" ? "Sign-in was cancelled or refused" : "The identity provider reported an error"
            details.append(("Error", code))
            if let description { details.append(("Description", description)) }
        case .provider(let body), .interactionRequired(let body?):
            status = .badRequest
            heading = "The identity provider refused the sign-in"
            describe(body)
        case .stateRejected:
            status = .badRequest
            heading = "This sign-in link is no longer valid"
        case .idTokenRejected:
            status = .badRequest
            heading = "The identity provider's answer could not be trusted"
        case .credentialFailure:
            // Our own set-up is broken (the provider was not even asked): a server error.
            status = .internalServerError
            heading = "Sign-in is unavailable right now"
        default:
            status = .badRequest
            heading = "Sign-in failed"
        }
        // The page says what to do; what an operator needs (hosts, curl's words) goes to the log.
        if let detail = error.detail {
            app.logger.warning("Sign-in failed: the provider could not be reached", metadata: ["reason": "\(error.logReason)", "detail": "\(detail)"])
        }
        let retry = "/login?" + FormURLEncoding.encode([("next", next)])
        return app.errorPage(heading: heading, message: error.description, details: details, retryURL: retry,
                             retryLabel: "Sign in again", status: status)
    }
}
