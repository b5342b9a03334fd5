import HTTPServer

/// The headers every HTML response carries: a strict Content-Security-Policy (no inline
/// scripts, no framing), nosniff, and a referrer policy that keeps authorization codes and
/// page addresses from leaking to other sites.
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Every header of an HTML page, its content type first; built once, copied per response.
    static func headers(private isPrivate: Bool) -> HTTPHeaders {
        [
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            // Pages with user data must never be kept by a browser or proxy cache; the others
            // are still rendered per visitor state, so they are not cached by shared caches either.
            "Cache-Control": isPrivate ? "no-store" : "no-cache",
        ]
    }

    /// The headers of a page anyone may see.
    static let page = headers(private: false)
    /// The headers of a page showing a signed-in user's data.
    static let privatePage = headers(private: true)
}
