// Static files over real sockets: content types, validators and 304s, HEAD, caching, and
// every way of trying to get out of the served directory.
@testable import HTTPServer
import Glibc
import Testing

/// A temporary Public/ directory with a secret file beside it and a symlink pointing at it.
final class StaticFixture: Sendable {
    let base: String
    let root: String

    init() throws {
        var template = Array("/tmp/httpserver-static-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClientError(description: "mkdtemp failed") }
        base = String(cString: made)
        root = base + "/Public"
        mkdir(root, 0o755)
        mkdir(root + "/css", 0o755)
        try write("body { color: red }\n", to: root + "/css/site.css")
        try write("console.log(1)\n", to: root + "/app.js")
        try write(String(repeating: "x", count: 4096), to: root + "/bench-4k.txt")
        try write("\u{89}PNG", to: root + "/logo.png")
        try write("mystery", to: root + "/data.bin")
        try write("SECRET=1", to: root + "/.env")
        try write("top secret", to: base + "/secret.txt")
        try write(String(repeating: "y", count: 300_000), to: root + "/big.txt")
        symlink(base + "/secret.txt", root + "/escape.txt")
        symlink("css/site.css", root + "/inside-link.css")
    }

    func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ClientError(description: "cannot write \(path)") }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    deinit {
        for file in ["css/site.css", "app.js", "bench-4k.txt", "logo.png", "data.bin", ".env", "big.txt", "escape.txt", "inside-link.css"] {
            unlink(root + "/" + file)
        }
        rmdir(root + "/css")
        rmdir(root)
        unlink(base + "/secret.txt")
        rmdir(base)
    }
}

@Suite(.serialized) struct StaticFilesTests {
    let fixture: StaticFixture
    let server: TestServer

    init() throws {
        fixture = try StaticFixture()
        let router = Router()
        router.get("/", .nonBlocking) { _ in .text("home") }
        router.mount("/static/", StaticFiles(directory: fixture.root, prefix: "/static/"))
        server = try TestServer(router)
    }

    func fetch(_ path: String, headers: String = "", method: String = "GET") throws -> RawResponse {
        let c = try server.client()
        try c.send("\(method) \(path) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
        return try c.readResponse(bodyExpected: method != "HEAD")
    }

    @Test func contentTypesByExtension() throws {
        #expect(try fetch("/static/css/site.css").header("Content-Type") == "text/css; charset=utf-8")
        #expect(try fetch("/static/app.js").header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(try fetch("/static/logo.png").header("Content-Type") == "image/png")
        #expect(try fetch("/static/bench-4k.txt").header("Content-Type") == "text/plain; charset=utf-8")
        #expect(try fetch("/static/data.bin").header("Content-Type") == "application/octet-stream")
    }

    @Test func servesTheBytesWithCacheHeaders() throws {
        let r = try fetch("/static/bench-4k.txt")
        #expect(r.status == 200)
        #expect(r.body.count == 4096)
        #expect(r.header("Cache-Control") == "public, max-age=3600")
        #expect(r.header("ETag") != nil)
        #expect(r.header("Last-Modified")?.hasSuffix("GMT") == true)
        #expect(r.header("X-Content-Type-Options") == "nosniff")
        let big = try fetch("/static/big.txt")
        #expect(big.body.count == 300_000)
    }

    @Test func etagGives304() throws {
        let etag = try #require(try fetch("/static/app.js").header("ETag"))
        let r = try fetch("/static/app.js", headers: "If-None-Match: \"nope\", \(etag)\r\n")
        #expect(r.status == 304)
        #expect(r.body.isEmpty)
        #expect(r.header("ETag") == etag)
        #expect(try fetch("/static/app.js", headers: "If-None-Match: W/\(etag)\r\n").status == 304)
        #expect(try fetch("/static/app.js", headers: "If-None-Match: \"other\"\r\n").status == 200)
    }

    @Test func lastModifiedGives304() throws {
        let lastModified = try #require(try fetch("/static/app.js").header("Last-Modified"))
        #expect(try fetch("/static/app.js", headers: "If-Modified-Since: \(lastModified)\r\n").status == 304)
        #expect(try fetch("/static/app.js", headers: "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT\r\n").status == 200)
        // If-None-Match wins over If-Modified-Since.
        #expect(try fetch("/static/app.js", headers: "If-None-Match: \"other\"\r\nIf-Modified-Since: \(lastModified)\r\n").status == 200)
    }

    @Test func headHasLengthNoBody() throws {
        let c = try server.client()
        try c.send("HEAD /static/bench-4k.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        let r = try c.readResponse(bodyExpected: false)
        #expect(r.status == 200)
        #expect(r.header("Content-Length") == "4096")
        try c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try c.readResponse().text == "home")
    }

    @Test func otherMethodsAre405() throws {
        #expect(try fetch("/static/app.js", method: "POST").status == 405)
    }

    @Test func missingFilesDirectoriesAndHiddenFilesAre404() throws {
        #expect(try fetch("/static/nope.css").status == 404)
        #expect(try fetch("/static/css").status == 404)
        #expect(try fetch("/static/css/").status == 404)
        #expect(try fetch("/static/.env").status == 404)
        #expect(try fetch("/static/").status == 404)
    }

    @Test func symlinkInsideTheRootIsServed() throws {
        #expect(try fetch("/static/inside-link.css").status == 200)
    }

    @Test(arguments: [
        "/static/../secret.txt",
        "/static/css/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/css%2f..%2f..%2fsecret.txt",
        "/static/..\\secret.txt",
        "/static/..%5csecret.txt",
        "/static/escape.txt",
        "/static/app.js%00.png",
        "/static/%",
        "/static//etc/passwd",
    ])
    func traversalIsRefused(path: String) throws {
        let r = try fetch(path)
        #expect(r.status == 400 || r.status == 404, "\(path) gave \(r.status)")
        #expect(!r.text.contains("secret"))
    }

    @Test func rawNulInThePathIsRefused() throws {
        let c = try server.client()
        try c.send(Array("GET /static/app.js".utf8) + [0] + Array(".png HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        #expect(try c.readResponse().status == 400)
    }

    @Test func changedFilesAreNoticed() throws {
        #expect(try fetch("/static/data.bin").text == "mystery")
        try fixture.write("changed!", to: fixture.root + "/data.bin")
        sleepSeconds(1.2)
        #expect(try fetch("/static/data.bin").text == "changed!")
    }
}
