@testable import HTTPServer
import Testing

/// Unit tests without sockets: router matching, safe static paths, HTTP dates, response
/// serialization and forwarded-header handling.
@Suite struct RouterTests {
    func request(_ method: HTTPMethod, _ path: String) -> HTTPRequest {
        HTTPRequest(method: method, path: path, headers: ["Host": "t"])
    }

    struct Fixed: HTTPResponder {
        let text: String
        let blocks: Bool
        func mayBlock(_ request: HTTPRequest) -> Bool { blocks }
        func respond(to request: HTTPRequest) throws -> HTTPResponse { .text(text) }
    }

    @Test func exactRoutesMethodsAndHeadFallback() throws {
        let router = Router()
        router.get("/a") { _ in .text("get a") }
        router.post("/a") { _ in .text("post a") }
        #expect(try router.respond(to: request(.GET, "/a")).body == Array("get a".utf8))
        #expect(try router.respond(to: request(.POST, "/a")).body == Array("post a".utf8))
        #expect(try router.respond(to: request(.HEAD, "/a")).body == Array("get a".utf8))
        let wrong = try router.respond(to: request(.DELETE, "/a"))
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "GET, HEAD, POST")
        #expect(try router.respond(to: request(.GET, "/a/")).status == .notFound)
    }

    @Test func mountsMatchByLongestPrefixAndRoutesWin() throws {
        let router = Router()
        router.mount("/static/", Fixed(text: "static", blocks: false))
        router.mount("/static/slow/", Fixed(text: "slow", blocks: true))
        router.get("/static/exact") { _ in .text("exact") }
        #expect(try router.respond(to: request(.GET, "/static/x.css")).body == Array("static".utf8))
        #expect(try router.respond(to: request(.GET, "/static/slow/x")).body == Array("slow".utf8))
        #expect(try router.respond(to: request(.GET, "/static/exact")).body == Array("exact".utf8))
        #expect(router.mayBlock(request(.GET, "/static/slow/x")))
        #expect(!router.mayBlock(request(.GET, "/static/x.css")))
    }

    @Test func mayBlockFollowsTheRoute() {
        let router = Router()
        router.get("/fast") { _ in .text("") }
        router.get("/slow", mayBlock: true) { _ in .text("") }
        #expect(!router.mayBlock(request(.GET, "/fast")))
        #expect(router.mayBlock(request(.GET, "/slow")))
        #expect(router.mayBlock(request(.HEAD, "/slow")))
        #expect(!router.mayBlock(request(.GET, "/missing")))
    }

    @Test func notFoundHandlerCanBeReplaced() throws {
        let router = Router()
        router.setNotFound { request in .html("<h1>No \(request.path)</h1>", status: .notFound) }
        let response = try router.respond(to: request(.GET, "/nope"))
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
    }
}

@Suite struct SafePathTests {
    @Test func acceptsOrdinaryPaths() {
        #expect(SafePath.relativePath("css/site.css") == .success("css/site.css"))
        #expect(SafePath.relativePath("a%20b.txt") == .success("a b.txt"))
    }

    @Test func refusesTraversal() {
        for raw in ["..", "../x", "a/../../x", "%2e%2e/x", "%2E%2e/x", "a%2fb", "a%2Fb", "a\\b", "a%5cb", "a%00b", "%zz", "a%", "a\u{01}b", "./x"] {
            #expect(SafePath.relativePath(Substring(raw)) == .failure(.badRequest), "\(raw)")
        }
    }

    @Test func hidesDotfilesAndEmptySegments() {
        for raw in ["", ".env", "a/.git/config", "a//b", "a/"] {
            #expect(SafePath.relativePath(Substring(raw)) == .failure(.notFound), "\(raw)")
        }
    }

    @Test func mediaTypes() {
        #expect(MediaTypes.forPath("a/b.CSS") == "text/css; charset=utf-8")
        #expect(MediaTypes.forPath("x.woff2") == "font/woff2")
        #expect(MediaTypes.forPath("noext") == "application/octet-stream")
        #expect(MediaTypes.forPath("dir.d/noext") == "application/octet-stream")
    }
}

@Suite struct HTTPDateTests {
    @Test func formatsAndParsesIMFFixdate() {
        #expect(HTTPDate.format(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("garbage") == nil)
    }
}

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

@Suite struct ForwardedHeadersTests {
    func apply(_ headers: HTTPHeaders, peer: String, trusted: [String]) throws -> HTTPRequest {
        var request = HTTPRequest(method: .GET, path: "/", headers: headers)
        let address = try #require(IPAddress(peer))
        ForwardedHeaders.apply(to: &request, peer: address, peerText: address.description, trusted: try TrustedProxies(trusted))
        return request
    }

    @Test func ignoredFromUntrustedPeers() throws {
        let r = try apply(["Host": "h", "X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil"], peer: "5.6.7.8", trusted: [])
        #expect(r.clientAddress == "5.6.7.8")
        #expect(r.scheme == "http")
        #expect(r.host == "h")
    }

    @Test func honouredFromTrustedPeers() throws {
        let r = try apply(["Host": "h", "X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "HTTPS", "X-Forwarded-Host": "app.example"], peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "1.2.3.4")
        #expect(r.scheme == "https")
        #expect(r.host == "app.example")
    }

    @Test func walksRightToLeftOverTrustedHops() throws {
        let headers: HTTPHeaders = ["X-Forwarded-For": "9.9.9.9, 1.2.3.4", "X-Forwarded-For": "10.0.0.5, 10.0.0.6"]
        let r = try apply(headers, peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "1.2.3.4")
    }

    @Test func hopsWithPortsAndIPv6() throws {
        #expect(try apply(["X-Forwarded-For": "[2001:db8::1]:443"], peer: "::1", trusted: ["::1"]).clientAddress == "2001:db8::1")
        #expect(try apply(["X-Forwarded-For": "1.2.3.4:5678"], peer: "::1", trusted: ["::1"]).clientAddress == "1.2.3.4")
    }

    @Test func garbageHopStopsTheWalk() throws {
        let r = try apply(["X-Forwarded-For": "not-an-ip"], peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "10.0.0.1")
    }

    @Test func badProtoAndHostAreIgnored() throws {
        let r = try apply(["Host": "h", "X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a b"], peer: "10.0.0.1", trusted: ["10.0.0.1"])
        #expect(r.scheme == "http")
        #expect(r.host == "h")
    }
}
