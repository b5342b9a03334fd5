import Encodings
import Foundation
import HTTPClient
import HTTPCore
import HTTPServerTesting

/// A cookie-keeping HTTP client for end-to-end tests, redirects followed by hand so tests
/// can look at each step. It reaches an in-process app through `RunningApp.network`, and
/// anything else (the real server) over sockets, through the app's own libcurl transport.
final class Browser: @unchecked Sendable {
    let base: String
    private(set) var cookies: [String: String] = [:]
    private(set) var cookieHeaders: [String] = []
    /// Real sockets, for origins that are not in-process.
    private let curl = CurlTransport()

    init(base: String) {
        self.base = base
    }

    /// A browser on another instance of the same site (behind one load balancer) holding
    /// this one's cookies: browsers do not tell ports apart for cookies either.
    func at(_ otherBase: String) -> Browser {
        let other = Browser(base: otherBase)
        other.cookies = cookies
        return other
    }

    struct Page {
        let status: Int
        let headers: HTTPHeaders
        let body: String
        let url: String

        func header(_ name: String) -> String? { headers[name] }

        var location: String? { header("Location") }
    }

    func get(_ url: String) throws -> Page {
        try send(OutboundRequest(url: absolute(url)))
    }

    /// A form POST; `headers` adds what a browser (Origin, Sec-Fetch-Site) or a proxy would.
    func post(_ url: String, form: [(String, String)], headers: [(String, String)] = []) throws -> Page {
        try send(OutboundRequest(method: .POST, url: absolute(url),
                                 headers: HTTPHeaders([(name: "Content-Type", value: "application/x-www-form-urlencoded")]
                                     + headers.map { (name: $0.0, value: $0.1) }),
                                 body: Array(FormURLEncoding.encode(form).utf8)))
    }

    /// Follows redirects (as a browser would) until a page that is not one.
    func follow(_ page: Page, limit: Int = 10) throws -> Page {
        var current = page
        for _ in 0..<limit {
            guard (300..<400).contains(current.status), let location = current.location else { return current }
            current = try get(location)
        }
        return current
    }

    func getFollowing(_ url: String) throws -> Page {
        try follow(get(url))
    }

    /// A GET with extra headers (a proxy's X-Forwarded-*).
    func send(path: String, headers: [(String, String)]) throws -> Page {
        try send(OutboundRequest(url: absolute(path), headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) })))
    }

    private func send(_ request: OutboundRequest) throws -> Page {
        var request = request
        if !cookies.isEmpty {
            request.headers.add("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        let transport: any HTTPTransport = RunningApp.network.serves(request.url) ? RunningApp.network : curl
        let response = try transport.send(request)
        for header in response.headers where header.name.lowercased() == "set-cookie" {
            cookieHeaders.append(header.value)
            remember(header.value)
        }
        return Page(status: response.status, headers: response.headers, body: String(decoding: response.body, as: UTF8.self), url: request.url)
    }

    private func remember(_ setCookie: String) {
        let parts = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let eq = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<eq])
        let value = String(pair[pair.index(after: eq)...])
        if parts.contains(where: { $0.lowercased() == "max-age=0" }) || value.isEmpty {
            cookies[name] = nil
        } else {
            cookies[name] = value
        }
    }

    func absolute(_ url: String) -> String {
        url.hasPrefix("http://") || url.hasPrefix("https://") ? url : base + url
    }
}

/// Small HTML readers for the pages the tests walk through.
enum HTML {
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The first `href` whose value contains `fragment`.
    static func link(containing fragment: String, in html: String) -> String? {
        matches(#"href="([^"]*)""#, in: html).map(unescape).first { $0.contains(fragment) }
    }

    /// The form's action and its named fields (hidden inputs).
    static func form(in html: String) -> (action: String, fields: [(String, String)])? {
        guard let action = matches(#"<form method="post" action="([^"]*)""#, in: html).first else { return nil }
        let names = matches(#"<input type="hidden" name="([^"]*)""#, in: html)
        let values = matches(#"<input type="hidden" name="[^"]*" value="([^"]*)""#, in: html)
        return (unescape(action), zip(names, values).map { ($0, unescape($1)) })
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
