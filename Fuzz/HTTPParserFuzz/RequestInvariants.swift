import FuzzSupport
import HTTPCore

/// What must hold for every request the parser lets through, checked from the outside (the
/// request as a handler sees it) against the limits and RFC 9112's framing rules. These are
/// deliberately written independently of the parser's code, so they do not share its bugs.
enum RequestInvariants {
    static func check(_ request: ParsedRequest, continued: Bool, limits: HTTPParseLimits) {
        checkRequestLine(request, limits: limits)
        checkHeaders(request, limits: limits)
        checkFraming(request, limits: limits)
        checkConnection(request)
        if continued {
            invariant(request.minor >= 1 && !request.header("expect").isEmpty, "100-continue cue without Expect on \(request)")
        }
    }

    private static func checkRequestLine(_ r: ParsedRequest, limits: HTTPParseLimits) {
        invariant(HTTPMethod(rawValue: r.method) != nil, "unknown method \(r.method)")
        invariant(r.major == 1 && (0...9).contains(r.minor), "version \(r.major).\(r.minor)")
        if r.path == "*" {
            invariant(r.method == "OPTIONS" && r.query == nil, "asterisk target on \(r)")
        } else {
            invariant(r.path.hasPrefix("/"), "path not starting with / : \(r)")
        }
        invariant(!r.path.utf8.contains(UInt8(ascii: "?")), "? left in path: \(r)")
        let target = r.path.utf8.count + (r.query.map { $0.utf8.count + 1 } ?? 0)
        for byte in Array(r.path.utf8) + Array((r.query ?? "").utf8) {
            invariant(byte > 0x20 && byte < 0x7F, "byte \(byte) in request target: \(r)")
        }
        // Absolute form only shortens the target, so this bounds what was on the wire too.
        let lineLength = r.method.utf8.count + 1 + target + 1 + 8
        invariant(lineLength <= limits.maxRequestLine, "request line of \(lineLength) > \(limits.maxRequestLine)")
    }

    private static func checkHeaders(_ r: ParsedRequest, limits: HTTPParseLimits) {
        invariant(r.headers.count <= limits.maxHeaderCount, "\(r.headers.count) header fields > \(limits.maxHeaderCount)")
        var blockBytes = 0
        for field in r.headers {
            let (name, value) = (field[0], field[1])
            invariant(!name.isEmpty && name.utf8.allSatisfy(isTokenChar), "header name \(name.debugDescription)")
            let scalars = value.unicodeScalars
            for s in scalars {
                invariant(s.value >= 0x20 && s.value != 0x7F || s.value == 0x09, "control U+\(s.value) in header value")
            }
            if let first = scalars.first, let last = scalars.last {
                invariant(first != " " && first != "\t" && last != " " && last != "\t", "untrimmed header value \(value.debugDescription)")
            }
            // Scalars, not UTF-8 bytes: an invalid byte decodes to one U+FFFD of three bytes.
            blockBytes += name.utf8.count + 1 + scalars.count + 2
        }
        invariant(blockBytes - 2 <= limits.maxHeaderBytes, "header block of \(blockBytes - 2) > \(limits.maxHeaderBytes)")

        let hosts = r.header("host")
        invariant(hosts.count <= 1, "\(hosts.count) Host fields")
        if r.minor >= 1 { invariant(hosts.count == 1, "HTTP/1.1 without Host") }
        for value in r.header("expect") {
            invariant(asciiLowercase(value) == "100-continue", "accepted Expect: \(value)")
        }
    }

    private static func checkFraming(_ r: ParsedRequest, limits: HTTPParseLimits) {
        let lengths = r.header("content-length")
        let codings = r.header("transfer-encoding")
        invariant(r.body.count <= limits.maxBodyBytes, "body of \(r.body.count) > \(limits.maxBodyBytes)")
        invariant(lengths.isEmpty || codings.isEmpty, "both Content-Length and Transfer-Encoding")
        if !codings.isEmpty {
            let tokens = tokens(codings).map(asciiLowercase)
            invariant(tokens == ["chunked"], "accepted Transfer-Encoding \(codings)")
        } else if !lengths.isEmpty {
            // Repeats are allowed only as the same text (RFC 9110 section 8.6 permits
            // refusing more): "10, 010" is one number to us but may be two to a proxy.
            let spellings = tokens(lengths, keepEmpty: true)
            for value in spellings {
                invariant(!value.isEmpty && value.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "Content-Length \(value.debugDescription)")
            }
            invariant(Set(spellings).count == 1, "differently spelled Content-Length \(lengths)")
            let digits = spellings[0].utf8.drop { $0 == 0x30 }
            invariant(digits.count <= 18 && Int(digits.isEmpty ? "0" : String(decoding: digits, as: UTF8.self)) == r.body.count,
                  "body of \(r.body.count) bytes for Content-Length \(spellings[0])")
        } else {
            invariant(r.body.isEmpty, "body without framing")
        }
    }

    private static func checkConnection(_ r: ParsedRequest) {
        let options = Set(tokens(r.header("connection")).map(asciiLowercase))
        if options.contains("close") { invariant(!r.keepAlive, "keep-alive despite Connection: close") }
        if r.minor == 0 && !options.contains("keep-alive") { invariant(!r.keepAlive, "HTTP/1.0 kept alive unasked") }
        if r.minor == 0 && !r.header("transfer-encoding").isEmpty { invariant(!r.keepAlive, "HTTP/1.0 chunked kept alive") }
    }

    /// The elements of comma-separated list fields, trimmed of spaces and tabs.
    private static func tokens(_ values: [String], keepEmpty: Bool = false) -> [String] {
        var tokens: [String] = []
        for value in values {
            for element in value.utf8.split(separator: 0x2C, omittingEmptySubsequences: false) {
                var s = element.startIndex
                var e = element.endIndex
                while s < e && (element[s] == 0x20 || element[s] == 0x09) { s = element.index(after: s) }
                while e > s && (element[element.index(before: e)] == 0x20 || element[element.index(before: e)] == 0x09) {
                    e = element.index(before: e)
                }
                if s < e || keepEmpty { tokens.append(String(decoding: element[s..<e], as: UTF8.self)) }
            }
        }
        return tokens
    }

    private static func isTokenChar(_ b: UInt8) -> Bool {
        if (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }
}
