import Synchronization

/// Maps method + exact path to handlers, and path prefixes to other responders (static
/// files). HEAD falls back to GET; a known path with the wrong method gets 405 with Allow.
/// Every route says what kind it is where it is registered (see `RouteKind`):
///
///     router.get("/healthz", .nonBlocking) { _ in .text("ok") }
///     router.get("/graph", .blocking) { request in try graph(request) }
///     router.post("/upload", .blocking.acceptingBody(upTo: 1 << 20)) { request in try save(request) }
///     router.mount("/static/", StaticFiles(directory: "Public"))
public final class Router: HTTPResponder, Sendable {
    /// What a route's handler does.
    public typealias Handler = MatchedRoute.Handler

    /// A responder answering every path under `prefix`.
    private struct Mount: Sendable {
        var prefix: String
        var responder: any HTTPResponder
    }

    /// Everything registered, copied out per request (a retain, not a deep copy).
    private struct Table: Sendable {
        var routes: [String: [HTTPMethod: MatchedRoute]] = [:]
        var mounts: [Mount] = []
        var notFound = MatchedRoute(kind: .nonBlocking) { _ in .text("Not Found\n", status: .notFound) }
        var methodNotAllowed: @Sendable (HTTPRequest, [HTTPMethod]) throws -> HTTPResponse = { _, allowed in
            var response = HTTPResponse.text("Method Not Allowed\n", status: .methodNotAllowed)
            response.headers["Allow"] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
    }

    // Routes are usually registered before the server starts, but a lock keeps late
    // registration safe; reads copy the table out (a retain, not a deep copy).
    private let table = Mutex<Table>(Table())

    /// A router with no routes: everything is 404 until routes are added.
    public init() {}

    /// Registers `handler` for `method` on exactly `path`, running as `kind` says.
    /// With `onLoop`, the route first tries that on the event loop (see `LoopAnswer`).
    public func add(_ method: HTTPMethod, _ path: String, _ kind: RouteKind, onLoop: MatchedRoute.LoopAttempt? = nil,
                    _ handler: @escaping Handler) {
        table.withLock { $0.routes[path, default: [:]][method] = MatchedRoute(kind: kind, onLoop: onLoop, handler: handler) }
    }

    /// Registers a GET route (HEAD is answered by it too, without the body).
    public func get(_ path: String, _ kind: RouteKind, onLoop: MatchedRoute.LoopAttempt? = nil, _ handler: @escaping Handler) {
        add(.GET, path, kind, onLoop: onLoop, handler)
    }

    /// Registers a POST route.
    public func post(_ path: String, _ kind: RouteKind, _ handler: @escaping Handler) {
        add(.POST, path, kind, handler)
    }

    /// Sends every request whose path starts with `prefix` (e.g. `/static/`) to `responder`,
    /// whose own `route(for:)` declares how each of them runs. Exact routes win over
    /// mounts; among mounts the longest prefix wins.
    public func mount(_ prefix: String, _ responder: any HTTPResponder) {
        table.withLock {
            $0.mounts.append(Mount(prefix: prefix, responder: responder))
            $0.mounts.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
        }
    }

    /// The handler for paths nothing matches (the app renders its 404 page here); it runs
    /// on the event loop.
    public func setNotFound(_ handler: @escaping Handler) {
        table.withLock { $0.notFound = MatchedRoute(kind: .nonBlocking, handler: handler) }
    }

    /// The same as `setNotFound`, as a property.
    public var notFoundHandler: Handler {
        get { table.withLock { $0.notFound.handler } }
        set { setNotFound(newValue) }
    }

    /// The handler for a known path asked with a method it does not have; it runs on the
    /// event loop.
    public func setMethodNotAllowed(_ handler: @escaping @Sendable (HTTPRequest, [HTTPMethod]) throws -> HTTPResponse) {
        table.withLock { $0.methodNotAllowed = handler }
    }

    // MARK: - HTTPResponder

    /// The route for `head`: an exact route, then the longest mount, then 405 or 404.
    public func route(for head: HTTPRequest) -> MatchedRoute {
        let table = self.table.withLock { $0 }
        if let byMethod = table.routes[head.path] {
            if let route = byMethod[head.method] { return route }
            if head.method == .HEAD, let route = byMethod[.GET] { return route }
            var methods = Array(byMethod.keys)
            if byMethod[.GET] != nil && byMethod[.HEAD] == nil { methods.append(.HEAD) }
            let allowed = methods.sorted { $0.rawValue < $1.rawValue }
            let methodNotAllowed = table.methodNotAllowed
            return MatchedRoute(kind: .nonBlocking) { request in try methodNotAllowed(request, allowed) }
        }
        for mount in table.mounts where head.path.hasPrefix(mount.prefix) {
            return mount.responder.route(for: head)
        }
        return table.notFound
    }
}
