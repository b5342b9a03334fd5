@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Slow heads, idle keep-alive connections and the connection cap, over real sockets.
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
        let s = try TestServer(testRouter()) {
            $0.maxConnections = 2
            $0.maxConnectionsPerClient = 2
        }
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
