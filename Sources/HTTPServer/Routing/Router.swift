import Synchronization

/// Maps method + exact path to handlers, and path prefixes to other responders (static
/// files). HEAD falls back to GET; a known path with the wrong method gets 405 with Allow.
public final class Router: HTTPResponder, Sendable {
    public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    private struct Route: Sendable {
        var handler: Handler
        var mayBlock: Bool
    }

    private struct Mount: Sendable {
        var prefix: String
        var responder: any HTTPResponder
    }

    private struct Table: Sendable {
        var routes: [String: [HTTPMethod: Route]] = [:]
        var mounts: [Mount] = []
        var notFound: Handler = { _ in .text("Not Found\n", status: .notFound) }
        var methodNotAllowed: @Sendable (HTTPRequest, [HTTPMethod]) throws -> HTTPResponse = { _, allowed in
            var response = HTTPResponse.text("Method Not Allowed\n", status: .methodNotAllowed)
            response.headers["Allow"] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
    }

    // Routes are usually registered before the server starts, but a lock keeps late
    // registration safe; reads copy the table out (a retain, not a deep copy).
    private let table = Mutex<Table>(Table())

    public init() {}

    /// Registers `handler` for `method` on exactly `path`. Set `mayBlock` for handlers that
    /// wait on something slow (the IdP, Graph) so they run on the worker pool.
    public func add(_ method: HTTPMethod, _ path: String, mayBlock: Bool = false, _ handler: @escaping Handler) {
        table.withLock { $0.routes[path, default: [:]][method] = Route(handler: handler, mayBlock: mayBlock) }
    }

    public func get(_ path: String, mayBlock: Bool = false, _ handler: @escaping Handler) {
        add(.GET, path, mayBlock: mayBlock, handler)
    }

    public func post(_ path: String, mayBlock: Bool = false, _ handler: @escaping Handler) {
        add(.POST, path, mayBlock: mayBlock, handler)
    }

    /// Sends every request whose path starts with `prefix` (e.g. `/static/`) to `responder`.
    /// Exact routes win over mounts; among mounts the longest prefix wins.
    public func mount(_ prefix: String, _ responder: any HTTPResponder) {
        table.withLock {
            $0.mounts.append(Mount(prefix: prefix, responder: responder))
            $0.mounts.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
        }
    }

    /// The handler for paths nothing matches (the app renders its 404 page here).
    public func setNotFound(_ handler: @escaping Handler) {
        table.withLock { $0.notFound = handler }
    }

    /// The same as `setNotFound`, as a property.
    public var notFoundHandler: Handler {
        get { table.withLock { $0.notFound } }
        set { setNotFound(newValue) }
    }

    /// The handler for a known path asked with a method it does not have.
    public func setMethodNotAllowed(_ handler: @escaping @Sendable (HTTPRequest, [HTTPMethod]) throws -> HTTPResponse) {
        table.withLock { $0.methodNotAllowed = handler }
    }

    // MARK: - HTTPResponder

    private enum Match {
        case route(Route)
        case mount(any HTTPResponder)
        case wrongMethod([HTTPMethod])
        case none
    }

    private func match(_ request: HTTPRequest, in table: Table) -> Match {
        if let byMethod = table.routes[request.path] {
            if let route = byMethod[request.method] { return .route(route) }
            if request.method == .HEAD, let route = byMethod[.GET] { return .route(route) }
            var allowed = Array(byMethod.keys)
            if byMethod[.GET] != nil && byMethod[.HEAD] == nil { allowed.append(.HEAD) }
            return .wrongMethod(allowed.sorted { $0.rawValue < $1.rawValue })
        }
        for mount in table.mounts where request.path.hasPrefix(mount.prefix) {
            return .mount(mount.responder)
        }
        return .none
    }

    public func mayBlock(_ request: HTTPRequest) -> Bool {
        let table = self.table.withLock { $0 }
        switch match(request, in: table) {
        case .route(let route): return route.mayBlock
        case .mount(let responder): return responder.mayBlock(request)
        case .wrongMethod, .none: return false
        }
    }

    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        let table = self.table.withLock { $0 }
        switch match(request, in: table) {
        case .route(let route): return try route.handler(request)
        case .mount(let responder): return try responder.respond(to: request)
        case .wrongMethod(let allowed): return try table.methodNotAllowed(request, allowed)
        case .none: return try table.notFound(request)
        }
    }
}
