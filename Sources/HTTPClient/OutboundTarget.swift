import Encodings
import FoundationEssentials

/// Where an outbound request goes, parsed once: the origin a connection is opened to and
/// reused for, and the request-target written on the request line. libcurl is handed a URL
/// rebuilt from this origin only, so what it connects to and what the Host header names
/// cannot come from two different readings of the caller's URL.
struct OutboundTarget: Equatable {
    /// `http` or `https`.
    let scheme: String
    /// The host as the URL spells it (IPv6 literals in brackets).
    let host: String
    /// The port, the scheme's default when the URL names none.
    let port: Int
    /// Path and query, as sent on the request line (`/` for an empty path).
    let requestTarget: String

    /// The connection key: requests to one origin share kept-alive connections.
    var origin: String { "\(scheme)://\(host):\(port)" }

    /// The URL libcurl connects to: the origin and nothing the caller wrote after it.
    var connectURL: String { origin + "/" }

    /// The Host header: the port only when it is not the scheme's default (RFC 9110 7.2).
    var hostHeader: String { port == Self.defaultPort(scheme) ? host : "\(host):\(port)" }

    /// Parses `url`; nil for anything but an absolute http or https URL with a host, a port
    /// in range, no user information, and a request-target of visible ASCII only (URLComponents
    /// percent-encodes spaces and non-ASCII characters; anything else left is refused).
    init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.literalHost, !host.isEmpty,
              components.percentEncodedUser == nil, components.percentEncodedPassword == nil
        else { return nil }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        let port = components.port ?? Self.defaultPort(scheme)
        guard (1...65535).contains(port), target.utf8.first == UInt8(ascii: "/"), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.requestTarget = target
    }

    /// 443 for https, 80 for http.
    private static func defaultPort(_ scheme: String) -> Int { scheme == "https" ? 443 : 80 }
}
