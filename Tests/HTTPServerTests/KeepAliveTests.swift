@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Keep-alive, pipelining, HTTP/1.0, half-close, bodies and 100-continue over real sockets.
@Suite(.serialized) struct KeepAliveTests {
    @Test func servesAndKeepsTheConnectionOpen() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        for i in 0..<3 {
            try c.send(get("/hello?name=\(i)"))
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.text == "hello \(i)")
            #expect(r.header("Connection") == nil)
            #expect(r.header("Date") != nil)
            #expect(r.header("Content-Length") == "\(r.body.count)")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/hello?name=1") + get("/hello?name=2") + get("/hello?name=3"))
        #expect(try c.readResponse().text == "hello 1")
        #expect(try c.readResponse().text == "hello 2")
        #expect(try c.readResponse().text == "hello 3")
    }

    @Test func pipeliningKeepsOrderAcrossABlockingRoute() throws {
        let router = testRouter()
        router.get("/slowish", .blocking) { _ in
            sleepSeconds(0.3)
            return .text("slowish")
        }
        let s = try TestServer(router)
        let c = try s.client()
        try c.send(get("/hello?name=a") + get("/slowish") + get("/hello?name=b"))
        #expect(try c.readResponse().text == "hello a")
        #expect(try c.readResponse().text == "slowish")
        #expect(try c.readResponse().text == "hello b")
    }

    @Test func headHasLengthButNoBody() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let r = try c.readResponse(bodyExpected: false)
        #expect(r.status == 200)
        #expect(r.header("Content-Length") == "11")
        // The connection is still in step: the next response starts right after the head.
        try c.send(get("/"))
        #expect(try c.readResponse().text == "home")
        #expect(c.unread.isEmpty)
    }

    @Test func http10ClosesUnlessKeepAliveAsked() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send("GET / HTTP/1.0\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.text == "home")
        #expect(r.header("Connection") == "close")
        #expect(c.waitForClose())

        let k = try s.client()
        try k.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try k.readResponse().header("Connection") == "keep-alive")
        try k.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try k.readResponse().text == "home")
    }

    @Test func clientConnectionCloseIsHonoured() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/", headers: "Connection: close\r\n"))
        let r = try c.readResponse()
        #expect(r.header("Connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func serverConnectionCloseIsAnnounced() throws {
        let router = testRouter()
        router.get("/bye", .nonBlocking) { _ in HTTPResponse(status: .ok, headers: ["Connection": "close"], body: Array("bye".utf8)) }
        router.get("/forged", .nonBlocking) { _ in HTTPResponse(status: .ok, headers: ["Connection": "keep-alive, Upgrade", "Content-Length": "999"], body: Array("ok".utf8)) }
        let s = try TestServer(router)
        let c = try s.client()
        // Handlers cannot forge framing headers, but may ask for the connection to close.
        try c.send(get("/forged"))
        let forged = try c.readResponse()
        #expect(forged.header("Connection") == nil)
        #expect(forged.header("Content-Length") == "2")
        try c.send(get("/bye"))
        let r = try c.readResponse()
        #expect(r.text == "bye")
        #expect(r.header("Connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/"))
        c.shutdownWrite()
        #expect(try c.readResponse().text == "home")
        #expect(c.waitForClose())
    }

    @Test func contentLengthBodyIsDelivered() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(try c.readResponse().text == "hello world")
    }

    @Test func chunkedBodyIsDecoded() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try c.send("5;ext=1\r\nhello\r\n")
        try c.send("6\r\n world\r\n0\r\nTrailer: x\r\n\r\n")
        #expect(try c.readResponse().text == "hello world")
        try c.send(get("/"))
        #expect(try c.readResponse().text == "home")
    }

    @Test func expectContinueGetsAnInterimResponseFirst() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try c.readResponse()
        #expect(interim.status == 100)
        try c.send("data")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.text == "data")
    }

    @Test func ipv6LoopbackWorks() throws {
        let router = testRouter()
        let s: TestServer
        do {
            s = try TestServer(router) { $0.host = "::1" }
        } catch {
            // No IPv6 on this machine: nothing to test.
            return
        }
        let c = try RawClient(port: s.port, host: "::1")
        try c.send(get("/client"))
        #expect(try c.readResponse().text.hasPrefix("::1 http"))
    }

    @Test func logsListeningAddressAndAccessLinesWithoutSecrets() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/hello?code=SECRETCODE", headers: "Cookie: session=SECRETCOOKIE\r\nAuthorization: Bearer SECRETTOKEN\r\n"))
        _ = try c.readResponse()
        sleepSeconds(0.05)
        let lines = s.log.lines
        #expect(lines.contains { $0.contains("Listening on http://127.0.0.1:\(s.port)") })
        #expect(lines.contains { $0.contains("GET /hello 200 11 ") })
        #expect(!lines.contains { $0.contains("SECRET") || $0.contains("?") })
    }
}
