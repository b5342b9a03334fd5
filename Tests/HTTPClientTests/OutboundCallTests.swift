import Foundation
import Glibc
import HTTPClient
import Testing

/// Calls an event loop drives (`CurlTransport.begin`): only on an idle kept-alive
/// connection and only for GET and HEAD; the same answer as `send`, with the same
/// connection going back to the pool; a trickled answer read across many wake-ups without
/// ever waiting; a server that hung up reported stale (so the GET can go again); a call
/// past its deadline, or an answer refused, never leaves its connection for the next call.
@Suite struct OutboundCallTests {
    static let answer = KeptAliveConnectionTests.answer(#"{"displayName":"Ada"}"#)

    /// Drives `call` to its end as an event loop would, with poll(2) where it asks to wait;
    /// the progress it ended with, and how many times it asked to wait.
    static func drive(_ call: OutboundCall) -> (end: OutboundCall.Progress, waits: Int) {
        var progress = call.resume()
        var waits = 0
        while true {
            let events: Int32
            switch progress {
            case .readable: events = POLLIN
            case .writable: events = POLLOUT
            default: return (progress, waits)
            }
            waits += 1
            var entry = pollfd(fd: call.descriptor, events: Int16(events), revents: 0)
            guard poll(&entry, 1, 10_000) > 0 else { return (.failed(call.expire()), waits) }
            progress = call.resume()
        }
    }

    /// A transport with one idle connection to `server`, from a first call made with `send`.
    static func warmedUp(_ server: LocalHTTPServer, options: CurlTransport.Options = .init()) throws -> CurlTransport {
        let transport = CurlTransport(options: options)
        #expect(try transport.send(OutboundRequest(url: server.url + "/warm")).status == 200)
        return transport
    }

    @Test func noCallStartsWithoutAnIdleConnectionOrForAnythingButGETAndHEAD() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer, requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        #expect(transport.begin(OutboundRequest(url: server.url + "/me")) == nil, "nothing idle: that would mean connecting")
        _ = try transport.send(OutboundRequest(url: server.url + "/warm"))
        #expect(transport.begin(OutboundRequest(method: .POST, url: server.url + "/token", body: [1])) == nil, "a POST is never started here")
        #expect(transport.begin(OutboundRequest(url: "ftp://127.0.0.1/")) == nil)
        #expect(transport.begin(OutboundRequest(url: server.url + "/me", headers: ["X-Bad": "a\r\nInjected: yes"])) == nil)
        #expect(transport.begin(OutboundRequest(url: server.url + "/me")) != nil, "the idle connection was not spent on refusals")
    }

    @Test func aCallGetsWhatSendGetsOnTheSameConnectionAndGivesItBack() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer, requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = try Self.warmedUp(server)
        for round in 1...3 {
            let call = try #require(transport.begin(OutboundRequest(url: server.url + "/v1.0/me", headers: ["Authorization": "Bearer t\(round)"])))
            guard case .finished(let response) = Self.drive(call).end else {
                Issue.record("round \(round) did not finish")
                return
            }
            #expect(response.status == 200)
            #expect(response.body == Array(#"{"displayName":"Ada"}"#.utf8))
        }
        #expect(server.connectionsAccepted == 1)
        let calls = server.received.dropFirst()
        #expect(calls.map(\.requestLine) == Array(repeating: "GET /v1.0/me HTTP/1.1", count: 3))
        #expect(calls.map { $0.header("Authorization") } == ["Bearer t1", "Bearer t2", "Bearer t3"])
        #expect(calls.allSatisfy { $0.header("Host") == "127.0.0.1:\(server.port)" && $0.header("User-Agent") == "entra-web" })
    }

    @Test func aTrickledAnswerIsReadAcrossManyWakeUpsWithoutWaiting() throws {
        let later = KeptAliveConnectionTests.answer(String(repeating: "x", count: 40))
        let server = try LocalHTTPServer(.keepAliveThenSlow(answer: Self.answer, later: later, interval: 0.002))
        defer { server.stop() }
        let transport = try Self.warmedUp(server)
        let call = try #require(transport.begin(OutboundRequest(url: server.url + "/me")))
        let (end, waits) = Self.drive(call)
        guard case .finished(let response) = end else {
            Issue.record("did not finish: \(end)")
            return
        }
        #expect(response.body == Array(String(repeating: "x", count: 40).utf8))
        #expect(waits > 10, "each resume took what had arrived and asked to wait again")
    }

    @Test func aConnectionTheServerHungUpOnIsStaleAndTheGETGoesAgainWithSend() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer, requests: 1, thenReadAndHangUp: true))
        defer { server.stop() }
        let transport = try Self.warmedUp(server)
        let call = try #require(transport.begin(OutboundRequest(url: server.url + "/me")))
        guard case .stale = Self.drive(call).end else {
            Issue.record("a connection closed before any byte of the answer must be reported stale")
            return
        }
        #expect(try transport.send(OutboundRequest(url: server.url + "/me")).status == 200)
        #expect(server.received.map(\.requestLine) == ["GET /warm HTTP/1.1", "GET /me HTTP/1.1", "GET /me HTTP/1.1"])
        #expect(server.connectionsAccepted == 2)
    }

    @Test func aCallPastItsDeadlineIsGivenUpWithItsConnection() throws {
        let server = try LocalHTTPServer(.keepAliveThenSlow(answer: Self.answer, later: [], interval: 0))
        defer { server.stop() }
        let transport = try Self.warmedUp(server, options: .init(totalTimeout: 2))
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        let nowMs = UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
        let call = try #require(transport.begin(OutboundRequest(url: server.url + "/me")))
        #expect(call.deadline >= nowMs + 1_900 && call.deadline <= nowMs + 2_100)
        guard case .readable = call.resume() else {
            Issue.record("a silent server leaves the call waiting")
            return
        }
        #expect(call.expire() == .timedOut)
        guard case .failed = call.resume() else {
            Issue.record("a call given up stays over")
            return
        }
        #expect(transport.begin(OutboundRequest(url: server.url + "/me")) == nil, "half an exchange is never lent again")
    }

    @Test func anAnswerFramedTwoWaysFailsTheCallAndItsConnectionIsDropped() throws {
        let ambiguous = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8)
        let server = try LocalHTTPServer(.keepAliveThenSlow(answer: Self.answer, later: ambiguous, interval: 0))
        defer { server.stop() }
        let transport = try Self.warmedUp(server)
        let call = try #require(transport.begin(OutboundRequest(url: server.url + "/me")))
        guard case .failed(let error) = Self.drive(call).end else {
            Issue.record("an ambiguous answer must fail the call")
            return
        }
        #expect(error == .other("127.0.0.1 sent an invalid response: both Transfer-Encoding and Content-Length"))
        #expect(transport.begin(OutboundRequest(url: server.url + "/me")) == nil)
    }
}
