import Foundation
import HTTPClient
import Testing

/// The libcurl transport against a local POSIX-socket server: round trip, refused
/// connection, timeout, size cap, no redirects, protocol and TLS failures.
@Suite struct CurlTransportTests {
    @Test func statusHeadersAndBodyRoundTrip() throws {
        let server = try LocalHTTPServer(.respond(status: 201, headers: [("X-Trace", "abc"), ("Content-Type", "application/json")],
                                                  body: Array(#"{"ok":true}"#.utf8)))
        defer { server.stop() }
        let transport = CurlTransport()
        let body = Array("grant_type=authorization_code&code=x".utf8)
        let response = try transport.send(OutboundRequest(method: .POST, url: server.url + "/token?x=1",
                                                          headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Custom": "v"],
                                                          body: body))
        #expect(response.status == 201)
        #expect(response.headers["x-trace"] == "abc")
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.body == Array(#"{"ok":true}"#.utf8))
        let request = try #require(server.received.first)
        #expect(request.requestLine == "POST /token?x=1 HTTP/1.1")
        #expect(request.header("X-Custom") == "v")
        #expect(request.header("Expect") == nil)
        #expect(request.body == body)
    }

    @Test func getWithoutBody() throws {
        let server = try LocalHTTPServer(.respond(status: 200, headers: [], body: Array("hello".utf8)))
        defer { server.stop() }
        let response = try CurlTransport().send(OutboundRequest(url: server.url + "/.well-known/openid-configuration"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        #expect(server.received.first?.requestLine == "GET /.well-known/openid-configuration HTTP/1.1")
    }

    @Test func redirectsAreNotFollowed() throws {
        let server = try LocalHTTPServer(.respond(status: 302, headers: [("Location", "/elsewhere")], body: []))
        defer { server.stop() }
        let response = try CurlTransport().send(OutboundRequest(url: server.url + "/start"))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/elsewhere")
        #expect(server.received.count == 1)
    }

    @Test func refusedConnection() throws {
        let port = try LocalHTTPServer.closedPort()
        #expect(throws: TransportError.connectionRefused(host: "127.0.0.1")) {
            try CurlTransport().send(OutboundRequest(url: "http://127.0.0.1:\(port)/"))
        }
    }

    @Test func serverThatNeverAnswersTimesOut() throws {
        let server = try LocalHTTPServer(.neverAnswer)
        defer { server.stop() }
        let transport = CurlTransport(options: .init(connectTimeout: 1, totalTimeout: 0.5))
        let start = Date()
        #expect(throws: TransportError.timedOut) { try transport.send(OutboundRequest(url: server.url + "/")) }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func oversizedBodyIsAborted() throws {
        let limit = 1 << 20
        let server = try LocalHTTPServer(.respond(status: 200, headers: [], body: [UInt8](repeating: 0x61, count: limit + 1)))
        defer { server.stop() }
        #expect(throws: TransportError.responseTooLarge(limit: limit)) { try CurlTransport().send(OutboundRequest(url: server.url + "/big")) }
    }

    @Test func bodyAtTheLimitIsAccepted() throws {
        let limit = 1 << 20
        let server = try LocalHTTPServer(.respond(status: 200, headers: [], body: [UInt8](repeating: 0x62, count: limit)))
        defer { server.stop() }
        #expect(try CurlTransport().send(OutboundRequest(url: server.url + "/exact")).body.count == limit)
    }

    @Test func onlyHTTPAndHTTPS() {
        #expect(throws: TransportError.self) { try CurlTransport().send(OutboundRequest(url: "file:///etc/passwd")) }
        do {
            _ = try CurlTransport().send(OutboundRequest(url: "ftp://127.0.0.1/x"))
            Issue.record("ftp was allowed")
        } catch {
            #expect(error == .invalidURL("unsupported or malformed URL for host 127.0.0.1"))
        }
    }

    @Test func tlsFailureIsReported() throws {
        // A plain-text answer to a TLS ClientHello.
        let server = try LocalHTTPServer(.writeImmediately(Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)))
        defer { server.stop() }
        do {
            _ = try CurlTransport(options: .init(totalTimeout: 3)).send(OutboundRequest(url: "https://127.0.0.1:\(server.port)/"))
            Issue.record("TLS to a plain server succeeded")
        } catch {
            guard case .tlsFailure = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func unresolvableHost() {
        #expect(throws: TransportError.cannotResolveHost(host: "does-not-exist.invalid")) {
            try CurlTransport(options: .init(connectTimeout: 3, totalTimeout: 5)).send(OutboundRequest(url: "http://does-not-exist.invalid/"))
        }
    }

    @Test func headerInjectionIsRefused() {
        #expect(throws: TransportError.self) {
            try CurlTransport().send(OutboundRequest(url: "http://127.0.0.1:1/", headers: ["X-A": "b\r\nX-Injected: 1"]))
        }
    }

    @Test func sequentialRequestsShareTheHandlePool() throws {
        let server = try LocalHTTPServer(.respond(status: 204, headers: [], body: []))
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<5 { #expect(try transport.send(OutboundRequest(url: server.url + "/")).status == 204) }
        #expect(server.received.count == 5)
    }
}
