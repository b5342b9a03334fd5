// The session cookie as plain strings: the `Set-Cookie` value to send and the handle to take
// from a `Cookie` header. No HTTP types, so any server can use it.
import Encodings
import FoundationEssentials

/// Builds and parses the session cookie.
///
/// Over https the cookie is `__Host-session` with `Secure`: the prefix makes browsers refuse
/// it unless it is Secure, host-only (no Domain) and `Path=/`, so a sibling subdomain cannot
/// plant a session (fixation). Over plain http (local development) it is `session`. The value
/// is the session's handle, `<id>.<secret>` (see `SessionHandle`).
public struct SessionCookie: Sendable, Equatable {
    /// True when the app is reached over https, directly or through a trusted proxy.
    public let secure: Bool
    /// Max-Age never exceeds this (the store's absolute lifetime).
    public let absoluteLifetime: TimeInterval

    public init(secure: Bool, policy: SessionPolicy = SessionPolicy()) {
        self.secure = secure
        self.absoluteLifetime = policy.absoluteLifetime
    }

    /// The cookie name: `__Host-session` over https, `session` over http.
    public var name: String {
        secure ? "__Host-session" : "session"
    }

    /// The `Set-Cookie` value for `session`, living until the session's absolute lifetime
    /// ends (the idle timeout is enforced on the server, which a cookie cannot express).
    public func setCookie(for session: Session, now: Date) -> String {
        let remaining = session.createdAt.addingTimeInterval(absoluteLifetime).timeIntervalSince(now)
        return setCookie(handle: session.handle, maxAge: Int(remaining.rounded(.down)))
    }

    /// The `Set-Cookie` value carrying `handle`, with `maxAge` clamped to `0...absoluteLifetime`.
    /// The value is made of base64url characters and one dot, so it cannot smuggle `;` or line
    /// breaks into the header.
    public func setCookie(handle: SessionHandle, maxAge: Int) -> String {
        let clamped = max(0, min(maxAge, Int(absoluteLifetime)))
        return "\(name)=\(handle.cookieValue); Max-Age=\(clamped); \(attributes)"
    }

    /// The `Set-Cookie` value that makes the browser drop the cookie (sign-out).
    public func expiredCookie() -> String {
        "\(name)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; \(attributes)"
    }

    /// The session handle in a `Cookie` request header, or nil when there is no cookie of this
    /// name holding a well-formed handle. Values of any other shape (too long, `../x`, NUL,
    /// percent-encoded, the single id of earlier versions) are ignored here, before the store
    /// sees them.
    public func sessionHandle(fromCookieHeader header: String) -> SessionHandle? {
        // The first well-formed one wins: browsers send the most specific cookie first.
        CookieHeader.firstValue(named: name, in: header) { SessionHandle(cookieValue: $0) }
    }

    /// The handle if `value` (a cookie value already extracted by the server) is well-formed.
    public static func sessionHandle(fromCookieValue value: String) -> SessionHandle? {
        SessionHandle(cookieValue: value)
    }

    private var attributes: String {
        secure ? "Path=/; HttpOnly; SameSite=Lax; Secure" : "Path=/; HttpOnly; SameSite=Lax"
    }
}
