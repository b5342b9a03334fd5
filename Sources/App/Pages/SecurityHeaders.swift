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

    static func apply(to headers: inout HTTPHeaders, private isPrivate: Bool) {
        headers["Content-Security-Policy"] = contentSecurityPolicy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        // Pages with user data must never be kept by a browser or proxy cache; the others
        // are still rendered per visitor state, so they are not cached by shared caches either.
        headers["Cache-Control"] = isPrivate ? "no-store" : "no-cache"
    }
}
