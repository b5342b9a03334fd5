@testable import HTTPCore
import Testing

/// Unit tests for HTTPRequestParser: no sockets, bytes in, requests or typed errors out.
/// Every refused input has its own test asserting the status and that the connection
/// must be closed.
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
