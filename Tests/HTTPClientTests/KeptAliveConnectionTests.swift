import Foundation
import HTTPClient
import Testing

/// Connections kept alive between calls, against a local server that counts what it
/// accepts: one connection for many calls, a connection the server has dropped replaced
/// before a request is spent on it, a GET (never a POST) sent again when the server hangs
/// up on it, and no reuse after a response that ends the connection or says more than asked.
@Suite struct KeptAliveConnectionTests {
    /// A complete keep-alive answer with `body`.
    static func answer(_ body: String, extraHeaders: String = "") -> [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n\(body)".utf8)
    }

    @Test func manyCallsShareOneConnection() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer(#"{"n":1}"#), requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<5 {
            let response = try transport.send(OutboundRequest(url: server.url + "/v1.0/me", headers: ["Authorization": "Bearer abc"]))
            #expect(response.status == 200)
            #expect(response.body == Array(#"{"n":1}"#.utf8))
        }
        #expect(server.received.count == 5)
        #expect(server.connectionsAccepted == 1)
        #expect(server.received.allSatisfy { $0.requestLine == "GET /v1.0/me HTTP/1.1" && $0.header("Authorization") == "Bearer abc" })
        #expect(server.received.first?.header("Host") == "127.0.0.1:\(server.port)")
    }

    @Test func aChunkedAnswerEndsWhereItsLastChunkSays() throws {
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n".utf8)
        let server = try LocalHTTPServer(.keepAlive(answer: chunked, requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<3 {
            #expect(String(decoding: try transport.send(OutboundRequest(url: server.url + "/")).body, as: UTF8.self) == "Wikipedia in \r\n\r\nchunks.")
        }
        #expect(server.connectionsAccepted == 1)
    }

    @Test func aConnectionTheServerClosedWhileIdleIsReplaced() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer("{}"), requests: 1, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<3 { #expect(try transport.send(OutboundRequest(url: server.url + "/")).status == 200) }
        #expect(server.connectionsAccepted == 3)
        #expect(server.received.count == 3)
    }

    @Test func aGETTheServerHungUpOnIsSentOnceMoreOnAFreshConnection() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer("{}"), requests: 1, thenReadAndHangUp: true))
        defer { server.stop() }
        let transport = CurlTransport()
        #expect(try transport.send(OutboundRequest(url: server.url + "/first")).status == 200)
        #expect(try transport.send(OutboundRequest(url: server.url + "/second")).status == 200)
        #expect(server.received.map(\.requestLine) == ["GET /first HTTP/1.1", "GET /second HTTP/1.1", "GET /second HTTP/1.1"])
        #expect(server.connectionsAccepted == 2)
    }

    @Test func aPOSTTheServerHungUpOnIsNotRepeated() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer("{}"), requests: 1, thenReadAndHangUp: true))
        defer { server.stop() }
        let transport = CurlTransport()
        let post = OutboundRequest(method: .POST, url: server.url + "/token", body: Array("code=abc".utf8))
        #expect(try transport.send(post).status == 200)
        #expect(throws: TransportError.other("the connection to 127.0.0.1 closed before the response was complete")) { try transport.send(post) }
        #expect(server.received.count == 2, "the code must not be redeemed a second time")
        // The next call connects afresh and works.
        #expect(try transport.send(post).status == 200)
        #expect(server.connectionsAccepted == 2)
    }

    @Test func connectionCloseEndsReuse() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer("{}", extraHeaders: "Connection: close\r\n"), requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<2 { #expect(try transport.send(OutboundRequest(url: server.url + "/")).status == 200) }
        #expect(server.connectionsAccepted == 2)
    }

    @Test func anAnswerFollowedByUnaskedBytesEndsReuse() throws {
        let server = try LocalHTTPServer(.keepAlive(answer: Self.answer("{}") + Self.answer("smuggled"), requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<2 { #expect(try transport.send(OutboundRequest(url: server.url + "/")).body == Array("{}".utf8)) }
        #expect(server.connectionsAccepted == 2, "the second answer must never be read as the next call's")
    }

    @Test func anAnswerFramedTwoWaysIsRefusedAndItsConnectionDropped() throws {
        let ambiguous = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8)
        let server = try LocalHTTPServer(.keepAlive(answer: ambiguous, requests: 100, thenReadAndHangUp: false))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<2 {
            #expect(throws: TransportError.other("127.0.0.1 sent an invalid response: both Transfer-Encoding and Content-Length")) {
                try transport.send(OutboundRequest(url: server.url + "/"))
            }
        }
        #expect(server.connectionsAccepted == 2)
    }

    @Test func aServerTricklingItsAnswerIsCutOffAtTheTotalTimeout() throws {
        let server = try LocalHTTPServer(.trickle(answer: Self.answer(String(repeating: "x", count: 200)), interval: 0.05))
        defer { server.stop() }
        let transport = CurlTransport(options: .init(connectTimeout: 1, totalTimeout: 0.5))
        let start = Date()
        #expect(throws: TransportError.timedOut) { try transport.send(OutboundRequest(url: server.url + "/")) }
        #expect(Date().timeIntervalSince(start) < 3, "each byte arrives in time, but the whole answer does not")
    }

    @Test func anAnswerCutShortIsAnErrorNotATruncatedBody() throws {
        let server = try LocalHTTPServer(.trickle(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8), interval: 0))
        defer { server.stop() }
        #expect(throws: TransportError.other("127.0.0.1 sent an invalid response: the connection closed in the middle of the response")) {
            try CurlTransport().send(OutboundRequest(url: server.url + "/"))
        }
    }
}
