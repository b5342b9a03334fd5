@testable import HTTPServer
import HTTPServerTesting
import Testing

/// The in-process client answers as the real server does: for the same bytes on one
/// connection, the same bytes back (the Date line aside) and the same close, because both
/// go through the same parser, head admission, handler call and serializer. And what only
/// in-process can do: a TCP peer that is not loopback.
@Suite struct InProcessServerTests {
    /// The shared test routes, a blocking one, one whose handler closes the connection and
    /// one that shows the TCP peer.
    static func router() -> Router {
        let router = testRouter()
        router.get("/work", .blocking) { _ in .text("worked") }
        router.get("/bye", .nonBlocking) { _ in
            var response = HTTPResponse.text("bye")
            response.headers["Connection"] = "close"
            return response
        }
        router.get("/peer", .nonBlocking) { request in .text("\(request.peerAddress ?? "-") \(request.clientAddress)") }
        return router
    }

    /// Trusts 127.0.0.1's forwarded headers, as the real server of these tests does.
    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.trustedProxies = ["127.0.0.1"]
    }

    /// One connection's worth of requests, each ending in a close.
    static let conversations: [String] = [
        "GET /hello?name=in HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "HEAD /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: test\r\n\r\nPOST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /work HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: \(RouteKind.defaultMaxBodyBytes + 1)\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n",
        "GET /boom HTTP/1.1\r\nHost: test\r\n\r\nGET /boom-blocking HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "GET /client HTTP/1.1\r\nHost: test\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: app.example\r\nConnection: close\r\n\r\n",
        "GET /peer HTTP/1.1\r\nHost: test\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "GET /hello HTTP/1.0\r\n\r\n",
        "GET /bye HTTP/1.1\r\nHost: test\r\n\r\nGET /hello HTTP/1.1\r\nHost: test\r\n\r\n",
        "DELETE /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    ]

    /// The bytes with each `Date:` line's value blanked: the two answers come seconds apart.
    static func withoutDates(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("Date: ") ? "Date: -" : String($0) }.joined(separator: "\r\n")
    }

    @Test(arguments: conversations)
    func theSameBytesAndCloseAsTheRealServer(_ raw: String) throws {
        let real = try TestServer(Self.router(), configure: Self.configure)
        let client = try real.client()
        try client.send(raw)
        #expect(client.waitForClose(), "the real server closed the connection")

        var configuration = ServerConfiguration()
        Self.configure(&configuration)
        let (output, closed) = try InProcessServer(responder: Self.router(), configuration: configuration).exchange(Array(raw.utf8))
        #expect(closed)
        #expect(!output.isEmpty)
        #expect(Self.withoutDates(output) == Self.withoutDates(client.unread))
    }

    @Test func anotherMachinesPeerIsNotedAndItsForwardedHeadersIgnored() throws {
        var configuration = ServerConfiguration()
        Self.configure(&configuration)
        let server = try InProcessServer(responder: Self.router(), configuration: configuration)
        let forwarded = HTTPRequest(method: .GET, path: "/client", headers: ["X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"])
        let stranger = try #require(IPAddress("203.0.113.9"))
        #expect(String(decoding: try server.send(forwarded, from: stranger).body, as: UTF8.self) == "203.0.113.9 http 127.0.0.1:5000")
        #expect(String(decoding: try server.send(forwarded).body, as: UTF8.self) == "198.51.100.1 https 127.0.0.1:5000",
                "the trusted loopback proxy's headers count")
        let peer = HTTPRequest(method: .GET, path: "/peer", headers: ["X-Forwarded-For": "198.51.100.1"])
        #expect(String(decoding: try server.send(peer, from: stranger).body, as: UTF8.self) == "203.0.113.9 203.0.113.9")
    }

    @Test func sendReadsTheAnswerAsAClientDoes() throws {
        let server = try InProcessServer(responder: Self.router())
        let head = try server.send(HTTPRequest(method: .HEAD, path: "/hello"))
        #expect(head.status == .ok && head.body.isEmpty && head.headers["Content-Length"] == "11")
        let echo = try server.send(HTTPRequest(method: .POST, path: "/echo", body: Array("ping".utf8)))
        #expect(echo.status == .ok && echo.body == Array("ping".utf8) && echo.headers["Content-Length"] == "4")
        let tooLarge = try server.send(HTTPRequest(method: .POST, path: "/echo", body: [UInt8](repeating: 1, count: RouteKind.defaultMaxBodyBytes + 1)))
        #expect(tooLarge.status == .payloadTooLarge && tooLarge.headers["Connection"] == "close")
        #expect(try server.send(HTTPRequest(method: .GET, path: "/boom")).status == .internalServerError)
    }
}
