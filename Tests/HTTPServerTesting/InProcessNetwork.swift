import HTTPClient
import HTTPServer
import Synchronization

/// A stand-in for the network between HTTP clients and in-process servers, as an
/// `HTTPTransport`: each request goes, by its URL's origin, to the `InProcessServer`
/// attached there, from a loopback peer, with no socket and no libcurl. It answers as
/// `CurlTransport` does: `Host` from the URL unless the request names one, `Accept: */*`
/// unless it names one, a body's Content-Length, no body for HEAD, `.responseTooLarge`
/// past the limit, and `.connectionRefused` from an origin nothing is attached to (a
/// port nothing listens on).
public final class InProcessNetwork: HTTPTransport, Sendable {
    /// The servers, by origin (`http://127.0.0.1:20001`).
    private let servers = Mutex<[String: InProcessServer]>([:])
    /// The next port `attach` tries.
    private let nextPort = Atomic<Int>(InProcessNetwork.ports.lowerBound)
    /// Larger response bodies are refused, as by `CurlTransport.Options.maximumResponseBytes`.
    public let maximumResponseBytes: Int

    /// The ports in-process origins get: below Linux's ephemeral range (32768 and up), so an
    /// origin never names a real test server listening on a port the system picked.
    public static let ports = 20000..<32768

    /// An empty network, refusing every request until servers are attached.
    public init(maximumResponseBytes: Int = 1 << 20) {
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Attaches `server` at `http://host:port` with a port no other server of this network
    /// has, and returns the port.
    public func attach(_ server: InProcessServer, host: String = "127.0.0.1") -> Int {
        while true {
            let port = Self.ports.lowerBound + (nextPort.wrappingAdd(1, ordering: .relaxed).oldValue - Self.ports.lowerBound) % Self.ports.count
            let attached = servers.withLock { servers in
                let origin = Self.origin(scheme: "http", host: host, port: port)
                guard servers[origin] == nil else { return false }
                servers[origin] = server
                return true
            }
            if attached { return port }
        }
    }

    /// Detaches the server at `host:port`: its origin refuses connections from now on.
    public func detach(host: String = "127.0.0.1", port: Int) {
        _ = servers.withLock { $0.removeValue(forKey: Self.origin(scheme: "http", host: host, port: port)) }
    }

    /// Whether a server is attached at `url`'s origin.
    public func serves(_ url: String) -> Bool {
        guard let target = Target(url) else { return false }
        return servers.withLock { $0[target.origin] != nil }
    }

    /// Sends `request` to the server at its URL's origin and returns its answer.
    public func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        guard let target = Target(request.url) else { throw .invalidURL("unsupported or malformed URL") }
        guard let server = servers.withLock({ $0[target.origin] }) else { throw .connectionRefused(host: target.host) }
        var headers = request.headers
        if !headers.contains("Host") { headers.add("Host", target.authority) }
        if !headers.contains("Accept") { headers.add("Accept", "*/*") }
        let inbound = HTTPRequest(method: request.method, path: target.path, query: target.query, headers: headers, body: request.body)
        let response: HTTPResponse
        do {
            response = try server.send(inbound, from: IPAddress(target.host.contains(":") ? "::1" : "127.0.0.1")!)
        } catch {
            throw .other("\(error)")
        }
        if response.body.count > maximumResponseBytes { throw .responseTooLarge(limit: maximumResponseBytes) }
        return OutboundResponse(status: response.status.code, headers: response.headers, body: response.body)
    }

    /// `scheme://host:port`, the key servers are attached under.
    static func origin(scheme: String, host: String, port: Int) -> String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The parts of an absolute http(s) URL a request needs.
    struct Target {
        /// `scheme://host:port`, the port spelled out.
        let origin: String
        /// The host, without brackets.
        let host: String
        /// `host[:port]` as written in the URL, for the `Host` header.
        let authority: String
        /// The path, `/` when the URL has none.
        let path: String
        /// What follows `?`, without any fragment.
        let query: String?

        /// Nil for anything but an absolute http or https URL with a host.
        init?(_ url: String) {
            guard let schemeEnd = url.firstRange(of: "://") else { return nil }
            let scheme = url[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            var rest = url[schemeEnd.upperBound...]
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = String(rest[..<authorityEnd])
            let target = rest[authorityEnd...]
            var host = Substring(authority)
            var port = scheme == "https" ? 443 : 80
            if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
                guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
                host = authority[..<colon]
                port = number
            }
            if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            guard !host.isEmpty else { return nil }
            self.host = host.lowercased()
            self.authority = authority
            self.origin = InProcessNetwork.origin(scheme: scheme, host: self.host, port: port)
            let question = target.firstIndex(of: "?")
            let path = String(target[..<(question ?? target.endIndex)])
            self.path = path.isEmpty ? "/" : path
            self.query = question.map { String(target[target.index(after: $0)...]) }
        }
    }
}
