/// How a route runs and how large a request body it accepts: declared once, where the route
/// is registered (`router.get("/graph", .blocking) { ... }`), and used by the server for every
/// request the route answers.
public struct RouteKind: Sendable, Equatable {
    /// Which thread runs the handler.
    public enum Execution: Sendable, Equatable {
        /// On the event loop that read the request: no thread hand-off, so the cheapest, but
        /// every other connection of that loop waits while the handler runs. For handlers
        /// that only compute: no lock held across I/O, no fsync, no network, no file lock.
        case eventLoop
        /// On the worker pool: for handlers that wait on anything (an upstream HTTP call, a
        /// file lock, fsync). A full queue is answered 503 with Retry-After.
        case worker
        /// On a lane of its own (`WorkerLane`): for handlers that must neither run on the
        /// event loop (they compute for long, e.g. RSA signing) nor wait behind the worker
        /// pool, because handlers on the pool wait for them (a development identity provider
        /// in the same process as the app calling it). A full lane is answered 503 likewise.
        case lane(WorkerLane)
    }

    /// Where the handler runs.
    public var execution: Execution
    /// The largest request body accepted, in bytes; nil takes the method's default (none
    /// for GET and HEAD, `defaultMaxBodyBytes` for the others). A larger body is answered
    /// 413 before it is read; the server-wide `ServerConfiguration.maxBodyBytes` caps it.
    public var maxBodyBytes: Int?

    /// A kind with an explicit execution and body limit.
    public init(execution: Execution, maxBodyBytes: Int? = nil) {
        self.execution = execution
        self.maxBodyBytes = maxBodyBytes
    }

    /// Runs on the event loop; see `Execution.eventLoop` for what its handler must not do.
    public static let nonBlocking = RouteKind(execution: .eventLoop)

    /// Runs on the worker pool.
    public static let blocking = RouteKind(execution: .worker)

    /// Runs on `lane`'s own threads.
    public static func blocking(on lane: WorkerLane) -> RouteKind {
        RouteKind(execution: .lane(lane))
    }

    /// `.blocking` when `mayBlock` holds, else `.nonBlocking`: for a route whose handler
    /// blocks only with some back ends, decided once where it is registered, e.g.
    /// `router.get("/", .blocking(if: store.readsMayBlock)) { ... }`.
    public static func blocking(if mayBlock: Bool) -> RouteKind {
        mayBlock ? .blocking : .nonBlocking
    }

    /// The same kind accepting bodies up to `bytes` (forms larger than the default, uploads).
    public func acceptingBody(upTo bytes: Int) -> RouteKind {
        RouteKind(execution: execution, maxBodyBytes: max(0, bytes))
    }

    /// The body limit of routes that do not declare one and are not GET or HEAD: room for a
    /// sign-in form or a token request (a few KB), not for uploads.
    public static let defaultMaxBodyBytes = 16 * 1024

    /// The largest body this kind accepts for a request with `method`.
    public func bodyLimit(for method: HTTPMethod) -> Int {
        if let maxBodyBytes { return maxBodyBytes }
        return method == .GET || method == .HEAD ? 0 : Self.defaultMaxBodyBytes
    }
}
