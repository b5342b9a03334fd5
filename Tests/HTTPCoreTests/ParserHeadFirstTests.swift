@testable import HTTPCore
import Testing

/// The parser shows each head before taking its body: the caller's limit refuses a body
/// before it is buffered, and empty lines before a request are counted across reads.
@Suite struct ParserHeadFirstTests {
    /// Feeds `raw`, calling next() with a body limit of `limit`, and returns the requests
    /// and the heads seen (in order) or the error.
    func run(_ raw: [String], limit: Int) -> (heads: [String], requests: [HTTPRequest], error: HTTPParseError?) {
        var parser = HTTPRequestParser()
        var heads: [String] = []
        var requests: [HTTPRequest] = []
        for chunk in raw {
            parser.feed(chunk)
            do {
                while let event = try parser.next(acceptingBody: { head in
                    heads.append("\(head.method.rawValue) \(head.path) \(head.body.count)")
                    return limit
                }) {
                    if case .request(let request, _) = event { requests.append(request) }
                }
            } catch {
                return (heads, requests, error)
            }
        }
        return (heads, requests, nil)
    }

    @Test func everyHeadIsShownOnceWithItsBodyStillEmpty() {
        let result = run(["GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nab", "c"], limit: 10)
        #expect(result.error == nil)
        #expect(result.heads == ["GET /a 0", "POST /b 0"])
        #expect(result.requests.map(\.body) == [[], Array("abc".utf8)])
    }

    @Test func aContentLengthOverTheLimitIsRefusedBeforeAnyBodyByte() {
        var parser = HTTPRequestParser()
        parser.feed("POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n")
        #expect(throws: HTTPParseError(.payloadTooLarge, "body larger than the route accepts")) {
            try parser.next { _ in 10 }
        }
        #expect(parser.mustClose)
        // Nothing more is taken in: the parser holds no body bytes.
        parser.feed(String(repeating: "x", count: 11))
        #expect(throws: HTTPParseError.self) { try parser.next { _ in 10 } }
    }

    @Test func aBodyOnARouteThatTakesNoneIsRefused() {
        let result = run(["GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n"], limit: 0)
        #expect(result.error?.status == .payloadTooLarge)
        #expect(result.requests.isEmpty)
    }

    @Test func aChunkedBodyIsRefusedAsSoonAsItPassesTheLimit() {
        let head = "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        // The second chunk's size line alone says the body will not fit.
        let result = run([head, "8\r\n12345678\r\n", "4\r\n"], limit: 10)
        #expect(result.error?.status == .payloadTooLarge)
        let fits = run([head, "8\r\n12345678\r\n", "2\r\n90\r\n0\r\n\r\n"], limit: 10)
        #expect(fits.requests.map(\.body) == [Array("1234567890".utf8)])
    }

    @Test func noContinueCueForARefusedBody() {
        var parser = HTTPRequestParser()
        parser.feed("PUT /b HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
        #expect(throws: HTTPParseError.self) { try parser.next { _ in 10 } }
    }

    @Test func whatTheCallerFillsInStaysOnTheRequest() throws {
        var parser = HTTPRequestParser()
        parser.feed("POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok")
        let event = try parser.next { head in
            head.clientAddress = "203.0.113.7"
            return 10
        }
        guard case .request(let request, _)? = event else {
            Issue.record("no request")
            return
        }
        #expect(request.clientAddress == "203.0.113.7")
        #expect(request.body == Array("ok".utf8))
    }

    @Test func theBodyStillExpectedIsKnownWhileItArrives() throws {
        var parser = HTTPRequestParser()
        parser.feed("POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\nab")
        #expect(try parser.next { _ in 10_000 } == nil)
        #expect(parser.bodyBytesExpected == 5000)
        var chunked = HTTPRequestParser()
        chunked.feed("POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n")
        #expect(try chunked.next { _ in 1000 } == nil)
        #expect(chunked.bodyBytesExpected == 996)
        #expect(HTTPRequestParser().bodyBytesExpected == nil)
    }

    @Test func emptyLinesAreCountedAcrossReads() {
        var parser = HTTPRequestParser()
        var failure: HTTPParseError?
        for _ in 0...HTTPRequestParser.maxLeadingEmptyLines {
            parser.feed("\r\n")
            do {
                #expect(try parser.next() == nil)
                // Skipped empty lines leave nothing of a request behind.
                #expect(parser.isIdle)
            } catch {
                failure = error
            }
        }
        #expect(failure?.status == .badRequest)
    }

    @Test func aRequestLineStartsTheCountAgain() throws {
        var parser = HTTPRequestParser()
        for _ in 0..<3 {
            for _ in 0..<HTTPRequestParser.maxLeadingEmptyLines {
                parser.feed("\r\n")
                #expect(try parser.next() == nil)
            }
            parser.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try parser.next() != nil)
        }
    }
}
