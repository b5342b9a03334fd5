@testable import HTTPCore
import Testing

/// Responses as bytes: status line, headers, framing the server owns, no header injection.
@Suite struct ResponseSerializerTests {
    func serialize(_ response: HTTPResponse, head: Bool = false, http10: Bool = false, keepAlive: Bool = true) -> String {
        var out: [UInt8] = []
        ResponseSerializer.write(
            response, framing: .init(isHead: head, isHTTP10: http10, keepAlive: keepAlive),
            dateLine: Array("Date: D\r\n".utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func writesStatusHeadersLengthAndBody() {
        let text = serialize(.text("hi"))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: D\r\nContent-Length: 2\r\n\r\nhi")
    }

    @Test func closeAndHTTP10KeepAliveAreSaid() {
        #expect(serialize(.text("x"), keepAlive: false).contains("\r\nConnection: close\r\n"))
        #expect(serialize(.text("x"), http10: true).contains("\r\nConnection: keep-alive\r\n"))
    }

    @Test func headKeepsTheLengthAndDropsTheBody() {
        let text = serialize(.text("hello"), head: true)
        #expect(text.hasSuffix("Content-Length: 5\r\n\r\n"))
        let declared = serialize(HTTPResponse(status: .ok, headers: ["Content-Length": "4096"]), head: true)
        #expect(declared.contains("Content-Length: 4096\r\n"))
    }

    @Test func noBodyStatusesHaveNoLength() {
        let text = serialize(HTTPResponse(status: .notModified, headers: ["ETag": "\"x\""], body: Array("ignored".utf8)))
        #expect(!text.contains("Content-Length"))
        #expect(text.hasSuffix("\r\n\r\n"))
        #expect(!serialize(HTTPResponse(status: .noContent)).contains("Content-Length"))
    }

    @Test func headerInjectionIsNeutralised() {
        let text = serialize(HTTPResponse(status: .found, headers: ["Location": "/x\r\nSet-Cookie: evil=1"]))
        #expect(!text.contains("\r\nSet-Cookie"))
        #expect(text.contains("Location: /x  Set-Cookie: evil=1\r\n"))
    }

    @Test func unusualStatusIsWrittenInFull() {
        #expect(serialize(HTTPResponse(status: HTTPStatus(418, "I'm a teapot"))).hasPrefix("HTTP/1.1 418 I'm a teapot\r\n"))
    }
}
