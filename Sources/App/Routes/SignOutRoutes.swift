import HTTPServer
import OIDC

/// `/logout`. A GET (a link, an image, a page anywhere can make one) never signs out: it
/// shows the Sign out button. The button's POST, from this origin and with the session's
/// sign-out token (`SignOutProtection`), deletes the session file, expires the cookie and
/// sends the browser to the provider's end-session endpoint, which returns it to `/`.
/// Anything else changes nothing and says so.
struct SignOutRoutes {
    let app: AppContext

    /// `GET` and `POST /logout`; both may block on the session store and the provider's metadata.
    func register(on router: Router) {
        let app = app
        router.get("/logout", .blocking) { request in try Self.confirmation(request, app: app) }
        router.post("/logout", .blocking) { request in try Self.signOut(request, app: app) }
    }

    /// The GET: the Sign out button for a signed-in browser, home for anyone else.
    static func confirmation(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        guard let (_, user) = try app.sessions.signedIn(request) else { return home(status: .found) }
        return app.page("logout", [:], user: user)
    }

    /// The POST: checked (`SignOutProtection`), then the session ends and the browser goes on
    /// to the provider's end-session endpoint.
    static func signOut(_ request: HTTPRequest, app: AppContext) throws -> HTTPResponse {
        // Nobody is signed in: nothing to end here, and no reason to send anyone to the provider.
        guard let session = try app.sessions.load(request), let user = SignedInUser(session: session) else {
            return home(status: .seeOther)
        }
        if let reason = SignOutProtection.refusal(request, session: session) {
            app.logger.notice("Sign-out refused", metadata: ["reason": "\(reason)"])
            return app.page("logout", ["refused": true], user: user, status: .forbidden)
        }
        try app.sessions.delete(session)
        var destination = "/"
        let identity = app.identity
        if let identity {
            do {
                destination = try identity.client.endSessionURL(postLogoutRedirectURI: identity.origin + "/",
                                                                idTokenClaims: IDTokenClaims(raw: session.claims)) ?? "/"
            } catch {
                // The local session is gone either way; without metadata the provider's own
                // session cannot be ended from here, which the log records.
                app.logger.warning("Provider sign-out skipped", metadata: ["reason": "\(error.logReason)"])
            }
        }
        var response: HTTPResponse
        let destinationOrigin = IdentityFactory.origin(of: destination).flatMap(SignOutProtection.normalizedOrigin)
        if destination.hasPrefix("/") || destinationOrigin == SignOutProtection.requestOrigin(request) {
            response = .redirect(to: destination, status: .seeOther)
        } else {
            // Browsers apply the page's CSP `form-action 'self'` to redirects after a form
            // post, so a redirect to another origin would be blocked: a page continues instead.
            response = app.page("logout", ["continueURL": destination, "providerName": identity?.providerName ?? "the identity provider"],
                                user: nil)
        }
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Set-Cookie", app.sessions.cookie(for: request).expiredCookie())
        return response
    }

    /// A redirect to `/` that no cache keeps.
    private static func home(status: HTTPStatus) -> HTTPResponse {
        var response = HTTPResponse.redirect(to: "/", status: status)
        response.headers["Cache-Control"] = "no-store"
        return response
    }
}
