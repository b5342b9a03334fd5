// Routes shared by the socket tests: a server on 127.0.0.1 port 0, raw bytes in, raw bytes
// out. Timing assertions are comparative with wide margins: the machine may be busy.
@testable import HTTPServer

/// What the test handlers throw.
struct Boom: Error {}

/// Routes shared by most socket tests.
func testRouter() -> Router {
    let router = Router()
    router.get("/", .nonBlocking) { _ in .text("home") }
    router.get("/hello", .nonBlocking) { request in .text("hello \(request.queryValue("name") ?? "world")") }
    router.post("/echo", .nonBlocking) { request in HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body) }
    router.get("/slow", .blocking) { _ in
        sleepSeconds(1.5)
        return .text("slow")
    }
    router.get("/boom", .nonBlocking) { _ in throw Boom() }
    router.get("/boom-blocking", .blocking) { _ in throw Boom() }
    router.get("/client", .nonBlocking) { request in
        .text("\(request.clientAddress) \(request.scheme) \(request.host ?? "-")")
    }
    return router
}
