/// What answers one request, found once from its head: how it runs (`kind`) and the
/// handler. The server asks its responder for it as soon as a head has arrived, refuses a
/// body larger than the kind accepts, and then runs `handler` where the kind says.
public struct MatchedRoute: Sendable {
    /// What a handler does: a request in, a response out (a thrown error becomes a 500).
    public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    /// An attempt to answer on the event loop without blocking, before the handler.
    public typealias LoopAttempt = @Sendable (HTTPRequest) -> LoopAnswer

    /// Where the handler runs and the body it accepts.
    public var kind: RouteKind
    /// Answers the request.
    public var handler: Handler
    /// For a route that runs on a worker: tried first, on the event loop; `handler` runs
    /// where `kind` says only when the attempt answers `.blocking`. Nil: `handler` only.
    public var onLoop: LoopAttempt?

    /// A route of `kind` answered by `handler`, after `onLoop` when there is one.
    public init(kind: RouteKind, onLoop: LoopAttempt? = nil, handler: @escaping Handler) {
        self.kind = kind
        self.onLoop = onLoop
        self.handler = handler
    }
}
