// The contract between the server and the code that answers requests.

/// Finds what answers a request. The server calls `route(for:)` once per request, on its
/// event-loop thread, as soon as the request's head has arrived (its body is still unread
/// and empty), and uses the answer for everything that follows: the body limit (413 before
/// a larger body is read), where the handler runs, and the handler itself.
///
/// `route(for:)` itself runs on the event loop: it must be cheap and must never block.
/// A route declared `.nonBlocking` runs its handler on the event loop too, where every other
/// connection of that loop waits for it: such a handler must not take a lock across I/O,
/// fsync, wait on a file lock or call the network. Anything that may wait is declared
/// `.blocking` and runs on the worker pool; such a route may also try its usual case on the
/// event loop first (`MatchedRoute.onLoop`), waiting for a socket through the loop's epoll
/// (`LoopAnswer.waiting`) instead of on a worker's thread.
public protocol HTTPResponder: Sendable {
    /// The route that answers a request with this head.
    func route(for head: HTTPRequest) -> MatchedRoute
}

extension HTTPResponder {
    /// Matches `request` and runs its handler right here, in one call, with nothing of what
    /// the server adds (the peer's address, forwarded headers, the body limit, the framing):
    /// for unit tests of one responder. The server does not use it; it matches once and runs
    /// the handler where the route's kind says. To answer as the server does, without a
    /// socket, tests use `HTTPServerTesting.InProcessServer`.
    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        try route(for: request).handler(request)
    }
}
