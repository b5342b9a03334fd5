import HTTPServer
import OIDC

/// `GET /logout` and `POST /logout`: the session file is deleted and the cookie expired,
/// then the browser goes to the provider's end-session endpoint, which returns it to `/`.
struct SignOutRoutes {
    let app: AppContext

    func register(on router: Router) {
        let app = app
        let handler: Router.Handler = { request in try Self.signOut(request, app: app) }
        router.get("/logout", .blocking, handler)
        router.post("/logout", .blocking, handler)
    }

    static func signOut(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        let session = try app.sessions.load(request)
        if let session { try app.sessions.store.delete(session.id) }
        var destination = "/"
        if let identity = app.identity {
            let claims = session.map { IDTokenClaims(raw: $0.claims) }
            do {
                destination = try identity.client.endSessionURL(postLogoutRedirectURI: identity.origin + "/", idTokenClaims: claims) ?? "/"
            } catch {
                // The local session is gone either way; without metadata the provider's own
                // session cannot be ended from here, which the log records.
                app.logger.warning("Provider sign-out skipped", metadata: ["reason": "\(error.logReason)"])
            }
        }
        var response = HTTPResponse.redirect(to: destination, status: request.method == .POST ? .seeOther : .found)
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Set-Cookie", app.sessions.cookie(for: request).expiredCookie())
        return response
    }
}
