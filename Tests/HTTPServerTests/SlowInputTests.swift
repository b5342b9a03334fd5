@testable import HTTPServer
import Glibc
import Testing

/// Clients that trickle: a body sent a byte at a time meets an absolute deadline (408), and
/// a connection that only ever sends empty lines is closed (its deadline is not renewed by
/// them, and more than 8 before a request line are refused).
@Suite(.serialized) struct SlowInputTests {
    /// Sends `bytes` every `interval` seconds until the server closes; the seconds it took,
    /// and what the server answered.
    func trickle(_ c: RawClient, _ bytes: String, every interval: Double, for limit: Double) -> (seconds: Double, answer: [UInt8]) {
        let started = monotonicSeconds()
        while monotonicSeconds() - started < limit {
            sleepSeconds(interval)
            do { try c.send(bytes) } catch { break }
        }
        _ = c.waitForClose()
        return (monotonicSeconds() - started, c.unread)
    }

    @Test func aTricklingBodyGets408AtItsAbsoluteDeadline() throws {
        let s = try TestServer(testRouter()) { $0.headTimeout = .milliseconds(1000) }
        let c = try s.client()
        // 200 bytes at 8 KiB/s add 24 ms to the head timeout: the deadline is about 1 s after
        // the head. One byte every 200 ms is activity a per-read timer would never end.
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 200\r\n\r\n")
        let (seconds, answer) = trickle(c, "x", every: 0.2, for: 10)
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(seconds >= 0.8)
        #expect(seconds < 6)
        #expect(s.eventually { s.server.openConnectionCount == 0 })
    }

    @Test func aLargerBodyGetsMoreTimeByItsSize() throws {
        let router = testRouter()
        router.post("/upload", .nonBlocking.acceptingBody(upTo: 100_000)) { request in .text("\(request.body.count)") }
        let s = try TestServer(router) {
            $0.headTimeout = .milliseconds(300)
            $0.minimumBodyRate = 20_000
        }
        let c = try s.client()
        // 40,000 bytes at 20,000 bytes/s: 2.3 s in all, sent in 1.2 s.
        try c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 40000\r\n\r\n")
        for _ in 0..<8 {
            sleepSeconds(0.15)
            try c.send(String(repeating: "b", count: 5000))
        }
        #expect(try c.readResponse().text == "40000")
    }

    @Test func emptyLinesAloneDoNotKeepAFreshConnection() throws {
        let s = try TestServer(testRouter()) { $0.headTimeout = .milliseconds(800) }
        let c = try s.client()
        // Every 300 ms: the empty-line limit (a 400) would take 2.7 s; the head deadline,
        // 0.8 s after the connection's start, closes it silently first.
        let (seconds, answer) = trickle(c, "\r\n", every: 0.3, for: 10)
        #expect(answer.isEmpty, "\(String(decoding: answer, as: UTF8.self))")
        #expect(seconds < 9)
    }

    @Test func emptyLinesDoNotRenewTheIdleDeadline() throws {
        let s = try TestServer(testRouter()) { $0.idleTimeout = .milliseconds(800) }
        let c = try s.client()
        try c.send(get("/"))
        #expect(try c.readResponse().status == 200)
        // CRLF every 300 ms: the empty-line limit (a 400) would take 2.7 s; the idle
        // deadline, 0.8 s after the answer, closes it silently first.
        let (seconds, answer) = trickle(c, "\r\n", every: 0.3, for: 10)
        #expect(answer.isEmpty, "\(String(decoding: answer, as: UTF8.self))")
        #expect(seconds < 9)
    }

    @Test func moreThanEightEmptyLinesInSeparateReadsAreRefused() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        for _ in 0..<9 {
            try c.send("\r\n")
            sleepSeconds(0.03)
        }
        let r = try c.readResponse()
        #expect(r.status == 400)
        #expect(c.waitForClose())
    }
}
