import FuzzSupport
import HTTPCore

/// Writes an accepted request back out in plain HTTP/1.1 form and parses it again: the
/// result must be the same request. Catches values that the parser mangles on the way in
/// (lost bytes, wrong trimming, a body cut at the wrong place).
enum RoundTrip {
    static func check(_ request: ParsedRequest, limits: HTTPParseLimits) {
        let bytes = serialize(request)
        // Room for growth: an invalid UTF-8 byte comes back as U+FFFD (three bytes), and an
        // absolute-form target shrinks, so the original limits do not fit the rewrite.
        let roomy = HTTPParseLimits(
            maxRequestLine: limits.maxRequestLine * 4, maxHeaderBytes: limits.maxHeaderBytes * 4,
            maxHeaderCount: limits.maxHeaderCount, maxBodyBytes: limits.maxBodyBytes)
        let transcript = bytes.withUnsafeBufferPointer { ParserRun.run($0, limits: roomy, chunking: .whole) }
        invariant(transcript.requests == [request] && transcript.ending == .waiting(idle: true, inBody: false),
                  "round trip changed the request:\n  before: \(request)\n  after:\n\(transcript)")
    }

    static func serialize(_ r: ParsedRequest) -> [UInt8] {
        var out = Array("\(r.method) \(r.path)\(r.query.map { "?" + $0 } ?? "") HTTP/\(r.major).\(r.minor)\r\n".utf8)
        for field in r.headers {
            out += Array("\(field[0]): \(field[1])\r\n".utf8)
        }
        out += Array("\r\n".utf8)
        if !r.header("transfer-encoding").isEmpty {
            if !r.body.isEmpty {
                out += Array("\(String(r.body.count, radix: 16))\r\n".utf8) + r.body + Array("\r\n".utf8)
            }
            out += Array("0\r\n\r\n".utf8)
        } else {
            out += r.body
        }
        return out
    }
}
