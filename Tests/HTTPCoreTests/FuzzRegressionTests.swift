// Inputs the request-parser fuzzer (Fuzz/HTTPParserFuzz, run by bench/fuzz.sh) found to
// break an invariant, kept byte for byte as it saved them (minimised), next to a plain
// statement of the rule they broke. The same bytes are in the seed corpus
// (Fuzz/corpus/http-parser/regress-*), so every fuzz run checks them again too.
@testable import HTTPCore
import Testing

/// The fuzzer's small limits, which make every limit reachable with short inputs.
private let tinyLimits = HTTPParseLimits(maxRequestLine: 48, maxHeaderBytes: 96, maxHeaderCount: 4, maxBodyBytes: 24)

/// What the parser made of `bytes` fed in reads of `readSize` bytes: the requests it
/// produced and the error that stopped it, if any.
private func parse(_ bytes: [UInt8], limits: HTTPParseLimits, readSize: Int) -> (requests: [HTTPRequest], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    var requests: [HTTPRequest] = []
    var offset = 0
    while offset < bytes.count {
        parser.feed(Array(bytes[offset..<min(bytes.count, offset + readSize)]))
        offset += readSize
        do {
            while let event = try parser.next() {
                if case .request(let request, _) = event { requests.append(request) }
            }
        } catch {
            return (requests, error)
        }
    }
    return (requests, nil)
}

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var i = text.startIndex
    while i < text.endIndex {
        let j = text.index(i, offsetBy: 2)
        bytes.append(UInt8(text[i..<j], radix: 16)!)
        i = j
    }
    return bytes
}

@Suite struct FuzzRegressionTests {
    /// A head whose header block is `maxHeaderBytes` or one byte less was refused with 431 when
    /// a read ended right after a header line's CRLF: the check on a line still arriving
    /// counted that CRLF, which the check on a finished line does not.
    @Test func headerBlockExactlyAtTheLimitIsAcceptedWhereverAReadEnds() {
        let limits = HTTPParseLimits(maxHeaderBytes: 20)
        // The header block (request line and final CRLFs aside) is 7 + 2 + 11 = 20 bytes.
        let fits = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: 1234\r\n\r\n".utf8)
        let tooLarge = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: 12345\r\n\r\n".utf8)
        for readSize in 1...fits.count {
            let accepted = parse(fits, limits: limits, readSize: readSize)
            #expect(accepted.error == nil && accepted.requests.count == 1, "read size \(readSize): \(String(describing: accepted.error))")
            let refused = parse(tooLarge, limits: limits, readSize: readSize)
            #expect(refused.error?.status == .requestHeaderFieldsTooLarge, "read size \(readSize)")
        }
        // Two reads, split at every position: the case the fuzzer's random cuts hit.
        for cut in 1..<fits.count {
            var parser = HTTPRequestParser(limits: limits)
            parser.feed(Array(fits[..<cut]))
            do {
                #expect(try parser.next() == nil, "cut at \(cut)")
                parser.feed(Array(fits[cut...]))
                #expect(try parser.next() != nil, "cut at \(cut)")
            } catch {
                Issue.record("cut at \(cut): \(error)")
            }
        }
    }

    /// fuzz crash 9cabdcc7, minimised: an HTTP/1.0 head with a 95-byte header block (the
    /// limit is 96; with the CRLF counted it was 97) and obs-text in a value; accepted
    /// whole, refused 431 byte by byte.
    @Test func crash9cabdcc7() {
        let input = hex(
            "474554202f20485454502f312e300d0a436f6e6e656374696f6e3a204b6565702d415374726e67206368756e6b436f6c6c65637469"
                + "6f6e702e637373204854ff732f312e300d0a436f6e6e656374696f6e3a204b6565702d41537472537562737472696e696e6720"
                + "6368756e6b65640d0a0d0a")
        for readSize in [input.count, 1, 7] {
            let result = parse(input, limits: tinyLimits, readSize: readSize)
            #expect(result.error == nil, "read size \(readSize): \(String(describing: result.error))")
            #expect(result.requests.map(\.path) == ["/"], "read size \(readSize)")
        }
    }

    /// fuzz crash a8a95e8d, minimised: the same rule reached through an HTTP/1.1 head with
    /// Host and a long header name.
    @Test func crashA8a95e8d() {
        let input = hex(
            "505554202f20485454502f312e310d0a486f73743a20610d0a5472616e736665722d456e634e4e4e4e4e4e4e4e4e4e7a4e4e4e4e"
                + "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e6f64696e675f3a204368756e6b6472616e736665722d6542"
                + "6f6f6c743a20610d0a0d0a")
        for readSize in [input.count, 1, 7] {
            let result = parse(input, limits: tinyLimits, readSize: readSize)
            #expect(result.error == nil, "read size \(readSize): \(String(describing: result.error))")
            #expect(result.requests.map(\.method) == [.PUT], "read size \(readSize)")
        }
    }

    /// Not a crash but the fuzzer's byte-by-byte runs slowing down on long trailer lines:
    /// each read rescanned the unfinished chunk-size or trailer line from its start, so a
    /// 32 KB trailer sent one byte per read took ~15 s here (debug build), all of it on the
    /// event-loop thread. Lines are now scanned once; the bound leaves a wide margin.
    @Test func trailerTrickledByteByByteIsScannedOnce() throws {
        let size = 32 * 1024 - 16
        let raw = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;".utf8)
            + [UInt8](repeating: 0x65, count: 4000) + Array("\r\nabc\r\n0\r\nX: ".utf8)
            + [UInt8](repeating: 0x61, count: size) + Array("\r\n\r\n".utf8)
        var parser = HTTPRequestParser()
        var bodies: [[UInt8]] = []
        let elapsed = try ContinuousClock().measure {
            for byte in raw {
                parser.feed([byte])
                while let event = try parser.next() {
                    if case .request(let request, _) = event { bodies.append(request.body) }
                }
            }
        }
        #expect(bodies == [Array("abc".utf8)])
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    /// fuzz crash f3c7ef9f: "Content-Length: 3,03" was accepted because the repeats were
    /// compared as numbers. RFC 9110 only lets a recipient accept "the same decimal value
    /// repeated"; a repeat that is spelt differently is a framing ambiguity (another parser
    /// may read "010" as octal, or take the first of "10, 010"), so it is refused.
    @Test func crashF3c7ef9f() {
        let input = Array("POST / HTTP/1.1\r\nHost: a\r\nContSet-Len:ht3g \r\nContent-Length: 3,03\r\n\r\nabc".utf8)
        for readSize in [input.count, 1] {
            let result = parse(input, limits: HTTPParseLimits(), readSize: readSize)
            #expect(result.requests.isEmpty)
            #expect(result.error == HTTPParseError(.badRequest, "invalid or conflicting Content-Length"))
        }
    }

    @Test func contentLengthRepeatsMustBeTheSameText() {
        let refused = [
            "Content-Length: 10, 010", "Content-Length: 10\r\nContent-Length: 010", "Content-Length: 0, 00",
        ]
        for fields in refused {
            let input = Array("POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n0123456789".utf8)
            #expect(parse(input, limits: HTTPParseLimits(), readSize: input.count).error?.status == .badRequest, "\(fields)")
        }
        let accepted = ["Content-Length: 10, 10", "Content-Length: 10\r\nContent-Length: 10", "Content-Length: 010"]
        for fields in accepted {
            let input = Array("POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n0123456789".utf8)
            let result = parse(input, limits: HTTPParseLimits(), readSize: input.count)
            #expect(result.error == nil && result.requests.first?.body.count == 10, "\(fields)")
        }
    }
}
