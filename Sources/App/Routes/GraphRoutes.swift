import HTTPServer
import OIDC
import SessionStore

/// `GET /graph`: an access token obtained silently (refreshed when needed), then the
/// user's profile from Graph as a table and as raw JSON. A refresh token that no longer
/// works, or a Conditional Access claims challenge, sends the user through sign-in again.
struct GraphRoutes {
    let app: AppContext

    func register(on router: Router) {
        let app = app
        router.get("/graph", .blocking) { request in try Self.graph(request, app: app) }
    }

    static func graph(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        guard let identity = app.identity else { return app.configurationPage() }
        guard let (session, user) = try app.sessions.signedIn(request) else { return app.signInRedirect(next: "/graph") }
        guard let account = session.account else { return app.signInRedirect(next: "/graph") }

        // Refreshing is a network call: it runs on a copy, without holding the session lock,
        // and the new tokens are written back afterwards.
        var cache = session.tokens
        let token: AccessTokenResult
        do {
            token = try identity.client.acquireTokenSilently(account: account, cache: &cache)
        } catch where error.needsInteractiveSignIn {
            app.logger.info("Silent token acquisition needs a new sign-in", metadata: ["reason": "\(error.logReason)"])
            return app.signInRedirect(next: "/graph")
        } catch {
            return SignInRoutes.signInFailure(error, app: app, next: "/graph")
        }
        if cache != session.tokens {
            _ = try app.sessions.store.update(session.id) { stored in
                stored.tokens = cache
                if let claims = token.refreshedIDTokenClaims { stored.claims = claims.raw }
            }
        }

        let graph = GraphClient(endpoint: identity.graphEndpoint, transport: identity.transport)
        do {
            let profile = try graph.profile(accessToken: token.accessToken)
            return app.page("graph", [
                "endpoint": identity.graphEndpoint,
                "fields": ProfileTable.rows(profile),
                "rawJSON": ProfileTable.prettyJSON(profile),
            ], user: user)
        } catch {
            return graphFailure(error, session: session, user: user, app: app)
        }
    }

    static func graphFailure(_ failure: GraphClient.Failure, session: Session, user: SignedInUser, app: AppContext) -> HTTPResponse {
        let message: String
        var status = HTTPStatus.badGateway
        let api = app.configuration.usesMicrosoftGraph ? "Microsoft Graph" : "The profile endpoint"
        switch failure {
        case .claimsChallenge(let claims):
            // Conditional Access wants more (e.g. MFA): sign in again asking for those claims.
            app.logger.info("Graph returned a claims challenge")
            _ = try? app.sessions.store.update(session.id) { $0.claimsChallenge = claims }
            return app.signInRedirect(next: "/graph")
        case .unauthorized:
            message = "\(api) did not accept your access token (HTTP 401). Signing out and in again usually fixes this."
        case .forbidden:
            status = .forbidden
            message = "\(api) refused access (HTTP 403): the app may lack consent for the requested permission."
        case .unavailable(let code):
            message = "\(api) is unavailable right now (HTTP \(code)). Please try again in a moment."
        case .unexpectedStatus(let code):
            message = "\(api) answered with an unexpected status (HTTP \(code))."
        case .unreachable(let error):
            message = "\(api) could not be reached (\(error)). Please try again in a moment."
        case .notJSON:
            message = "\(api) sent a response that is not JSON."
        }
        app.logger.notice("Graph call failed", metadata: ["reason": "\(failure)"])
        return app.errorPage(heading: "Your profile could not be loaded", message: message, retryURL: "/graph", user: user, status: status)
    }
}
