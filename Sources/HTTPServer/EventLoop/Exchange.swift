import Glibc
import Logging
import ThreadSupport

/// The steps of answering a request that need no socket: what the server notes on a head,
/// how a handler's answer or error becomes the response, how that response is framed, and
/// what a refused request is told. The event loop takes them from here, and so does the
/// in-process test client (`HTTPServerTesting`), so both answer alike.
package enum Exchange {
    /// A head has arrived from `peer`: notes who sent it (the TCP peer as it is, and the
    /// client, scheme and host that trusted proxies' forwarded headers vouch for) and
    /// matches its route, once. The route's kind then says how large a body to accept.
    package static func admit(
        _ head: inout HTTPRequest, peer: IPAddress?, peerText: String, proxies: TrustedProxies, responder: any HTTPResponder
    ) -> MatchedRoute {
        if let peer {
            // The TCP peer as it is, for checks that must not trust any forwarded header.
            head.peerAddress = peerText
            ForwardedHeaders.apply(to: &head, peer: peer, peerText: peerText, trusted: proxies)
        }
        return responder.route(for: head)
    }

    /// Calls a handler; a thrown error becomes a plain 500 and a log line.
    package static func run(_ handler: MatchedRoute.Handler, _ request: HTTPRequest, logger: Logger) -> HTTPResponse {
        do {
            return try handler(request)
        } catch {
            logger.error("Handler failed for \(request.method.rawValue) \(request.path): \(error)")
            return .text("Internal Server Error\n", status: .internalServerError)
        }
    }

    /// Answers as the loop would, on the caller's thread: the route's event-loop attempt
    /// first, with poll(2) waiting where the loop's epoll would, then its handler if the
    /// attempt says `.blocking`. For the in-process test client, which has no loop.
    package static func answer(_ route: MatchedRoute, _ request: HTTPRequest, logger: Logger) -> HTTPResponse {
        guard let attempt = route.onLoop else { return run(route.handler, request, logger: logger) }
        var answer = attempt(request)
        while true {
            switch answer {
            case .response(let response):
                return response
            case .blocking:
                return run(route.handler, request, logger: logger)
            case .waiting(let wait):
                let now = MonotonicClock.coarseMilliseconds()
                let left = wait.deadline > now ? Int32(clamping: wait.deadline - now) : 0
                var entry = pollfd(fd: wait.descriptor, events: Int16(wait.readiness == .readable ? POLLIN : POLLOUT), revents: 0)
                let ready = poll(&entry, 1, left)
                answer = wait.resume(ready > 0 ? .ready : .timedOut)
            }
        }
    }

    /// How `response` to a `method` request goes out: `keepAlive` is what the connection
    /// allows; a handler may still ask for the connection to be closed (`Connection: close`).
    package static func framing(
        for response: HTTPResponse, method: HTTPMethod, isHTTP10: Bool, keepAlive: Bool
    ) -> ResponseSerializer.Framing {
        ResponseSerializer.Framing(isHead: method == .HEAD, isHTTP10: isHTTP10, keepAlive: keepAlive && !asksToClose(response))
    }

    /// The handler said `Connection: close`.
    static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.headers["Connection"] else { return false }
        return value.utf8.count == 5 && HTTPHeaders.same(value, "close")
    }

    /// The answer to a request the parser refused (malformed, too large): its status, then
    /// the connection closes.
    package static func refusal(_ error: HTTPParseError) -> HTTPResponse {
        HTTPResponse.text("\(error.status.reason)\n", status: error.status)
    }

    /// The framing of a refusal: never kept alive, whatever the request said.
    package static let refusalFraming = ResponseSerializer.Framing(isHead: false, isHTTP10: false, keepAlive: false)
}
