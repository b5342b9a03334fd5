@testable import HTTPServer
import Testing

/// Route matching without sockets: exact routes and methods, HEAD falling back to GET,
/// mounts by longest prefix, and the kind (where it runs, what body) each route declares.
@Suite struct RouterTests {
    func request(_ method: HTTPMethod, _ path: String) -> HTTPRequest {
        HTTPRequest(method: method, path: path, headers: ["Host": "t"])
    }

    /// A mounted responder answering `text`, of the kind it is given.
    struct Fixed: HTTPResponder {
        let text: String
        let kind: RouteKind
        func route(for head: HTTPRequest) -> MatchedRoute {
            let text = self.text
            return MatchedRoute(kind: kind) { _ in .text(text) }
        }
    }

    func kind(_ router: Router, _ method: HTTPMethod, _ path: String) -> RouteKind {
        router.route(for: request(method, path)).kind
    }

    @Test func exactRoutesMethodsAndHeadFallback() throws {
        let router = Router()
        router.get("/a", .nonBlocking) { _ in .text("get a") }
        router.post("/a", .nonBlocking) { _ in .text("post a") }
        #expect(try router.respond(to: request(.GET, "/a")).body == Array("get a".utf8))
        #expect(try router.respond(to: request(.POST, "/a")).body == Array("post a".utf8))
        #expect(try router.respond(to: request(.HEAD, "/a")).body == Array("get a".utf8))
        let wrong = try router.respond(to: request(.DELETE, "/a"))
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "GET, HEAD, POST")
        #expect(try router.respond(to: request(.GET, "/a/")).status == .notFound)
    }

    @Test func mountsMatchByLongestPrefixAndRoutesWin() throws {
        let router = Router()
        router.mount("/static/", Fixed(text: "static", kind: .nonBlocking))
        router.mount("/static/slow/", Fixed(text: "slow", kind: .blocking))
        router.get("/static/exact", .nonBlocking) { _ in .text("exact") }
        #expect(try router.respond(to: request(.GET, "/static/x.css")).body == Array("static".utf8))
        #expect(try router.respond(to: request(.GET, "/static/slow/x")).body == Array("slow".utf8))
        #expect(try router.respond(to: request(.GET, "/static/exact")).body == Array("exact".utf8))
        #expect(kind(router, .GET, "/static/slow/x") == .blocking)
        #expect(kind(router, .GET, "/static/x.css") == .nonBlocking)
    }

    @Test func theKindFollowsTheRoute() {
        let router = Router()
        router.get("/fast", .nonBlocking) { _ in .text("") }
        router.get("/slow", .blocking) { _ in .text("") }
        #expect(kind(router, .GET, "/fast").execution == .eventLoop)
        #expect(kind(router, .GET, "/slow").execution == .worker)
        #expect(kind(router, .HEAD, "/slow").execution == .worker)
        #expect(kind(router, .GET, "/missing").execution == .eventLoop)
        #expect(kind(router, .DELETE, "/slow").execution == .eventLoop)
        #expect(RouteKind.blocking(if: true) == .blocking)
        #expect(RouteKind.blocking(if: false) == .nonBlocking)
    }

    @Test func bodyLimitsFollowTheMethodUnlessDeclared() {
        let router = Router()
        router.get("/page", .nonBlocking) { _ in .text("") }
        router.post("/form", .blocking) { _ in .text("") }
        router.post("/upload", .blocking.acceptingBody(upTo: 100_000)) { _ in .text("") }
        #expect(kind(router, .GET, "/page").bodyLimit(for: .GET) == 0)
        #expect(kind(router, .HEAD, "/page").bodyLimit(for: .HEAD) == 0)
        #expect(kind(router, .POST, "/form").bodyLimit(for: .POST) == RouteKind.defaultMaxBodyBytes)
        #expect(kind(router, .POST, "/upload").bodyLimit(for: .POST) == 100_000)
        #expect(kind(router, .PUT, "/missing").bodyLimit(for: .PUT) == RouteKind.defaultMaxBodyBytes)
    }

    @Test func notFoundHandlerCanBeReplaced() throws {
        let router = Router()
        router.setNotFound { request in .html("<h1>No \(request.path)</h1>", status: .notFound) }
        let response = try router.respond(to: request(.GET, "/nope"))
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
    }
}
