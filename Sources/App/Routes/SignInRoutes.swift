import Encodings
import FoundationEssentials
import HTTPServer
import OIDC
import SessionStore

/// `GET /login` and the redirect URI (`/getAToken`): start a sign-in (PKCE, state, nonce;
/// the pending flow kept in the browser's sealed sign-in cookie, nothing stored) with a
/// redirect to the provider, and complete it (`SignInRoutes+Callback`), or explain plainly
/// what went wrong.
struct SignInRoutes {
    let app: AppContext

    /// The prompts a link may ask for; anything else is dropped rather than forwarded.
    static let allowedPrompts: Set<String> = ["select_account", "login", "consent"]
    /// Longest return path kept (in bytes); a longer `next` returns to `/`. It travels in the
    /// sign-in cookie, which must stay small.
    static let maximumReturnPathLength = 512

    /// Both may block: `/login` fetches the provider's metadata on first use (and once a day),
    /// the callback redeems the code at the token endpoint.
    func register(on router: Router, redirectPath: String) {
        let app = app
        router.get("/login", .blocking) { request in Self.login(request, app: app) }
        router.get(redirectPath, .blocking) { request in try Self.callback(request, app: app) }
    }

    /// `GET /login[?next=/path][&prompt=select_account]`: straight to the provider.
    static func login(_ request: HTTPRequest, app: AppContext) -> HTTPResponse {
        let prompt = request.queryValue("prompt").flatMap { allowedPrompts.contains($0) ? $0 : nil }
        return start(request, app: app, options: SignInOptions(returnPath: returnPath(request.queryValue("next")), prompt: prompt))
    }

    /// Starts a sign-in: a 302 to the provider's authorize URL, and the new flow added to the
    /// browser's sign-in cookie (other tabs' flows stay). Nothing is written anywhere, so
    /// any number of visits to `/login` cost no disk.
    static func start(_ request: HTTPRequest, app: AppContext, options: SignInOptions) -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        if let moved = moveToRedirectHost(request, identity: identity) { return moved }
        var flows = app.pendingSignIns.flows(in: request)
        let authorizeURL: String
        do {
            authorizeURL = try identity.client.beginSignIn(options: options, flows: &flows)
        } catch {
            return signInFailure(error, app: app, next: options.returnPath)
        }
        var response = HTTPResponse.redirect(to: authorizeURL)
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Set-Cookie", pendingSignInCookie(flows, request: request, identity: identity, app: app))
        return response
    }

    /// The sign-in cookie's `Set-Cookie` for `flows`: living as long as the youngest of them,
    /// or dropped when none is left.
    static func pendingSignInCookie(_ flows: PendingFlows, request: HTTPRequest, identity: Identity, app: AppContext) -> String {
        let remaining = identity.client.expiry(of: flows).map { $0.timeIntervalSince(app.sessions.clock()) } ?? 0
        return app.pendingSignIns.setCookie(flows, maxAge: Int(remaining.rounded(.up)), secure: request.scheme == "https")
    }

    /// The sign-in cookie is set on the host the browser uses now; the provider sends the
    /// browser back to the redirect URI's host. Starting elsewhere (127.0.0.1 versus
    /// localhost) would lose the cookie on the way back, so a browser on the other loopback
    /// name is moved to the redirect URI's host first, to the same path.
    static func moveToRedirectHost(_ request: HTTPRequest, identity: Identity) -> HTTPResponse? {
        guard let host = request.host, "\(request.scheme)://\(host)" != identity.origin,
              let originHost = URLComponents(string: identity.origin)?.literalHost, LoopbackHost.isLoopback(originHost),
              LoopbackHost.isLoopback(hostHeader: host)
        else { return nil }
        var response = HTTPResponse.redirect(to: identity.origin + request.path + (request.query.map { "?" + $0 } ?? ""))
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// `/login` with `next`: where a browser signs in to come back to `next`.
    static func loginPath(next: String) -> String {
        "/login?" + FormURLEncoding.encode([("next", next)])
    }

    /// The local path a sign-in returns to: `raw` when it is one (`LocalPath`) and short
    /// enough, else `/`.
    static func returnPath(_ raw: String?) -> String {
        let path = LocalPath.sanitize(raw ?? "/")
        return path.utf8.count <= maximumReturnPathLength ? path : "/"
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
        let retry = loginPath(next: next)
        return app.errorPage(heading: heading, message: error.description, details: details, retryURL: retry,
                             retryLabel: "Sign in again", status: status)
    }
}
