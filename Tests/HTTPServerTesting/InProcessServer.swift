import Glibc
import HTTPServer
import Logging
import ThreadSupport

/// Drives a responder the way the server's event loop does, with no socket under it: in
/// the spirit of HummingbirdTesting's router mode, for tests that want the server's
/// behaviour without its threads and ports.
///
/// The bytes a client sends go through the server's parser with the server's limits. Each
/// head is admitted as on the loop (`Exchange.admit`): the TCP peer's address, trusted
/// proxies' forwarded headers, the route matched once and its body limit, so a larger
/// body is answered 413 before it is taken. The handler runs on the caller's thread, a
/// `.blocking` route's too (the caller is no event loop); a route's event-loop attempt runs
/// first, as on the loop, its descriptor waits done with poll(2); a thrown error is the
/// loop's 500.
/// The answer is framed and serialized as on the wire (HEAD without its body,
/// `Connection: close` when the client or the handler asks, then nothing more is read) and
/// access-logged like the server's.
///
///     let server = try InProcessServer(responder: router)
///     let page = try server.send(HTTPRequest(method: .GET, path: "/healthz"))
public struct InProcessServer: Sendable {
    /// What answers the requests.
    public let responder: any HTTPResponder
    /// The server settings that apply without a socket: parse and body limits, trusted
    /// proxies, the access log.
    public let configuration: ServerConfiguration
    /// Peers whose forwarded headers are believed.
    private let proxies: TrustedProxies
    /// Where handler errors and access-log lines go.
    private let logger: Logger
    /// Whether requests are access-logged.
    private let logsAccess: Bool

    /// The client address a request comes from unless told otherwise: this machine, as for
    /// a browser or an HTTP client on 127.0.0.1.
    public static let loopback = IPAddress("127.0.0.1")!

    /// A server for `responder` with `configuration`'s limits and proxies (its host and port
    /// only make the default `Host` of `send`). Throws when TRUSTED_PROXIES holds a bad entry.
    public init(responder: any HTTPResponder, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "in-process", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        self.responder = responder
        self.configuration = configuration
        self.proxies = try TrustedProxies(configuration.trustedProxies)
        self.logger = logger
        self.logsAccess = configuration.logsAccess(to: logger)
    }

    /// `host:port` of the configuration, the `Host` a request gets when it names none.
    public var authority: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(host):\(configuration.port)"
    }

    /// What one connection from `peer` that sends `bytes` (one or more requests, pipelined)
    /// gets back, and whether the server closes it then. A request cut short is left
    /// waiting, as the loop would until its deadline.
    public func exchange(_ bytes: [UInt8], from peer: IPAddress = loopback) -> (output: [UInt8], closed: Bool) {
        var parser = HTTPRequestParser(limits: configuration.parseLimits)
        parser.feed(bytes)
        var output: [UInt8] = []
        // Matched when a head arrives, used when its body is complete (maybe after a 100 Continue).
        var route: MatchedRoute?
        while true {
            let event: HTTPParseEvent?
            do {
                event = try parser.next { head in
                    let matched = Exchange.admit(&head, peer: peer, peerText: peer.description, proxies: proxies, responder: responder)
                    route = matched
                    return matched.kind.bodyLimit(for: head.method)
                }
            } catch {
                let count = ResponseSerializer.write(Exchange.refusal(error), framing: Exchange.refusalFraming,
                                                     dateLine: Self.dateLine(), into: &output)
                log(method: "-", path: "-", status: error.status.code, bytes: count, since: nil, reason: error.reason)
                return (output, true)
            }
            switch event {
            case nil:
                return (output, false)
            case .expectContinue:
                output.append(contentsOf: ResponseSerializer.continueResponse)
            case .request(let request, let keepAlive):
                let matched = route ?? responder.route(for: request)
                route = nil
                if !answer(request, route: matched, keepAlive: keepAlive, into: &output) { return (output, true) }
            }
        }
    }

    /// Runs the handler and appends its framed answer; false when the connection closes.
    private func answer(_ request: HTTPRequest, route: MatchedRoute, keepAlive: Bool, into output: inout [UInt8]) -> Bool {
        let started = MonotonicClock.nanoseconds()
        let response = Exchange.answer(route, request, logger: logger)
        let framing = Exchange.framing(for: response, method: request.method, isHTTP10: request.version.minor == 0,
                                       keepAlive: keepAlive)
        let count = ResponseSerializer.write(response, framing: framing, dateLine: Self.dateLine(), into: &output)
        log(method: request.method.rawValue, path: request.path, status: response.status.code, bytes: count, since: started)
        return framing.keepAlive
    }

    /// Sends `request` from `peer` on a connection of its own and reads the answer as a
    /// client does: the status, the header fields the server wrote (Date, Content-Length,
    /// Connection included) and the body (none for HEAD). A request without `Host` gets
    /// `authority`; one with a body gets its Content-Length.
    public func send(_ request: HTTPRequest, from peer: IPAddress = loopback) throws(ResponseReader.Malformed) -> HTTPResponse {
        let (output, _) = exchange(RequestWriter.bytes(of: request, defaultHost: authority), from: peer)
        return try ResponseReader.final(in: output, bodyExpected: request.method != .HEAD)
    }

    /// An access-log line, as the server writes it.
    private func log(method: String, path: String, status: Int, bytes: Int, since started: UInt64?, reason: String? = nil) {
        guard logsAccess else { return }
        let elapsed = started.map { MonotonicClock.nanoseconds() &- $0 } ?? 0
        AccessLog.log(logger, method: method, path: path, status: status, bytes: bytes, nanoseconds: elapsed, reason: reason)
    }

    /// The `Date:` line of a response written now.
    private static func dateLine() -> [UInt8] {
        Array("Date: ".utf8) + HTTPDate.bytes(time(nil)) + [13, 10]
    }
}
