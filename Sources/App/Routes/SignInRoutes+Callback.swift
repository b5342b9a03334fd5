import CryptoSupport
import FoundationEssentials
import HTTPServer
import OIDC
import SessionStore

/// The redirect URI: the provider's answer, checked against this browser's own pending
/// sign-ins (its sign-in cookie) before anything else, made single-use across every
/// instance sharing the store, then the code redeemed, the ID token validated, and only
/// then a session written: a new one, or the browser's existing one under a fresh id.
extension SignInRoutes {
    static func callback(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        let authorization = AuthorizationResponse(query: request.query ?? "")
        var flows = app.pendingSignIns.flows(in: request)
        guard !flows.isEmpty else {
            app.logger.notice("Sign-in callback without a sign-in in progress")
            return app.errorPage(
                heading: "Sign-in could not be completed",
                message: "This browser has no sign-in in progress here: its sign-in cookie is missing or has expired (for example, sign-in was started more than ten minutes ago, on another address or in another browser). Please start again.",
                retryURL: "/login", retryLabel: "Sign in again", status: .badRequest)
        }
        let flow: PendingFlow
        do {
            flow = try identity.client.pendingFlow(for: authorization, in: &flows)
        } catch {
            // Not one of this browser's sign-ins (or expired): the others stay pending.
            return withSignInCookie(signInFailure(error, app: app, next: "/"), flows, request: request, identity: identity, app: app)
        }
        // From here on the flow is used up, whatever happens: the browser keeps the others.
        guard try app.sessions.store.claimOnce(callbackClaim(state: flow.state), ttl: claimLifetime(of: flow, identity: identity, app: app)) else {
            app.logger.notice("Sign-in callback replayed: its state was already redeemed")
            return withSignInCookie(signInFailure(.stateRejected(.replayed), app: app, next: flow.returnPath), flows,
                                    request: request, identity: identity, app: app)
        }
        var cache = TokenCache()
        let result: SignInResult
        do {
            // A network call (the token endpoint); nothing is locked meanwhile.
            result = try identity.client.completeSignIn(authorization, flow: flow, cache: &cache)
        } catch {
            return withSignInCookie(signInFailure(error, app: app, next: flow.returnPath), flows,
                                    request: request, identity: identity, app: app)
        }
        let session = try signedInSession(request, result: result, cache: cache, app: app)
        var response = HTTPResponse.redirect(to: LocalPath.sanitize(result.returnPath))
        response.headers["Cache-Control"] = "no-store"
        response = withSignInCookie(response, flows, request: request, identity: identity, app: app)
        response.headers.add("Set-Cookie", app.sessions.setCookie(session, for: request))
        return response
    }

    /// The session of someone who has just signed in. A browser that already has one (signed
    /// in as someone, or made by an earlier version) gets it under a fresh id, with nothing
    /// of the old one carried over (session fixation); any other browser gets a new one.
    static func signedInSession(_ request: HTTPRequest, result: SignInResult, cache: TokenCache, app: AppContext) throws -> Session {
        if let existing = try app.sessions.load(request),
           let rotated = try app.sessions.store.rotate(existing.handle, carrying: { _, new in new.signIn(result, cache: cache) })
        {
            return rotated
        }
        return try app.sessions.store.create { $0.signIn(result, cache: cache) }
    }

    /// `response` with the sign-in cookie reissued for the flows still pending.
    static func withSignInCookie(_ response: HTTPResponse, _ flows: PendingFlows, request: HTTPRequest, identity: Identity,
                                 app: AppContext) -> HTTPResponse {
        var response = response
        response.headers.add("Set-Cookie", pendingSignInCookie(flows, request: request, identity: identity, app: app))
        return response
    }

    /// The single-use claim of a callback: a hash of its state (the store hashes it again).
    static func callbackClaim(state: String) -> String {
        "callback:" + Digest.hex(Digest.sha256(state))
    }

    /// How long the claim must outlive: as long as the flow could still be redeemed.
    static func claimLifetime(of flow: PendingFlow, identity: Identity, app: AppContext) -> Duration {
        let remaining = identity.client.expiry(of: flow).timeIntervalSince(app.sessions.clock())
        return .seconds(max(1, Int(remaining.rounded(.up))))
    }
}
