// The contract for outbound HTTP calls (token endpoint, discovery, JWKS, Graph), so the
// OIDC client and the pages can be tested with an in-memory transport.

/// A request to send to another server.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Why a request got no response. Each case is distinct so a page can say what happened.
public enum TransportError: Error, Sendable, Equatable {
    case connectionRefused(host: String)
    case cannotResolveHost(host: String)
    case timedOut
    case tlsFailure(String)
    case responseTooLarge(limit: Int)
    case invalidURL(String)
    case other(String)
}

/// Sends requests and blocks until the response arrives or the transport gives up.
/// Callers run it off the server's event loop.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse
}
