import App
import HTTPServer
import HTTPServerTesting
import Testing

/// A handler that throws gets the templated 500 page, never the server's plain one.
@Suite struct ErrorBoundaryTests {
    struct Failing: HTTPResponder {
        struct Boom: Error {}
        func route(for head: HTTPRequest) -> MatchedRoute { MatchedRoute(kind: .nonBlocking) { _ in throw Boom() } }
    }

    @Test func aThrowingHandlerBecomesTheTemplated500Page() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let boundary = ErrorBoundary(inner: Failing(), pages: pages, logger: .init(label: "test"))
        let response = try InProcessServer(responder: boundary).send(HTTPRequest(method: .GET, path: "/x"))
        #expect(response.status == .internalServerError)
        #expect(response.text.contains("Something went wrong"))
        #expect(response.headers["Content-Security-Policy"] != nil)
    }
}
