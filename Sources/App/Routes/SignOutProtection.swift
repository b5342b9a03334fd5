import CryptoSupport
import Encodings
import FoundationEssentials
import HTTPServer
import SessionStore

/// What makes a sign-out request the user's own: it comes from this origin (browsers say so
/// in `Sec-Fetch-Site` and `Origin`), and it carries the session's sign-out token, which
/// only pages of this session show. Browsers that send neither header are still covered by
/// the token; a link, an image or a form on another site has none.
enum SignOutProtection {
    /// The session's sign-out token: HMAC-SHA256 of the session cookie's value under a fixed
    /// label. That value is a secret only this browser holds (the store keeps a hash of its id
    /// part, never the secret), so another site cannot compute it; it is the same on every instance
    /// sharing the store and after a restart, changes with the id at sign-in, and a token
    /// seen in a page reveals nothing about the id.
    static func token(sessionID: String) -> String {
        Base64URL.encode(tokenKey.authenticate(Array(sessionID.utf8)))
    }

    /// The fixed label as an HMAC key, prepared once: every signed-in page computes a token.
    private static let tokenKey = HMACKey(Array("entra-web sign-out token v1".utf8))

    /// Why this sign-out POST for `session` is not the user's own; nil when it is.
    static func refusal(_ request: HTTPRequest, session: Session) -> String? {
        if let reason = crossSiteReason(request) { return reason }
        let form = FormURLEncoding.firstValues(String(decoding: request.body, as: UTF8.self))
        guard let presented = form["token"], ConstantTime.equals(presented, token(sessionID: session.handle.cookieValue)) else {
            return "missing or foreign sign-out token"
        }
        return nil
    }

    /// Why the browser says this request comes from another site; nil when it does not.
    /// Only `same-origin` passes: a sibling subdomain (`same-site`) is another application.
    static func crossSiteReason(_ request: HTTPRequest) -> String? {
        if let site = request.headers["Sec-Fetch-Site"], site.lowercased() != "same-origin" {
            let known = ["same-site", "cross-site", "none"].first { $0 == site.lowercased() } ?? "another value"
            return "Sec-Fetch-Site is \(known)"
        }
        // `null` says nothing: our pages' `Referrer-Policy: no-referrer` makes browsers send it
        // on their own same-origin POSTs (Fetch, "serializing a request origin"). A sandboxed
        // frame on another site sends it too, but with Sec-Fetch-Site cross-site, or, in a
        // browser without Fetch Metadata, without this session's token.
        if let origin = request.headers["Origin"], origin != "null" {
            guard let own = requestOrigin(request), normalizedOrigin(origin) == own else { return "Origin is another site's" }
        }
        return nil
    }

    /// `scheme://host[:port]` the browser used for this request (behind a trusted proxy,
    /// its forwarded scheme and host).
    static func requestOrigin(_ request: HTTPRequest) -> String? {
        guard let host = request.host else { return nil }
        return normalizedOrigin("\(request.scheme)://\(host)")
    }

    /// An origin in one spelling: lowercased, without the scheme's default port. Nil for
    /// anything that is not `http(s)://host[:port]` (`null`, paths, credentials).
    static func normalizedOrigin(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.literalHost?.lowercased(), !host.isEmpty,
              components.path.isEmpty, components.query == nil, components.user == nil
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : $0 }
        return "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }
}
