import Encodings
import HTTPServer

/// Tells a browser's top-level navigation, which a protected page may send through sign-in,
/// from a script's `fetch()` or an API client's call, which cannot follow a redirect to the
/// identity provider and gets a 401 (or 403) with a small JSON body instead.
enum APICaller {
    /// The request headers the decision reads; every answer that depends on it names them
    /// in `Vary`.
    static let varyHeaders = "Accept, Sec-Fetch-Mode, X-Requested-With"

    /// True when `request` is not a top-level navigation: the browser says so
    /// (`Sec-Fetch-Mode` present and not `navigate`), a script library says so
    /// (`X-Requested-With`), or the client prefers JSON to HTML (`Accept`).
    static func isAPICall(_ request: HTTPRequest) -> Bool {
        if request.headers["X-Requested-With"] != nil { return true }
        if let mode = request.headers["Sec-Fetch-Mode"], mode.lowercased() != "navigate" { return true }
        if let accept = request.headers["Accept"] { return prefersJSON(accept: accept) }
        return false
    }

    /// Whether an `Accept` header ranks `application/json` above `text/html` (RFC 9110
    /// section 12.5.1: each type takes the quality of the most specific range that matches
    /// it). At equal quality, the type named more specifically wins: `application/json,
    /// */*` asks for JSON; `*/*` alone, or a browser's `text/html,...,*/*;q=0.8`, means HTML.
    static func prefersJSON(accept: String) -> Bool {
        let json = match(of: ("application", "json"), in: accept)
        let html = match(of: ("text", "html"), in: accept)
        return json.quality > html.quality || (json.quality == html.quality && json.quality > 0 && json.specificity > html.specificity)
    }

    /// The quality `accept` gives to `type`, 0 when no range matches it.
    static func quality(of type: (String, String), in accept: String) -> Double {
        match(of: type, in: accept).quality
    }

    /// The most specific range of `accept` that matches `type` (2: the type itself, 1:
    /// `type/*`, 0: `*/*`, -1: none) and the quality it gives.
    private static func match(of type: (String, String), in accept: String) -> (specificity: Int, quality: Double) {
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";")
            guard let mediaRange = parts.first?.trimmingWhitespace.lowercased() else { continue }
            let halves = mediaRange.split(separator: "/", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let specificity: Int
            switch (halves[0], halves[1]) {
            case (Substring(type.0), Substring(type.1)): specificity = 2
            case (Substring(type.0), "*"): specificity = 1
            case ("*", "*"): specificity = 0
            default: continue
            }
            guard specificity > best.specificity else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingWhitespace.lowercased() == "q" {
                    quality = Double(pair[1].trimmingWhitespace).map { min(max($0, 0), 1) } ?? 0
                }
            }
            best = (specificity, quality)
        }
        return best
    }

    /// 401 for a call that needs someone signed in: JSON naming where a browser signs in,
    /// and a `Cookie` challenge (the scheme of draft-broyer-http-cookie-auth: this app
    /// authenticates with a cookie that its sign-in page sets, not with a header a client
    /// could send).
    static func unauthenticated(signIn: String, cookieName: String) -> HTTPResponse {
        var response = json(["error": "unauthenticated", "login": .string(signIn)], status: .unauthorized)
        response.headers["WWW-Authenticate"] = "Cookie realm=\"entra-web\", form-action=\"\(signIn)\", cookie-name=\"\(cookieName)\""
        return response
    }

    /// 403 for a signed-in caller without the app role a route needs.
    static func forbidden(missingRole role: String) -> HTTPResponse {
        json(["error": "forbidden", "missing_role": .string(role)], status: .forbidden)
    }

    /// A JSON answer no cache keeps, varying on the headers that chose it.
    private static func json(_ object: [String: JSONValue], status: HTTPStatus) -> HTTPResponse {
        HTTPResponse(status: status, headers: [
            "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Vary": varyHeaders,
            "X-Content-Type-Options": "nosniff",
        ], body: JSONValue.serialize(object))
    }
}
