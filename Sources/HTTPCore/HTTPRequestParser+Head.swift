// The head of a request: finding where it ends, the request line, and the header fields
// with the framing rules that decide how its body is read.

extension HTTPRequestParser {
    /// Scans for the blank line ending the head; returns the index just past it.
    mutating func scanHead() throws(HTTPParseError) -> Int? {
        var s = scan
        var emptyLines = leadingEmptyLines
        let limits = self.limits
        let result: Int? = try buffer.withUnsafeBufferPointer { buf throws(HTTPParseError) -> Int? in
            let n = buf.count
            var i = s.pos
            while i < n {
                let b = buf[i]
                if b > ASCII.cr { i &+= 1; continue }
                if b == ASCII.lf { throw .bad("bare LF") }
                if b == 0 { throw .bad("NUL byte") }
                if b != ASCII.cr { i &+= 1; continue }
                if i + 1 >= n { break }  // need the byte after CR
                if buf[i + 1] != ASCII.lf { throw .bad("bare CR") }
                let lineLength = i - s.lineStart
                if s.requestLineEnd < 0 {
                    if lineLength == 0 {
                        emptyLines += 1
                        if emptyLines > Self.maxLeadingEmptyLines { throw .bad("empty lines") }
                        s.requestLineStart = i + 2
                    } else {
                        if lineLength > limits.maxRequestLine { throw HTTPParseError(.uriTooLong, "request line too long") }
                        s.requestLineEnd = i
                        emptyLines = 0
                    }
                } else if lineLength == 0 {
                    s.pos = i + 2
                    s.lineStart = i + 2
                    return i + 2
                } else {
                    s.headerCount += 1
                    if s.headerCount > limits.maxHeaderCount {
                        throw HTTPParseError(.requestHeaderFieldsTooLarge, "too many header fields")
                    }
                    if i - s.requestLineEnd - 2 > limits.maxHeaderBytes {
                        throw HTTPParseError(.requestHeaderFieldsTooLarge, "header block too large")
                    }
                }
                i += 2
                s.lineStart = i
            }
            s.pos = i
            // Judge a line still arriving, so a client cannot make us buffer past a limit.
            // Only a started line: a finished one was judged above without its CRLF, and
            // counting that CRLF here refused a head that fits when a read ended after it.
            if s.requestLineEnd < 0 {
                if i - s.requestLineStart > limits.maxRequestLine { throw HTTPParseError(.uriTooLong, "request line too long") }
            } else if i > s.lineStart && i - s.requestLineEnd - 2 > limits.maxHeaderBytes {
                throw HTTPParseError(.requestHeaderFieldsTooLarge, "header block too large")
            }
            return nil
        }
        scan = s
        leadingEmptyLines = emptyLines
        if result == nil, s.requestLineEnd < 0, s.requestLineStart > start, s.lineStart == s.requestLineStart {
            // Skipped leading empty lines are consumed for good.
            start = s.requestLineStart
        }
        return result
    }


    /// The head between the scanned request line and `headEnd`, with its framing checked.
    func parseHead(end headEnd: Int) throws(HTTPParseError) -> PendingHead {
        let s = scan
        let maxBodyBytes = limits.maxBodyBytes
        return try buffer.withUnsafeBufferPointer { buf throws(HTTPParseError) -> PendingHead in
            let line = try Self.parseRequestLine(buf, from: s.requestLineStart, to: s.requestLineEnd)
            var fields = HeaderFields(capacity: s.headerCount)
            var p = s.requestLineEnd + 2
            let blockEnd = headEnd - 2
            while p < blockEnd {
                var e = p
                while buf[e] != ASCII.cr { e += 1 }
                try fields.add(UnsafeBufferPointer(rebasing: buf[p..<e]))
                p = e + 2
            }
            return try fields.head(for: line, maxBodyBytes: maxBodyBytes)
        }
    }

    /// Method, target and version from the request line between `lineStart` and `lineEnd`.
    static func parseRequestLine(
        _ buf: UnsafeBufferPointer<UInt8>, from lineStart: Int, to lineEnd: Int
    ) throws(HTTPParseError) -> RequestLine {
        var sp1 = lineStart
        while sp1 < lineEnd && buf[sp1] != ASCII.space {
            guard ASCII.isTokenChar(buf[sp1]) else { throw .bad("malformed request line") }
            sp1 += 1
        }
        guard sp1 > lineStart, sp1 < lineEnd else { throw .bad("malformed request line") }
        var sp2 = sp1 + 1
        while sp2 < lineEnd && buf[sp2] != ASCII.space {
            let b = buf[sp2]
            guard b > 0x20 && b < 0x7F else { throw .bad("invalid character in request target") }
            sp2 += 1
        }
        guard sp2 > sp1 + 1, sp2 < lineEnd else { throw .bad("malformed request line") }

        let version = UnsafeBufferPointer(rebasing: buf[(sp2 + 1)..<lineEnd])
        guard version.count == 8, version[0] == 0x48, version[1] == 0x54, version[2] == 0x54,
            version[3] == 0x50, version[4] == ASCII.slash, version[6] == ASCII.dot,
            ASCII.isDigit(version[5]), ASCII.isDigit(version[7])
        else { throw .bad("malformed HTTP version") }
        let major = Int(version[5] &- ASCII.zero)
        let minor = Int(version[7] &- ASCII.zero)
        guard major == 1 else { throw HTTPParseError(.httpVersionNotSupported, "unsupported HTTP version") }

        let methodBytes = UnsafeBufferPointer(rebasing: buf[lineStart..<sp1])
        guard let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self)) else {
            throw HTTPParseError(.notImplemented, "unknown method")
        }

        var targetStart = sp1 + 1
        let targetEnd = sp2
        if buf[targetStart] != ASCII.slash {
            if targetEnd - targetStart == 1 && buf[targetStart] == ASCII.star {
                guard method == .OPTIONS else { throw .bad("asterisk target") }
                return RequestLine(method: method, path: "*", query: nil, version: (major, minor))
            }
            // Absolute form (RFC 9112 §3.2.2): keep only the path and query.
            let target = UnsafeBufferPointer(rebasing: buf[targetStart..<targetEnd])
            guard let afterScheme = ASCII.absoluteFormPathOffset(target) else { throw .bad("invalid request target") }
            targetStart += afterScheme
            if targetStart == targetEnd {
                return RequestLine(method: method, path: "/", query: nil, version: (major, minor))
            }
        }
        var q = targetStart
        while q < targetEnd && buf[q] != ASCII.question { q += 1 }
        let path = String(decoding: UnsafeBufferPointer(rebasing: buf[targetStart..<q]), as: UTF8.self)
        let query = q < targetEnd
            ? String(decoding: UnsafeBufferPointer(rebasing: buf[(q + 1)..<targetEnd]), as: UTF8.self) : nil
        return RequestLine(method: method, path: path, query: query, version: (major, minor))
    }
}

/// Method, path, query and version, from a request line.
struct RequestLine {
    /// The request method.
    var method: HTTPMethod
    /// The path without the query; `*` for `OPTIONS *`.
    var path: String
    /// What followed `?`, if anything.
    var query: String?
    /// HTTP/1.x as (major, minor).
    var version: (major: Int, minor: Int)
}

/// The header fields of one head as they are read, and what framing needs to know of them:
/// Content-Length, Transfer-Encoding, Host, Connection and Expect.
struct HeaderFields {
    /// Every field, in order, as the request will carry them.
    private var fields: [HTTPHeaders.Field] = []
    /// The Content-Length, when one was sent.
    private var contentLength: Int?
    /// The first Content-Length as written: a repeat must be spelled the same.
    private var contentLengthText: UnsafeBufferPointer<UInt8>?
    /// Every Transfer-Encoding value, comma-joined.
    private var transferEncodings: [UInt8] = []
    /// A Transfer-Encoding field was sent (even an empty one).
    private var sawTransferEncoding = false
    /// Host fields seen: exactly one for HTTP/1.1.
    private var hostCount = 0
    /// `Connection: close` was asked for.
    private var connectionClose = false
    /// `Connection: keep-alive` was asked for (what keeps an HTTP/1.0 connection open).
    private var connectionKeepAlive = false
    /// `Expect: 100-continue` was sent.
    private var expectContinue = false

    /// Room for `capacity` fields.
    init(capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    /// Checks one header line (without its CRLF) and records it.
    mutating func add(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        let e = line.count
        if line[0] == ASCII.space || line[0] == ASCII.tab { throw .bad("obs-fold") }
        var colon = 0
        while colon < e && line[colon] != ASCII.colon {
            guard ASCII.isTokenChar(line[colon]) else { throw .bad("invalid header name") }
            colon += 1
        }
        if colon == 0 || colon == e { throw .bad("malformed header line") }
        var vs = colon + 1
        var ve = e
        while vs < ve && (line[vs] == ASCII.space || line[vs] == ASCII.tab) { vs += 1 }
        while ve > vs && (line[ve - 1] == ASCII.space || line[ve - 1] == ASCII.tab) { ve -= 1 }
        for k in vs..<ve {
            let b = line[k]
            if b < 0x20 && b != ASCII.tab || b == 0x7F { throw .bad("control character in header value") }
        }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        let value = UnsafeBufferPointer(rebasing: line[vs..<ve])
        try note(name, value)
        fields.append((name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
    }

    /// Takes in the fields that decide framing and connection handling.
    private mutating func note(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        switch name.count {
        case 4 where ASCII.equalsLowercase(name, "host"):
            hostCount += 1
            if hostCount > 1 { throw .bad("duplicate Host") }
            guard value.allSatisfy(ASCII.isHostChar) else { throw .bad("invalid Host") }
        case 6 where ASCII.equalsLowercase(name, "expect"):
            if ASCII.equalsLowercase(value, "100-continue") {
                expectContinue = true
            } else {
                throw HTTPParseError(.expectationFailed, "unsupported expectation")
            }
        case 10 where ASCII.equalsLowercase(name, "connection"):
            ASCII.forEachToken(value) { token in
                if ASCII.equalsLowercase(token, "close") { connectionClose = true }
                if ASCII.equalsLowercase(token, "keep-alive") { connectionKeepAlive = true }
            }
        case 14 where ASCII.equalsLowercase(name, "content-length"):
            var failed = false
            ASCII.forEachToken(value, allowEmpty: true) { token in
                guard let n = ASCII.parseDecimal(token) else { failed = true; return }
                // A repeat must be the same text, not merely the same number: another
                // parser on the path may read "010, 10" differently (octal, first wins).
                if let previous = contentLengthText, !previous.elementsEqual(token) { failed = true }
                contentLengthText = token
                contentLength = n
            }
            if failed { throw .bad("invalid or conflicting Content-Length") }
        case 17 where ASCII.equalsLowercase(name, "transfer-encoding"):
            sawTransferEncoding = true
            if !transferEncodings.isEmpty { transferEncodings.append(ASCII.comma) }
            transferEncodings.append(contentsOf: value)
        default:
            break
        }
    }

    /// The head these fields make with `line`, once the framing rules hold (RFC 9112 §6.3).
    func head(for line: RequestLine, maxBodyBytes: Int) throws(HTTPParseError) -> HTTPRequestParser.PendingHead {
        let http11 = line.version.minor >= 1
        if http11 && hostCount == 0 { throw .bad("missing Host") }
        var close = connectionClose
        if sawTransferEncoding {
            if contentLength != nil { throw .bad("both Content-Length and Transfer-Encoding") }
            var codings = 0
            var chunked = false
            transferEncodings.withUnsafeBufferPointer { te in
                ASCII.forEachToken(te, allowEmpty: true) { token in
                    codings += 1
                    if ASCII.equalsLowercase(token, "chunked") { chunked = true }
                }
            }
            guard codings == 1 && chunked else { throw .bad("unsupported Transfer-Encoding") }
            // A 1.0 client sending chunked is already odd; answer and close.
            if !http11 { close = true }
        }
        if let contentLength, contentLength > 0 && contentLength > maxBodyBytes {
            throw HTTPParseError(.payloadTooLarge, "body too large")
        }
        let request = HTTPRequest(
            method: line.method, path: line.path, query: line.query,
            headers: HTTPHeaders(fields), version: line.version)
        var head = HTTPRequestParser.PendingHead(request: request)
        head.keepAlive = http11 ? !close : (connectionKeepAlive && !close)
        head.expectContinue = http11 && expectContinue
        if sawTransferEncoding {
            head.framing = .chunked
        } else if let contentLength, contentLength > 0 {
            head.framing = .length(contentLength)
        }
        return head
    }
}
