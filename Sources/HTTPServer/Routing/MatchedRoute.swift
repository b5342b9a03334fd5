/// What answers one request, found once from its head: how it runs (`kind`) and the
/// handler. The server asks its responder for it as soon as a head has arrived, refuses a
/// body larger than the kind accepts, and then runs `handler` where the kind says.
public struct MatchedRoute: Sendable {
    /// What a handler does: a request in, a response out (a thrown error becomes a 500).
    public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    /// Where the handler runs and the body it accepts.
    public var kind: RouteKind
    /// Answers the request.
    public var handler: Handler

    /// A route of `kind` answered by `handler`.
    public init(kind: RouteKind, handler: @escaping Handler) {
        self.kind = kind
        self.handler = handler
    }
}
