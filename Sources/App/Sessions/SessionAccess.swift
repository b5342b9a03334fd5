import FoundationEssentials
import HTTPServer
import Logging
import OIDC
import SessionStore

/// How routes reach the session store: the cookie for this request (Secure and
/// `__Host-` over https), the session handle it carries, and the signed-in user, who must
/// still be of a tenant the app lets in.
struct SessionAccess: Sendable {
    let store: any SessionStore
    let clock: @Sendable () -> Date
    /// The sign-in set-up whose tenant rules every signed-in session is held to.
    let identitySlot: IdentitySlot
    /// Ends the sessions those rules no longer admit.
    let revocations: SessionRevocations
    let logger: Logger
    /// Token caches decoded for earlier requests of the same sessions.
    let decodedTokens = DecodedTokenCaches()

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

    /// The live session of this request, if any. A signed-in session whose tenant the
    /// current settings no longer let in (ALLOWED_TENANTS changed since it signed in) is
    /// signed out here, on whichever request reads it first: nil, and the session deleted.
    func load(_ request: HTTPRequest) throws -> Session? {
        guard let handle = handle(from: request), let session = try store.load(handle) else { return nil }
        if session.isSignedIn, let client = identitySlot.current?.client,
           let tenant = client.tenantRefusal(forSignedIn: IDTokenClaims(raw: session.claims))
        {
            logger.warning("Signed out a session whose tenant is no longer allowed", metadata: ["tenant": "\(tenant)"])
            decodedTokens.forget(handle)
            revocations.revoke(handle, in: store)
            return nil
        }
        return session
    }

    /// The signed-in session of this request and its user, or nil.
    func signedIn(_ request: HTTPRequest) throws -> (session: Session, user: SignedInUser)? {
        guard let session = try load(request), let user = SignedInUser(session: session) else { return nil }
        return (session, user)
    }

    /// The signed-in account's tokens in `session`, decoded once per change of its cache.
    func tokens(of session: Session) -> SignedInTokens? {
        decodedTokens.tokens(of: session)
    }

    /// Ends `session` on every instance sharing the store (sign-out).
    func delete(_ session: Session) throws {
        decodedTokens.forget(session.handle)
        try store.delete(session.handle)
    }

    func setCookie(_ session: Session, for request: HTTPRequest) -> String {
        cookie(for: request).setCookie(for: session, now: clock())
    }
}
