// The session cookie as plain strings: the `Set-Cookie` value to send and the id to take
// from a `Cookie` header. No HTTP types, so any server can use it.
import FoundationEssentials

/// Builds and parses the session cookie.
///
/// Over https the cookie is `__Host-session` with `Secure`: the prefix makes browsers refuse
/// it unless it is Secure, host-only (no Domain) and `Path=/`, so a sibling subdomain cannot
/// plant a session id (fixation). Over plain http (local development) it is `session`.
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
        return setCookie(id: session.id, maxAge: Int(remaining.rounded(.down)))
    }

    /// The `Set-Cookie` value carrying `id`, with `maxAge` clamped to `0...absoluteLifetime`.
    /// `id` must come from the store; anything else is a programming error.
    public func setCookie(id: String, maxAge: Int) -> String {
        // Also guarantees the value cannot smuggle `;` or line breaks into the header.
        precondition(SessionID.isWellFormed(id), "not a session id")
        let clamped = max(0, min(maxAge, Int(absoluteLifetime)))
        return "\(name)=\(id); Max-Age=\(clamped); \(attributes)"
    }

    /// The `Set-Cookie` value that makes the browser drop the cookie (sign-out).
    public func expiredCookie() -> String {
        "\(name)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; \(attributes)"
    }

    /// The session id in a `Cookie` request header, or nil when there is no cookie of this
    /// name holding a well-formed id. Values of any other shape (too long, `../x`, NUL,
    /// percent-encoded) are ignored here, before the store sees them.
    public func sessionID(fromCookieHeader header: String) -> String? {
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " || $0 == "\t" })
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            guard trimmed[..<equals] == name else { continue }
            var value = trimmed[trimmed.index(after: equals)...]
            while value.last == " " || value.last == "\t" { value.removeLast() }
            // RFC 6265 allows the value in double quotes.
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            // The first well-formed one wins: browsers send the most specific cookie first.
            if SessionID.isWellFormed(value) { return String(value) }
        }
        return nil
    }

    /// The id if `value` (a cookie value already extracted by the server) is well-formed.
    public static func sessionID(fromCookieValue value: String) -> String? {
        SessionID.isWellFormed(value) ? value : nil
    }

    private var attributes: String {
        secure ? "Path=/; HttpOnly; SameSite=Lax; Secure" : "Path=/; HttpOnly; SameSite=Lax"
    }
}
