@testable import HTTPCore
import Testing

/// Unit tests for HTTPRequestParser: no sockets, bytes in, requests or typed errors out.
/// Every refused input has its own test asserting the status and that the connection
/// must be closed.
private func parse(_ raw: String, limits: HTTPParseLimits = HTTPParseLimits()) throws(HTTPParseError) -> [HTTPParseEvent] {
    var parser = HTTPRequestParser(limits: limits)
    parser.feed(raw)
    var events: [HTTPParseEvent] = []
    while let event = try parser.next() { events.append(event) }
    return events
}

private func requests(_ raw: String) throws -> [(HTTPRequest, Bool)] {
    try parse(raw).compactMap {
        if case .request(let r, let k) = $0 { return (r, k) }
        return nil
    }
}

/// Feeds `raw` and expects the parser to refuse it with `status`, and to insist on closing.
private func expectRejected(
    _ raw: [UInt8], _ status: HTTPStatus, limits: HTTPParseLimits = HTTPParseLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var parser = HTTPRequestParser(limits: limits)
    parser.feed(raw)
    do {
        while try parser.next() != nil {}
        Issue.record("accepted a request that should be refused with \(status.code)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.status == status, sourceLocation: sourceLocation)
        #expect(parser.mustClose, sourceLocation: sourceLocation)
        // Once failed, the parser stays failed: nothing after the bad bytes is trusted.
        parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self, sourceLocation: sourceLocation) { try parser.next() }
    }
}

private func expectRejected(
    _ raw: String, _ status: HTTPStatus, limits: HTTPParseLimits = HTTPParseLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectRejected(Array(raw.utf8), status, limits: limits, sourceLocation: sourceLocation)
}

@Suite struct ParserAcceptsTests {
    @Test func simpleGet() throws {
        let r = try requests("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n")
        #expect(r.count == 1)
        let (request, keepAlive) = r[0]
        #expect(request.method == .GET)
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1&y=2")
        #expect(request.headers["host"] == "example.com")
        #expect(request.host == "example.com")
        #expect(request.version == (1, 1) ? true : false)
        #expect(keepAlive)
    }

    @Test func keepAliveRules() throws {
        #expect(try requests("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.0\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].1 == true)
    }

    @Test func byteByByteGivesTheSameRequest() throws {
        let raw = Array("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello".utf8)
        var parser = HTTPRequestParser()
        var got: HTTPRequest?
        for byte in raw {
            parser.feed([byte])
            if case .request(let r, _)? = try parser.next() { got = r }
        }
        #expect(got?.method == .POST)
        #expect(got?.body == Array("hello".utf8))
    }

    @Test func anySplitOfTheBytesGivesTheSameRequests() throws {
        let raw = Array(("GET /1?q HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n").utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var parser = HTTPRequestParser()
            var got: [(String, [UInt8], Bool)] = []
            var i = 0
            while i < raw.count {
                let n = Int.random(in: 1...12, using: &generator)
                parser.feed(Array(raw[i..<min(raw.count, i + n)]))
                i += n
                while let event = try parser.next() {
                    if case .request(let r, let k) = event { got.append((r.path, r.body, k)) }
                }
            }
            #expect(got.map(\.0) == ["/1", "/2", "/3", "/4"])
            #expect(got.map(\.1) == [[], Array("body".utf8), Array("abcd".utf8), []])
            #expect(got.map(\.2) == [true, true, true, false])
            #expect(parser.isIdle)
        }
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let r = try requests("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(r.map(\.0.path) == ["/1", "/2", "/3"])
    }

    @Test func contentLengthBody() throws {
        let r = try requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(r[0].0.body == Array("abc".utf8))
        #expect(r[1].0.path == "/next")
    }

    @Test func identicalDuplicateContentLengthIsAccepted() throws {
        let r = try requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(r[0].0.body == Array("ok".utf8))
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let r = try requests(raw)
        #expect(r[0].0.body == Array("hello world".utf8))
    }

    @Test func expectContinueIsSignalledBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.feed("PUT /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        guard case .expectContinue? = try parser.next() else {
            Issue.record("no 100-continue cue")
            return
        }
        #expect(try parser.next() == nil)
        parser.feed("data")
        guard case .request(let r, _)? = try parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(r.body == Array("data".utf8))
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        #expect(try requests("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")[0].0.path == "/x")
    }

    @Test func absoluteFormTargetKeepsPathAndQuery() throws {
        let r = try requests("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(r[0].0.path == "/p")
        #expect(r[0].0.query == "q=1")
    }

    @Test func headerValuesAreTrimmedAndKeepInnerSpaces() throws {
        let r = try requests("GET / HTTP/1.1\r\nHost: a\r\nX-Thing: \t one two \t\r\n\r\n")
        #expect(r[0].0.headers["x-thing"] == "one two")
    }

    @Test func waitsForMoreBytes() throws {
        var parser = HTTPRequestParser()
        parser.feed("GET / HTTP/1.1\r\nHost: a\r\n")
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        parser.feed("\r\n")
        #expect(try parser.next() != nil)
        #expect(parser.isIdle)
    }
}

extension HTTPParseEvent: Equatable {
    public static func == (a: HTTPParseEvent, b: HTTPParseEvent) -> Bool {
        switch (a, b) {
        case (.expectContinue, .expectContinue): return true
        case (.request(let x, let kx), .request(let y, let ky)): return x.path == y.path && kx == ky
        default: return false
        }
    }
}

@Suite struct ParserRejectsTests {
    @Test func requestLineTooLongIs414() {
        expectRejected("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: a\r\n\r\n", .uriTooLong)
    }

    @Test func requestLineTooLongIs414BeforeItEnds() {
        // No CRLF yet: the parser must not keep buffering past the limit.
        expectRejected("GET /\(String(repeating: "a", count: 9000))", .uriTooLong)
    }

    @Test func headerBlockTooLargeIs431() {
        let big = (0..<40).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\(big)\r\n", .requestHeaderFieldsTooLarge)
    }

    @Test func tooManyHeaderFieldsIs431() {
        let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n", .requestHeaderFieldsTooLarge)
    }

    @Test func bodyTooLargeIs413() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", .payloadTooLarge)
    }

    @Test func hugeContentLengthIs413() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", .payloadTooLarge)
    }

    @Test func chunkedBodyTooLargeIs413() {
        let limits = HTTPParseLimits(maxBodyBytes: 10)
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", .payloadTooLarge, limits: limits)
    }

    @Test func unknownMethodIs501() {
        expectRejected("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", .notImplemented)
    }

    @Test func unsupportedVersionIs505() {
        expectRejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
    }

    @Test func requestLineWithoutVersionIs400() {
        expectRejected("GET /\r\nHost: a\r\n\r\n", .badRequest)
    }

    @Test func requestLineWithExtraSpaceIs400() {
        expectRejected("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest)
    }

    @Test func garbageVersionIs400() {
        expectRejected("GET / HTTX/1.1\r\nHost: a\r\n\r\n", .badRequest)
    }

    @Test func controlCharacterInTargetIs400() {
        expectRejected([UInt8]("GET /a".utf8) + [0x01] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8), .badRequest)
    }

    @Test func headerWithoutColonIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", .badRequest)
    }

    @Test func whitespaceBeforeColonIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Bad : v\r\n\r\n", .badRequest)
    }

    @Test func bareLFIs400() {
        expectRejected("GET / HTTP/1.1\nHost: a\r\n\r\n", .badRequest)
    }

    @Test func bareLFInHeaderIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", .badRequest)
    }

    @Test func bareCRIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", .badRequest)
    }

    @Test func nulInHeaderIs400() {
        expectRejected([UInt8]("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0] + Array("b\r\n\r\n".utf8), .badRequest)
    }

    @Test func nulInRequestLineIs400() {
        expectRejected([UInt8]("GET /a".utf8) + [0] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8), .badRequest)
    }

    @Test func obsFoldIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", .badRequest)
    }

    @Test func contentLengthAndTransferEncodingIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .badRequest)
    }

    @Test func differingContentLengthsIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", .badRequest)
    }

    @Test func differingContentLengthListIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", .badRequest)
    }

    @Test func nonNumericContentLengthIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", .badRequest)
    }

    @Test func transferEncodingOtherThanChunkedIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .badRequest)
    }

    @Test func transferEncodingListIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .badRequest)
    }

    @Test func badChunkSizeIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", .badRequest)
    }

    @Test func chunkWithoutTrailingCRLFIs400() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n", .badRequest)
    }

    @Test func missingHostIs400() {
        expectRejected("GET / HTTP/1.1\r\n\r\n", .badRequest)
    }

    @Test func duplicateHostIs400() {
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badRequest)
    }

    @Test func unsupportedExpectationIs417() {
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\nContent-Length: 1\r\n\r\nx", .expectationFailed)
    }
}
