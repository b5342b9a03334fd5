@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Handlers over real sockets: blocking routes off the loop, errors as 500s, 404 and 405,
/// graceful shutdown.
@Suite(.serialized) struct HandlerTests {
    @Test func slowBlockingRouteDoesNotDelayOthers() throws {
        let s = try TestServer(testRouter()) { $0.eventLoopThreads = 1 }
        let slowDone = Mutex<Double>(0)
        let started = monotonicSeconds()
        let port = s.port
        let slowThread = try Threads.start(name: "test-slow") {
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
        let stopper = try Threads.start(name: "test-stop") { server.shutdown() }
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
        router.get("/stuck", .blocking) { _ in
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
