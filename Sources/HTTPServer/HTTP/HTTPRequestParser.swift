// An incremental HTTP/1.1 request parser over raw bytes: feed it what the socket gave,
// take out complete requests (or an interim `100 Continue` cue), or a typed error.
//
// It never builds a String of the whole request; it scans bytes once, enforces every limit
// as soon as it can be judged (so a client cannot make us buffer past it), and rejects
// anything with ambiguous framing, since request smuggling lives in that ambiguity.

/// What `HTTPRequestParser.next()` produced.
public enum HTTPParseEvent: Sendable {
    /// A complete request. `keepAlive` says whether the client lets the connection stay open.
    case request(HTTPRequest, keepAlive: Bool)
    /// The client sent `Expect: 100-continue` and waits for `100 Continue` before its body.
    case expectContinue
}

public struct HTTPRequestParser: Sendable {
    public let limits: HTTPParseLimits

    /// After an error the connection must be closed: framing can no longer be trusted.
    public private(set) var mustClose = false

    private var buffer: [UInt8] = []
    /// First byte not yet consumed by a finished request (or by the current head).
    private var start = 0
    private var state: State = .head
    private var scan: HeadScan
    private var failure: HTTPParseError?
    /// How far an unfinished chunk-size or trailer line starting at `from` has been checked,
    /// so a line trickled in over many reads is scanned once, not once per read (that was
    /// quadratic: a 32 KB trailer sent byte by byte cost seconds of event-loop time).
    private var lineScan = (from: -1, checkedUpTo: 0)

    /// Chunk-size lines (with extensions) longer than this are refused.
    private static let maxChunkLine = 4096
    /// Empty lines tolerated before a request line (RFC 9112 §2.2).
    private static let maxLeadingEmptyLines = 8

    public init(limits: HTTPParseLimits = HTTPParseLimits()) {
        self.limits = limits
        self.scan = HeadScan(at: 0)
    }

    /// Appends bytes read from the connection.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    public mutating func feed(_ string: String) {
        feed(Array(string.utf8))
    }

    /// True when no part of a next request has arrived (nothing buffered, not mid-body).
    public var isIdle: Bool {
        if case .head = state { return start == buffer.count }
        return false
    }

    /// True once the head of the current request is complete and its body is being read.
    public var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// The next event, or nil when more bytes are needed. Once this throws, it keeps
    /// throwing the same error and `mustClose` is true.
    public mutating func next() throws(HTTPParseError) -> HTTPParseEvent? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            mustClose = true
            buffer = []
            start = 0
            throw error
        }
    }

    // MARK: - States

    private enum State: Sendable {
        case head
        case body(PendingHead, remaining: Int)
        case chunked(PendingHead, ChunkPhase, body: [UInt8], trailerBytes: Int)
    }

    private enum ChunkPhase: Sendable {
        case size
        case data(Int)
        case trailers
    }

    /// Where the scan for the end of the head has got to, so trickled bytes are scanned once.
    private struct HeadScan: Sendable {
        var pos: Int
        var lineStart: Int
        var requestLineStart: Int
        var requestLineEnd = -1
        var headerCount = 0
        var leadingEmptyLines = 0

        init(at index: Int) {
            pos = index
            lineStart = index
            requestLineStart = index
        }
    }

    /// A parsed head waiting for its body.
    private struct PendingHead: Sendable {
        var method: HTTPMethod
        var path: String
        var query: String?
        var version: (major: Int, minor: Int)
        var headers: [HTTPHeaders.Field] = []
        var keepAlive = true
        var expectContinue = false
        var framing: BodyFraming = .none
        var continueSent = false
    }

    private enum BodyFraming: Sendable {
        case none
        case length(Int)
        case chunked
    }

    private mutating func step() throws(HTTPParseError) -> HTTPParseEvent? {
        switch state {
        case .head:
            compactIfIdle()
            guard let headEnd = try scanHead() else { return nil }
            let head = try parseHead(end: headEnd)
            start = headEnd
            scan = HeadScan(at: headEnd)
            return try beginBody(head)
        case .body(var head, let remaining):
            if buffer.count - start >= remaining {
                let body = Array(buffer[start..<(start + remaining)])
                start += remaining
                return finish(head, body: body)
            }
            if head.expectContinue && !head.continueSent && buffer.count == start {
                head.continueSent = true
                state = .body(head, remaining: remaining)
                return .expectContinue
            }
            return nil
        case .chunked(var head, let phase, let body, let trailerBytes):
            if head.expectContinue && !head.continueSent && buffer.count == start {
                head.continueSent = true
                state = .chunked(head, phase, body: body, trailerBytes: trailerBytes)
                return .expectContinue
            }
            return try stepChunked(head, phase, body: body, trailerBytes: trailerBytes)
        }
    }

    /// Drops consumed bytes between requests, cheaply: pipelined leftovers are moved only
    /// when the consumed prefix is large, so many small pipelined requests stay O(n).
    private mutating func compactIfIdle() {
        guard start > 0, scan.pos == start, scan.lineStart == start else { return }
        if start == buffer.count {
            if buffer.capacity > 16 * 1024 {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            start = 0
            scan = HeadScan(at: 0)
        } else if start >= 16 * 1024 || start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
            scan = HeadScan(at: 0)
        }
    }

    // MARK: - Head

    /// Scans for the blank line ending the head; returns the index just past it.
    private mutating func scanHead() throws(HTTPParseError) -> Int? {
        var s = scan
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
                        s.leadingEmptyLines += 1
                        if s.leadingEmptyLines > Self.maxLeadingEmptyLines { throw .bad("empty lines") }
                        s.requestLineStart = i + 2
                    } else {
                        if lineLength > limits.maxRequestLine { throw HTTPParseError(.uriTooLong, "request line too long") }
                        s.requestLineEnd = i
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
        if result == nil, s.requestLineEnd < 0, s.requestLineStart > start, s.lineStart == s.requestLineStart {
            // Skipped leading empty lines are consumed for good.
            start = s.requestLineStart
        }
        return result
    }

    private func parseHead(end headEnd: Int) throws(HTTPParseError) -> PendingHead {
        let s = scan
        return try buffer.withUnsafeBufferPointer { buf throws(HTTPParseError) -> PendingHead in
            var head = try Self.parseRequestLine(buf, from: s.requestLineStart, to: s.requestLineEnd)
            var fields: [HTTPHeaders.Field] = []
            fields.reserveCapacity(s.headerCount)
            var contentLength: Int?
            var contentLengthText: UnsafeBufferPointer<UInt8>?
            var transferEncodings: [UInt8] = []
            var sawTransferEncoding = false
            var hostCount = 0
            var connectionClose = false
            var connectionKeepAlive = false
            var expectContinue = false

            var p = s.requestLineEnd + 2
            let blockEnd = headEnd - 2
            while p < blockEnd {
                var e = p
                while buf[e] != ASCII.cr { e += 1 }
                defer { p = e + 2 }
                let first = buf[p]
                if first == ASCII.space || first == ASCII.tab { throw .bad("obs-fold") }
                var colon = p
                while colon < e && buf[colon] != ASCII.colon {
                    guard ASCII.isTokenChar(buf[colon]) else { throw .bad("invalid header name") }
                    colon += 1
                }
                if colon == p || colon == e { throw .bad("malformed header line") }
                var vs = colon + 1
                var ve = e
                while vs < ve && (buf[vs] == ASCII.space || buf[vs] == ASCII.tab) { vs += 1 }
                while ve > vs && (buf[ve - 1] == ASCII.space || buf[ve - 1] == ASCII.tab) { ve -= 1 }
                for k in vs..<ve {
                    let b = buf[k]
                    if b < 0x20 && b != ASCII.tab || b == 0x7F { throw .bad("control character in header value") }
                }
                let name = UnsafeBufferPointer(rebasing: buf[p..<colon])
                let value = UnsafeBufferPointer(rebasing: buf[vs..<ve])

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
                fields.append((name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
            }

            let http11 = head.version.minor >= 1
            if http11 && hostCount == 0 { throw .bad("missing Host") }
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
                guard codings == 1 && chunked else {
                    throw .bad("unsupported Transfer-Encoding")
                }
                // A 1.0 client sending chunked is already odd; answer and close.
                if !http11 { connectionClose = true }
            }
            if let contentLength, contentLength > 0 && contentLength > self.limits.maxBodyBytes {
                throw HTTPParseError(.payloadTooLarge, "body too large")
            }

            head.headers = fields
            head.keepAlive = http11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
            head.expectContinue = http11 && expectContinue
            if sawTransferEncoding {
                head.framing = .chunked
            } else if let contentLength, contentLength > 0 {
                head.framing = .length(contentLength)
            }
            return head
        }
    }

    private static func parseRequestLine(
        _ buf: UnsafeBufferPointer<UInt8>, from lineStart: Int, to lineEnd: Int
    ) throws(HTTPParseError) -> PendingHead {
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
                return PendingHead(method: method, path: "*", query: nil, version: (major, minor))
            }
            // Absolute form (RFC 9112 §3.2.2): keep only the path and query.
            let target = UnsafeBufferPointer(rebasing: buf[targetStart..<targetEnd])
            guard let afterScheme = ASCII.absoluteFormPathOffset(target) else { throw .bad("invalid request target") }
            targetStart += afterScheme
            if targetStart == targetEnd {
                return PendingHead(method: method, path: "/", query: nil, version: (major, minor))
            }
        }
        var q = targetStart
        while q < targetEnd && buf[q] != ASCII.question { q += 1 }
        let path = String(decoding: UnsafeBufferPointer(rebasing: buf[targetStart..<q]), as: UTF8.self)
        let query = q < targetEnd
            ? String(decoding: UnsafeBufferPointer(rebasing: buf[(q + 1)..<targetEnd]), as: UTF8.self) : nil
        return PendingHead(method: method, path: path, query: query, version: (major, minor))
    }

    // MARK: - Body

    private mutating func beginBody(_ head: PendingHead) throws(HTTPParseError) -> HTTPParseEvent? {
        switch head.framing {
        case .none:
            return finish(head, body: [])
        case .length(let n):
            state = .body(head, remaining: n)
        case .chunked:
            state = .chunked(head, .size, body: [], trailerBytes: 0)
        }
        return try step()
    }

    private mutating func finish(_ head: PendingHead, body: [UInt8]) -> HTTPParseEvent {
        state = .head
        scan = HeadScan(at: start)
        let request = HTTPRequest(
            method: head.method, path: head.path, query: head.query,
            headers: HTTPHeaders(head.headers), body: body, version: head.version)
        return .request(request, keepAlive: head.keepAlive)
    }

    private mutating func stepChunked(
        _ head: PendingHead, _ initialPhase: ChunkPhase, body initialBody: [UInt8], trailerBytes initialTrailerBytes: Int
    ) throws(HTTPParseError) -> HTTPParseEvent? {
        // Take the body out of the state so appending does not copy it.
        state = .head
        var phase = initialPhase
        var body = initialBody
        var trailerBytes = initialTrailerBytes
        while true {
            switch phase {
            case .size:
                guard let lineEnd = try findLineEnd(from: start, maxLength: Self.maxChunkLine) else {
                    state = .chunked(head, phase, body: body, trailerBytes: trailerBytes)
                    return nil
                }
                let size = try parseChunkSize(from: start, to: lineEnd, bodySoFar: body.count)
                start = lineEnd + 2
                phase = size == 0 ? .trailers : .data(size)
            case .data(let size):
                guard buffer.count - start >= size + 2 else {
                    state = .chunked(head, phase, body: body, trailerBytes: trailerBytes)
                    return nil
                }
                guard buffer[start + size] == ASCII.cr, buffer[start + size + 1] == ASCII.lf else {
                    throw .bad("chunk data not followed by CRLF")
                }
                body.append(contentsOf: buffer[start..<(start + size)])
                start += size + 2
                phase = .size
            case .trailers:
                let room = max(0, limits.maxHeaderBytes - trailerBytes)
                guard let lineEnd = try findLineEnd(from: start, maxLength: room) else {
                    state = .chunked(head, phase, body: body, trailerBytes: trailerBytes)
                    return nil
                }
                let length = lineEnd - start
                start = lineEnd + 2
                if length == 0 { return finish(head, body: body) }
                // Trailers are tolerated but not merged into the headers.
                trailerBytes += length + 2
            }
        }
    }

    /// Index of the CR ending the line starting at `from`, or nil when it has not arrived.
    /// Rejects bare LF, bare CR and NUL; a line longer than `maxLength` is an error.
    private mutating func findLineEnd(from: Int, maxLength: Int) throws(HTTPParseError) -> Int? {
        var i = lineScan.from == from ? lineScan.checkedUpTo : from
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b == ASCII.cr {
                if i + 1 >= n { break }
                if buffer[i + 1] != ASCII.lf { throw .bad("bare CR") }
                lineScan = (-1, 0)
                return i
            }
            if b == ASCII.lf { throw .bad("bare LF") }
            if b == 0 { throw .bad("NUL byte") }
            i += 1
            if i - from > maxLength {
                if maxLength == Self.maxChunkLine { throw .bad("chunk size line too long") }
                throw HTTPParseError(.requestHeaderFieldsTooLarge, "trailers too large")
            }
        }
        lineScan = (from, i)
        return nil
    }

    private func parseChunkSize(from: Int, to end: Int, bodySoFar: Int) throws(HTTPParseError) -> Int {
        var i = from
        var size = 0
        while i < end, let digit = ASCII.hexValue(buffer[i]) {
            size = size &* 16 &+ Int(digit)
            if size > limits.maxBodyBytes { throw HTTPParseError(.payloadTooLarge, "body too large") }
            i += 1
        }
        guard i > from else { throw .bad("invalid chunk size") }
        while i < end && (buffer[i] == ASCII.space || buffer[i] == ASCII.tab) { i += 1 }
        guard i == end || buffer[i] == ASCII.semicolon else { throw .bad("invalid chunk size") }
        if bodySoFar + size > limits.maxBodyBytes { throw HTTPParseError(.payloadTooLarge, "body too large") }
        return size
    }
}
