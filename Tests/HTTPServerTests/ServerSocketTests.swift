@testable import HTTPServer
import Glibc
import Synchronization
import Testing

/// Tests over real sockets: a server on 127.0.0.1 port 0, raw bytes in, raw bytes out.
/// Timing assertions are comparative with wide margins: the machine may be busy.
struct Boom: Error {}

/// Routes shared by most socket tests.
func testRouter() -> Router {
    let router = Router()
    router.get("/") { _ in .text("home") }
    router.get("/hello") { request in .text("hello \(request.queryValue("name") ?? "world")") }
    router.post("/echo") { request in HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body) }
    router.get("/slow", mayBlock: true) { _ in
        sleepSeconds(1.5)
        return .text("slow")
    }
    router.get("/boom") { _ in throw Boom() }
    router.get("/boom-blocking", mayBlock: true) { _ in throw Boom() }
    router.get("/client") { request in
        .text("\(request.clientAddress) \(request.scheme) \(request.host ?? "-")")
    }
    return router
}

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
        router.get("/slowish", mayBlock: true) { _ in
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
        router.get("/bye") { _ in HTTPResponse(status: .ok, headers: ["Connection": "close"], body: Array("bye".utf8)) }
        router.get("/forged") { _ in HTTPResponse(status: .ok, headers: ["Connection": "keep-alive, Upgrade", "Content-Length": "999"], body: Array("ok".utf8)) }
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

@Suite(.serialized) struct LimitsOverTheWireTests {
    /// Sends `raw`, expects `status` and then the server closing the connection.
    func expectRefusal(_ raw: [UInt8], _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(raw)
        let r = try c.readResponse()
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r.header("Connection") == "close", sourceLocation: sourceLocation)
        #expect(c.waitForClose(), sourceLocation: sourceLocation)
    }

    func expectRefusal(_ raw: String, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectRefusal(Array(raw.utf8), status, sourceLocation: sourceLocation)
    }

    @Test func longRequestLine() throws {
        try expectRefusal("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414)
    }

    @Test func largeHeaderBlock() throws {
        let big = (0..<40).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\n\(big)\r\n", 431)
    }

    @Test func tooManyHeaders() throws {
        try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\n\((0..<101).map { "X-\($0): v\r\n" }.joined())\r\n", 431)
    }

    @Test func largeBody() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n" + String(repeating: "x", count: 70000), 413)
    }

    @Test func largeChunkedBody() throws {
        let chunk = "100000\r\n" + String(repeating: "x", count: 0x100000) + "\r\n"
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk, 413)
    }

    @Test func unknownMethod() throws { try expectRefusal("BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501) }
    @Test func malformedLine() throws { try expectRefusal("GET/ HTTP/1.1\r\nHost: t\r\n\r\n", 400) }
    @Test func malformedHeader() throws { try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\nbroken\r\n\r\n", 400) }
    @Test func bareLF() throws { try expectRefusal("GET / HTTP/1.1\nHost: t\n\n", 400) }
    @Test func bareCR() throws { try expectRefusal("GET / HTTP/1.1\rHost: t\r\n\r\n", 400) }
    @Test func nul() throws { try expectRefusal(Array("GET / HTTP/1.1\r\nHost: t\r\nX: a".utf8) + [0] + Array("\r\n\r\n".utf8), 400) }
    @Test func obsFold() throws { try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400) }
    @Test func lengthAndChunked() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
    }
    @Test func differingLengths() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400)
    }
    @Test func otherTransferEncoding() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400)
    }
    @Test func badChunkSize() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400)
    }
    @Test func badRequestAfterAGoodOneStillAnswersTheGoodOne() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/") + "GET / HTTP/1.1\nHost: t\n\n")
        #expect(try c.readResponse().status == 200)
        #expect(try c.readResponse().status == 400)
        #expect(c.waitForClose())
    }
}

@Suite(.serialized) struct TimeoutAndCapacityTests {
    @Test func slowHeadIsCutOff() throws {
        let s = try TestServer(testRouter()) { $0.headTimeout = .milliseconds(300) }
        let c = try s.client()
        let started = monotonicSeconds()
        try c.send("GET / HTTP/1.1\r\n")
        // Trickle a header byte at a time, slower than the timeout allows in total.
        for byte in "Host: t".utf8 {
            sleepSeconds(0.1)
            do { try c.send([byte]) } catch { break }
        }
        #expect(c.waitForClose())
        #expect(monotonicSeconds() - started < 5)
    }

    @Test func idleKeepAliveIsClosed() throws {
        let s = try TestServer(testRouter()) { $0.idleTimeout = .milliseconds(300) }
        let c = try s.client()
        try c.send(get("/"))
        #expect(try c.readResponse().status == 200)
        let started = monotonicSeconds()
        #expect(c.waitForClose())
        let waited = monotonicSeconds() - started
        #expect(waited > 0.2)
        #expect(waited < 5)
    }

    @Test func activeConnectionOutlivesTheIdleTimeout() throws {
        let s = try TestServer(testRouter()) { $0.idleTimeout = .milliseconds(400) }
        let c = try s.client()
        for _ in 0..<6 {
            try c.send(get("/"))
            #expect(try c.readResponse().status == 200)
            sleepSeconds(0.15)
        }
    }

    @Test func connectionsBeyondTheCapGet503() throws {
        let s = try TestServer(testRouter()) { $0.maxConnections = 2 }
        let a = try s.client()
        let b = try s.client()
        try a.send(get("/"))
        _ = try a.readResponse()
        try b.send(get("/"))
        _ = try b.readResponse()
        let c = try s.client()
        let r = try c.readResponse()
        #expect(r.status == 503)
        #expect(c.waitForClose())
        // The first two are unaffected, and a slot frees up when one closes.
        try a.send(get("/"))
        #expect(try a.readResponse().status == 200)
        try b.send(get("/", headers: "Connection: close\r\n"))
        _ = try b.readResponse()
        #expect(b.waitForClose())
        sleepSeconds(0.1)
        let d = try s.client()
        try d.send(get("/"))
        #expect(try d.readResponse().status == 200)
    }
}

@Suite(.serialized) struct ConnectionAccountingTests {
    @Test func everyConnectionIsReleased() throws {
        let s = try TestServer(testRouter()) { $0.maxConnections = 500 }
        let bad = ["GET / HTTP/1.1\nHost: t\n\n", "BREW / HTTP/1.1\r\nHost: t\r\n\r\n", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n"]
        for i in 0..<60 {
            let c = try s.client()
            switch i % 4 {
            case 0:
                try c.send(get("/", headers: "Connection: close\r\n"))
                _ = try c.readResponse()
            case 1:
                try c.send(bad[i % 3])
                _ = try c.readResponse()
            case 2:
                // Disconnect mid-head.
                try c.send("GET / HTTP/1.1\r\nHo")
            default:
                // Keep-alive, then the client just goes away.
                try c.send(get("/"))
                _ = try c.readResponse()
            }
        }
        let deadline = monotonicSeconds() + 10
        while s.server.openConnectionCount > 0 && monotonicSeconds() < deadline { sleepSeconds(0.05) }
        #expect(s.server.openConnectionCount == 0)
    }
}

@Suite(.serialized) struct HandlerTests {
    @Test func slowBlockingRouteDoesNotDelayOthers() throws {
        let s = try TestServer(testRouter()) { $0.eventLoopThreads = 1 }
        let slowDone = Mutex<Double>(0)
        let started = monotonicSeconds()
        let port = s.port
        let slowThread = Threads.start(name: "test-slow") {
            do {
                let c = try RawClient(port: port)
                try c.send(get("/slow"))
                let r = try c.readResponse()
                #expect(r.text == "slow")
            } catch {
                Issue.record("slow request failed: \(error)")
            }
            slowDone.withLock { $0 = monotonicSeconds() }
        }
        sleepSeconds(0.1)
        let c = try s.client()
        try c.send(get("/"))
        #expect(try c.readResponse().text == "home")
        let fastDone = monotonicSeconds()
        Threads.join(slowThread)
        let slowFinished = slowDone.withLock { $0 }
        #expect(slowFinished - started >= 1.4)
        #expect(fastDone < slowFinished - 0.7)
    }

    @Test func throwingHandlerGives500AndTheConnectionLives() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/boom"))
        let r = try c.readResponse()
        #expect(r.status == 500)
        try c.send(get("/boom-blocking"))
        #expect(try c.readResponse().status == 500)
        try c.send(get("/"))
        #expect(try c.readResponse().text == "home")
        sleepSeconds(0.05)
        #expect(s.log.lines.contains { $0.hasPrefix("error") && $0.contains("/boom") })
    }

    @Test func routerGives404And405() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/nope"))
        #expect(try c.readResponse().status == 404)
        try c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 405)
        #expect(r.header("Allow")?.contains("GET") == true)
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let router = testRouter()
        let s = try TestServer(router)
        let c = try s.client()
        try c.send(get("/slow"))
        sleepSeconds(0.2)
        let idle = try s.client()
        let trickling = try s.client()
        try trickling.send("GET / HTTP/1.1\r\nHo")
        let uploading = try s.client()
        try uploading.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhal")
        sleepSeconds(0.1)
        let started = monotonicSeconds()
        let server = s.server
        let stopper = Threads.start(name: "test-stop") { server.shutdown() }
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.text == "slow")
        #expect(r.header("Connection") == "close")
        #expect(idle.waitForClose())
        #expect(trickling.waitForClose())
        // A request whose body is arriving is in flight: it is finished and answered.
        try uploading.send("f!")
        let upload = try uploading.readResponse()
        #expect(upload.text == "half!")
        #expect(upload.header("Connection") == "close")
        Threads.join(stopper)
        #expect(monotonicSeconds() - started < 8)
        // No longer accepting.
        #expect(throws: ClientError.self) { _ = try s.client() }
    }

    @Test func shutdownGivesUpAfterTheGracePeriod() throws {
        let router = testRouter()
        router.get("/stuck", mayBlock: true) { _ in
            sleepSeconds(3)
            return .text("late")
        }
        let s = try TestServer(router) { $0.shutdownGracePeriod = .milliseconds(300) }
        let c = try s.client()
        try c.send(get("/stuck"))
        sleepSeconds(0.1)
        let started = monotonicSeconds()
        s.server.shutdown()
        #expect(monotonicSeconds() - started < 2.5)
        #expect(c.waitForClose())
    }
}

@Suite(.serialized) struct ProxyTests {
    let forwarded = "X-Forwarded-For: 203.0.113.9, 10.0.0.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\n"

    @Test func trustedProxyHeadersAreHonoured() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["127.0.0.0/8", "10.0.0.0/8"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        #expect(r.text == "203.0.113.9 https app.example.com")
    }

    @Test func rightmostUntrustedHopIsTheClient() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["127.0.0.1"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        // 10.0.0.7 is not trusted here, so it is the client; 203.0.113.9 could be forged.
        #expect(r.text.hasPrefix("10.0.0.7 https"))
    }

    @Test func untrustedPeerHeadersAreIgnored() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["10.0.0.0/8", "::1"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        #expect(r.text == "127.0.0.1 http test")
    }

    @Test func invalidTrustedProxyStopsStart() {
        #expect(throws: TrustedProxies.InvalidEntry.self) {
            _ = try TestServer(testRouter()) { $0.trustedProxies = ["10.0.0.0/33"] }
        }
    }

    @Test func cidrMatching() throws {
        let proxies = try TrustedProxies(["10.1.0.0/16", "fd00::/8", "192.168.1.1"])
        #expect(proxies.contains(IPAddress("10.1.200.3")!))
        #expect(!proxies.contains(IPAddress("10.2.0.1")!))
        #expect(proxies.contains(IPAddress("fdab::1")!))
        #expect(!proxies.contains(IPAddress("fe80::1")!))
        #expect(proxies.contains(IPAddress("192.168.1.1")!))
        #expect(proxies.contains(IPAddress("::ffff:192.168.1.1")!))
        #expect(!proxies.contains(IPAddress("192.168.1.2")!))
    }
}
