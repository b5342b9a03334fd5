import FoundationEssentials
import HTTPServer
import SessionStore

/// How routes reach the session store: the cookie for this request (Secure and
/// `__Host-` over https), the session handle it carries, and the signed-in user.
struct SessionAccess: Sendable {
    let store: any SessionStore
    let clock: @Sendable () -> Date

    func cookie(for request: HTTPRequest) -> SessionCookie {
        SessionCookie(secure: request.scheme == "https", policy: store.policy)
    }

    /// The well-formed session handle the browser sent, if any. Nothing else reaches the store.
    func handle(from request: HTTPRequest) -> SessionHandle? {
        let cookie = cookie(for: request)
        for header in request.headers.values("Cookie") {
            if let handle = cookie.sessionHandle(fromCookieHeader: header) { return handle }
        }
        return nil
    }

    /// The live session of this request, if any.
    func load(_ request: HTTPRequest) throws -> Session? {
        guard let handle = handle(from: request) else { return nil }
        return try store.load(handle)
    }

    /// The signed-in session of this request and its user, or nil.
    func signedIn(_ request: HTTPRequest) throws -> (session: Session, user: SignedInUser)? {
        guard let session = try load(request), let user = SignedInUser(session: session) else { return nil }
        return (session, user)
    }

    func setCookie(_ session: Session, for request: HTTPRequest) -> String {
        cookie(for: request).setCookie(for: session, now: clock())
    }
}
