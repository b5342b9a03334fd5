import Encodings

/// A parsed request as handlers see it: method, path, query, headers, body, and who sent it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path, percent-decoding not applied, without the query string.
    public var path: String
    /// The raw query string after `?`, if any. Never logged.
    public var query: String?
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// HTTP/1.0 or HTTP/1.1, as (major, minor).
    public var version: (major: Int, minor: Int)
    /// The address of the client: the TCP peer, or the X-Forwarded-For client when the peer
    /// is a trusted proxy.
    public var clientAddress: String
    /// "https" or "http": from X-Forwarded-Proto behind a trusted proxy, otherwise "http".
    public var scheme: String
    /// The host the client asked for: X-Forwarded-Host behind a trusted proxy, else Host.
    public var host: String?
    /// The TCP peer's address as text (`127.0.0.1`, `::1`), set by the event loop and never
    /// rewritten by forwarded headers; nil for a request that did not come from a socket.
    /// For decisions that must not trust any proxy (the development provider's gate).
    public var peerAddress: String?

    public init(
        method: HTTPMethod, path: String, query: String? = nil, headers: HTTPHeaders = [:],
        body: [UInt8] = [], version: (major: Int, minor: Int) = (1, 1),
        clientAddress: String = "127.0.0.1", scheme: String = "http", host: String? = nil, peerAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.version = version
        self.clientAddress = clientAddress
        self.scheme = scheme
        self.host = host ?? headers["Host"]
        self.peerAddress = peerAddress
    }

    /// Query parameters, percent- and plus-decoded, in order.
    public var queryItems: [(name: String, value: String)] {
        guard let query else { return [] }
        return FormURLEncoding.decode(query)
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
