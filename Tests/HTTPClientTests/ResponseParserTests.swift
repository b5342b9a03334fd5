import HTTPCore
import Testing

@testable import HTTPClient

/// The response reader on its own: every framing, fed whole and cut at every byte, and
/// every answer that could be read two ways or grow without bound refused.
@Suite struct ResponseParserTests {
    /// Feeds `bytes` in pieces of `piece` bytes (then the end of the connection when `end`).
    static func parse(_ text: String, piece: Int = .max, method: HTTPMethod = .GET, limit: Int = 1 << 20, end: Bool = false) throws -> ResponseParser {
        var parser = ResponseParser(bodyLimit: limit, method: method)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let next = min(bytes.count, offset + min(piece, bytes.count))
            let complete = try bytes[offset..<next].withUnsafeBytes { try parser.receive($0) }
            offset = next
            if complete { break }
        }
        if end { try parser.receiveEnd() }
        return parser
    }

    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=\"a\"\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"

    @Test func aContentLengthBodyCutAtEveryByteReadsTheSame() throws {
        let text = "HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-Trace:  abc \r\n\r\nhello world"
        for piece in 1...text.utf8.count {
            let parser = try Self.parse(text, piece: piece)
            #expect(parser.isComplete && parser.status == 201 && parser.keepAlive && !parser.hasLeftover)
            #expect(parser.body == Array("hello world".utf8))
            #expect(parser.headers["x-trace"] == "abc")
        }
    }

    @Test func aChunkedBodyCutAtEveryByteReadsTheSame() throws {
        for piece in 1...Self.chunked.utf8.count {
            let parser = try Self.parse(Self.chunked, piece: piece)
            #expect(parser.isComplete && parser.keepAlive && !parser.hasLeftover)
            #expect(String(decoding: parser.body, as: UTF8.self) == "hello, world")
        }
    }

    @Test func aBodyWithoutLengthRunsToTheEndAndEndsTheConnection() throws {
        let open = try Self.parse("HTTP/1.1 200 OK\r\n\r\npartial")
        #expect(!open.isComplete)
        let parser = try Self.parse("HTTP/1.1 200 OK\r\n\r\nwhole body", end: true)
        #expect(parser.isComplete && !parser.keepAlive && parser.body == Array("whole body".utf8))
    }

    @Test func answersWithoutABody() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", method: .HEAD).isComplete)
        #expect(try Self.parse("HTTP/1.1 204 No Content\r\n\r\n").isComplete)
        #expect(try Self.parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n").isComplete)
    }

    @Test func interimAnswersAreSkipped() throws {
        let parser = try Self.parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(parser.status == 200 && parser.body == Array("ok".utf8) && parser.headers["Link"] == nil)
        #expect(throws: ResponseParser.Failure.malformed("101 Switching Protocols to a request that asked for none")) {
            try Self.parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
        }
    }

    @Test func anEndlessRunOfInterimAnswersIsCutOff() throws {
        let interim = "HTTP/1.1 100 Continue\r\n\r\n"
        let final = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        #expect(try Self.parse(String(repeating: interim, count: ResponseParser.interimLimit) + final).status == 200)
        #expect(throws: ResponseParser.Failure.malformed("more than 8 interim responses")) {
            try Self.parse(String(repeating: interim, count: ResponseParser.interimLimit + 1) + final)
        }
    }

    @Test func whatEndsTheConnection() throws {
        #expect(try !Self.parse("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n").keepAlive)
        #expect(try !Self.parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive)
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n").hasLeftover)
    }

    @Test func repeatedEqualLengthsAreOneLength() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok").body == Array("ok".utf8))
    }

    /// Each of these could be read two ways by this client and a proxy between it and the
    /// server, or is not HTTP/1.x at all.
    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "both Transfer-Encoding and Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nabc", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported Transfer-Encoding"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "unsupported Transfer-Encoding"),
        ("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "a folded header line"),
        ("HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n", "a bare CR or LF in the head"),
        ("HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n", "a control character in a header value"),
        ("HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n", "a header name that is not a token"),
        ("HTTP/1.1 200 OK\r\n: 1\r\n\r\n", "a header line without a name"),
        ("HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP/1.x status line"),
        ("HTTP/1.1 099 Low\r\n\r\n", "status code below 100"),
        ("ICY 200 OK\r\n\r\n", "not an HTTP/1.x status line"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "an invalid chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", "chunk data not followed by CRLF"),
    ])
    func ambiguousOrForeignAnswersAreRefused(text: String, reason: String) {
        #expect(throws: ResponseParser.Failure.malformed(reason)) { try Self.parse(text) }
    }

    @Test func bodiesPastTheLimitStopBeforeTheyAreKept() {
        #expect(throws: ResponseParser.Failure.tooLarge) { try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", limit: 10) }
        #expect(throws: ResponseParser.Failure.tooLarge) {
            try Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", limit: 10)
        }
        #expect(throws: ResponseParser.Failure.tooLarge) { try Self.parse("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11), limit: 10) }
        #expect(throws: ResponseParser.Failure.tooLarge) {
            try Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "f", count: 17) + "\r\n")
        }
        #expect(throws: ResponseParser.Failure.tooLarge) { try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n") }
    }

    @Test func endlessHeadsAndLinesAreCutOff() {
        let endlessHead = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Padding: 0123456789\r\n", count: 3000)
        #expect(throws: ResponseParser.Failure.malformed("response head longer than 65536 bytes")) { try Self.parse(endlessHead, piece: 1000) }
        let endlessChunkLine = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000)
        #expect(throws: ResponseParser.Failure.malformed("chunk-size line longer than 4096 bytes")) { try Self.parse(endlessChunkLine, piece: 7) }
        let endlessTrailers = Self.chunked.replacing("Trailer: x\r\n", with: String(repeating: "T: 0123456789\r\n", count: 5000))
        #expect(throws: ResponseParser.Failure.malformed("trailer section longer than 65536 bytes")) { try Self.parse(endlessTrailers, piece: 512) }
    }

    @Test func aHeadTrickledAByteAtATimeIsStillRead() throws {
        let text = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Padding: 0123456789\r\n", count: 2000) + "Content-Length: 1\r\n\r\n!"
        let parser = try Self.parse(text, piece: 1)
        #expect(parser.isComplete && parser.headers.count == 2001 && parser.body == [UInt8(ascii: "!")])
    }

    @Test func theEndOfTheConnectionBeforeTheEndOfTheAnswer() {
        #expect(throws: ResponseParser.Failure.malformed("the connection closed before any response")) { try Self.parse("", end: true) }
        #expect(throws: ResponseParser.Failure.malformed("the connection closed in the middle of the response")) {
            try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", end: true)
        }
        #expect(throws: ResponseParser.Failure.malformed("the connection closed in the middle of the response")) {
            try Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", end: true)
        }
    }
}
