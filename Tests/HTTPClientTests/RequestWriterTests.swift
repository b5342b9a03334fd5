import HTTPCore
import Testing

@testable import HTTPClient

/// The request bytes and the target they go to: exactly one reading of the URL, the
/// transport's own framing headers, and nothing a caller's header value could inject.
@Suite struct RequestWriterTests {
    static func written(_ request: OutboundRequest) throws -> String {
        let target = try #require(OutboundTarget(request.url))
        return String(decoding: try RequestWriter.bytes(request, target: target, userAgent: "entra-web"), as: UTF8.self)
    }

    @Test func aGETIsTheRequestLineHostAgentAndTheCallersHeaders() throws {
        let text = try Self.written(OutboundRequest(url: "https://graph.microsoft.com/v1.0/me?$select=id#frag",
                                                    headers: ["Authorization": "Bearer abc", "Accept": "application/json"]))
        #expect(text == "GET /v1.0/me?$select=id HTTP/1.1\r\nHost: graph.microsoft.com\r\nUser-Agent: entra-web\r\n"
            + "Authorization: Bearer abc\r\nAccept: application/json\r\n\r\n")
    }

    @Test func aPOSTCarriesItsLengthAndTheCallersFramingIsIgnored() throws {
        let text = try Self.written(OutboundRequest(method: .POST, url: "http://127.0.0.1:8080/token", headers: [
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "999", "Host": "evil.example",
            "Transfer-Encoding": "chunked", "Connection": "close", "Expect": "100-continue",
        ], body: Array("a=b".utf8)))
        #expect(text == "POST /token HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: entra-web\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b")
        #expect(try Self.written(OutboundRequest(method: .POST, url: "http://127.0.0.1/empty")).contains("Content-Length: 0\r\n"))
    }

    @Test func targetsAndTheirHosts() throws {
        let ipv6 = try #require(OutboundTarget("http://[::1]:9000"))
        #expect(ipv6.requestTarget == "/" && ipv6.hostHeader == "[::1]:9000" && ipv6.connectURL == "http://[::1]:9000/")
        let defaultPort = try #require(OutboundTarget("HTTPS://login.microsoftonline.com:443/common/v2.0/.well-known/openid-configuration"))
        #expect(defaultPort.hostHeader == "login.microsoftonline.com" && defaultPort.origin == "https://login.microsoftonline.com:443")
        #expect(defaultPort.connectURL == "https://login.microsoftonline.com:443/")
    }

    @Test(arguments: ["ftp://127.0.0.1/x", "file:///etc/passwd", "https://user:pw@example.com/", "https://user@example.com/",
                      "/relative", "https:///nohost", "http://exa mple.com/", "http://example.com:99999/"])
    func urlsThatAreNotSentAnywhere(url: String) {
        #expect(OutboundTarget(url) == nil)
    }

    @Test func spacesAndNonASCIIInThePathTravelPercentEncoded() throws {
        #expect(try #require(OutboundTarget("http://example.com/a b")).requestTarget == "/a%20b")
        #expect(try #require(OutboundTarget("http://example.com/caf\u{E9}?q=\u{E9}")).requestTarget == "/caf%C3%A9?q=%C3%A9")
    }

    @Test(arguments: [("X-A", "b\r\nX-Injected: 1"), ("X-A", "b\nc"), ("X-A", "nul\u{0}"), ("Bad Name", "v"), ("X-A\r\nX-B", "v"), ("", "v")])
    func headersThatWouldSplitTheRequestAreRefused(name: String, value: String) throws {
        let target = try #require(OutboundTarget("http://127.0.0.1/"))
        #expect(throws: RequestWriter.Refusal.self) {
            try RequestWriter.bytes(OutboundRequest(url: "http://127.0.0.1/", headers: HTTPHeaders([(name: name, value: value)])),
                                    target: target, userAgent: "entra-web")
        }
    }
}
