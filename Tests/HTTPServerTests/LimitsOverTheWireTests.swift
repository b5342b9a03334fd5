@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Every parser refusal over a real socket: the status, `Connection: close`, then the close.
@Suite(.serialized) struct LimitsOverTheWireTests {
    /// Sends `raw`, expects `status` and then the server closing the connection.
    func expectRefusal(_ raw: [UInt8], _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(raw)
        let r = try c.readResponse()
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r.header("Connection") == "close", sourceLocation: sourceLocation)
        #expect(c.waitForClose(), sourceLocation: sourceLocation)
    }

    func expectRefusal(_ raw: String, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectRefusal(Array(raw.utf8), status, sourceLocation: sourceLocation)
    }

    @Test func longRequestLine() throws {
        try expectRefusal("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414)
    }

    @Test func largeHeaderBlock() throws {
        let big = (0..<40).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\n\(big)\r\n", 431)
    }

    @Test func tooManyHeaders() throws {
        try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\n\((0..<101).map { "X-\($0): v\r\n" }.joined())\r\n", 431)
    }

    @Test func largeBody() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n" + String(repeating: "x", count: 70000), 413)
    }

    @Test func largeChunkedBody() throws {
        let chunk = "100000\r\n" + String(repeating: "x", count: 0x100000) + "\r\n"
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk, 413)
    }

    @Test func unknownMethod() throws { try expectRefusal("BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501) }
    @Test func malformedLine() throws { try expectRefusal("GET/ HTTP/1.1\r\nHost: t\r\n\r\n", 400) }
    @Test func malformedHeader() throws { try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\nbroken\r\n\r\n", 400) }
    @Test func bareLF() throws { try expectRefusal("GET / HTTP/1.1\nHost: t\n\n", 400) }
    @Test func bareCR() throws { try expectRefusal("GET / HTTP/1.1\rHost: t\r\n\r\n", 400) }
    @Test func nul() throws { try expectRefusal(Array("GET / HTTP/1.1\r\nHost: t\r\nX: a".utf8) + [0] + Array("\r\n\r\n".utf8), 400) }
    @Test func obsFold() throws { try expectRefusal("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400) }
    @Test func lengthAndChunked() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
    }
    @Test func differingLengths() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400)
    }
    @Test func otherTransferEncoding() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400)
    }
    @Test func badChunkSize() throws {
        try expectRefusal("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400)
    }
    @Test func badRequestAfterAGoodOneStillAnswersTheGoodOne() throws {
        let s = try TestServer(testRouter())
        let c = try s.client()
        try c.send(get("/") + "GET / HTTP/1.1\nHost: t\n\n")
        #expect(try c.readResponse().status == 200)
        #expect(try c.readResponse().status == 400)
        #expect(c.waitForClose())
    }
}
