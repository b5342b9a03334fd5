@testable import HTTPServer
import Glibc
import Testing

/// Each route's body limit over real sockets: 413 as soon as the head says the body is too
/// large (before the client has sent it), chunked bodies cut off as they pass the limit,
/// and a larger limit where a route declares one.
@Suite(.serialized) struct BodyLimitTests {
    /// The shared test routes plus an upload route that takes up to 100,000 bytes.
    func server() throws -> TestServer {
        let router = testRouter()
        router.post("/upload", .nonBlocking.acceptingBody(upTo: 100_000)) { request in .text("\(request.body.count)") }
        return try TestServer(router)
    }

    /// Sends only `head` and expects 413 and a close without sending a body byte: the
    /// server cannot have buffered a body it never received.
    func expectRefusedBeforeTheBody(_ head: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let s = try server()
        let c = try s.client()
        try c.send(head)
        let r = try c.readResponse()
        #expect(r.status == 413, sourceLocation: sourceLocation)
        #expect(r.header("Connection") == "close", sourceLocation: sourceLocation)
        #expect(c.waitForClose(), sourceLocation: sourceLocation)
    }

    @Test func aBodyForAGetRouteIsRefusedBeforeItIsSent() throws {
        try expectRefusedBeforeTheBody("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
        try expectRefusedBeforeTheBody("HEAD / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n")
    }

    @Test func aBodyOverAPostRoutesDefaultIsRefusedBeforeItIsSent() throws {
        try expectRefusedBeforeTheBody("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(RouteKind.defaultMaxBodyBytes + 1)\r\n\r\n")
    }

    @Test func anUnknownPathGetsNoBodyBufferedEither() throws {
        try expectRefusedBeforeTheBody("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
    }

    @Test func expectContinueIsAnsweredWith413NotContinue() throws {
        try expectRefusedBeforeTheBody("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 900000\r\n\r\n")
    }

    @Test func aChunkedBodyIsCutOffAsItPassesTheLimit() throws {
        let s = try server()
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "1000\r\n" + String(repeating: "x", count: 4096) + "\r\n"
        // 16 KiB fits; the fifth chunk does not, and the answer comes without a last chunk.
        for _ in 0..<5 { try c.send(chunk) }
        let r = try c.readResponse()
        #expect(r.status == 413)
        #expect(c.waitForClose())
    }

    @Test func bodiesWithinTheLimitsAreServed() throws {
        let s = try server()
        let c = try s.client()
        let form = String(repeating: "a", count: RouteKind.defaultMaxBodyBytes)
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(form.utf8.count)\r\n\r\n" + form)
        #expect(try c.readResponse().body.count == form.utf8.count)
        let upload = String(repeating: "u", count: 60_000)
        try c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n" + upload)
        #expect(try c.readResponse().text == "60000")
        try c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100001\r\n\r\n")
        #expect(try c.readResponse().status == 413)
    }
}
