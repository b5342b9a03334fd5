// The contract for outbound HTTP calls (token endpoint, discovery, JWKS, Graph), so the
// OIDC client and the pages can be tested with an in-memory transport. Methods and headers
// are HTTPCore's, the same types the server's requests and responses use.
import HTTPCore

/// A request to send to another server.
public struct OutboundRequest: Sendable {
    /// The request method; GET without a body, HEAD without reading one, anything else
    /// sends `body`.
    public var method: HTTPMethod
    /// An absolute http or https URL.
    public var url: String
    /// Header fields to send (Host, Content-Length and framing are the transport's).
    public var headers: HTTPHeaders
    /// The body to send.
    public var body: [UInt8]

    /// A request to `url`.
    public init(method: HTTPMethod = .GET, url: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back.
public struct OutboundResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response's header fields, in order (look one up with `headers["Name"]`).
    public var headers: HTTPHeaders
    /// The body, as received (within the transport's size limit).
    public var body: [UInt8]

    /// A response with `status`.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
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

/// Sends requests: `send` blocks until the response arrives or the transport gives up, so
/// callers run it off the server's event loop; `begin` is for the event loop itself.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits for the whole response.
    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse
    /// Starts `request` without blocking, for a caller on an event loop, when the transport
    /// can (`CurlTransport`, on a kept-alive connection); nil otherwise, and the caller then
    /// uses `send` on a thread that may block. Nil unless a transport says otherwise.
    func begin(_ request: OutboundRequest) -> OutboundCall?
}

extension HTTPTransport {
    /// No call can start without blocking: callers use `send`.
    public func begin(_ request: OutboundRequest) -> OutboundCall? { nil }
}
