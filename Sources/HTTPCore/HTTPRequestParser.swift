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

/// Parses the requests of one connection, in order, from the bytes it is fed. The head of
/// each request is shown to the caller before any of its body is taken (see
/// `next(acceptingBody:)`), so the caller can refuse a body it would not accept before it
/// is buffered.
public struct HTTPRequestParser: Sendable {
    /// The limits enforced while bytes arrive.
    public let limits: HTTPParseLimits

    /// After an error the connection must be closed: framing can no longer be trusted.
    public private(set) var mustClose = false

    /// Bytes received and not yet dropped; `start` says how many of them are used up.
    var buffer: [UInt8] = []
    /// First byte not yet consumed by a finished request (or by the current head).
    var start = 0
    /// Whether a head or a body is being read.
    private var state: State = .head
    /// Progress of the scan for the end of the head.
    var scan: HeadScan
    /// Empty lines skipped since the last request line. Kept across reads and requests'
    /// compaction, so a client cannot trickle CRLFs forever: the limit is per wait for a
    /// request line on the connection, not per read.
    var leadingEmptyLines = 0
    /// The error that stopped the parser; `next()` throws it again.
    private var failure: HTTPParseError?
    /// How far an unfinished chunk-size or trailer line starting at `from` has been checked,
    /// so a line trickled in over many reads is scanned once, not once per read (that was
    /// quadratic: a 32 KB trailer sent byte by byte cost seconds of event-loop time).
    private var lineScan = (from: -1, checkedUpTo: 0)

    /// Chunk-size lines (with extensions) longer than this are refused.
    private static let maxChunkLine = 4096
    /// Empty lines tolerated before a request line (RFC 9112 §2.2).
    static let maxLeadingEmptyLines = 8

    /// A parser for a new connection.
    public init(limits: HTTPParseLimits = HTTPParseLimits()) {
        self.limits = limits
        self.scan = HeadScan(at: 0)
    }

    /// Appends bytes read from the connection.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes (tests and tools).
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Appends a string's UTF-8 bytes (tests and tools).
    public mutating func feed(_ string: String) {
        feed(Array(string.utf8))
    }

    /// True when no part of a next request has arrived (nothing buffered, not mid-body).
    /// Skipped empty lines do not count: a connection sending only CRLFs stays idle.
    public var isIdle: Bool {
        if case .head = state { return start == buffer.count }
        return false
    }

    /// True once the head of the current request is complete and its body is being read.
    public var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// While a body is being read, the most bytes it can bring in all: its Content-Length,
    /// or for a chunked body what its limit leaves after the chunks so far. Nil otherwise.
    public var bodyBytesExpected: Int? {
        switch state {
        case .head: return nil
        case .body(_, let remaining): return remaining
        case .chunked(let head, _, let body, _): return head.bodyLimit - body.count
        }
    }

    /// The next event, or nil when more bytes are needed, accepting bodies up to
    /// `limits.maxBodyBytes`. Once this throws, it keeps throwing the same error and
    /// `mustClose` is true.
    public mutating func next() throws(HTTPParseError) -> HTTPParseEvent? {
        let limit = limits.maxBodyBytes
        return try next { _ in limit }
    }

    /// The next event, or nil when more bytes are needed. `acceptingBody` is called once
    /// per request, as soon as its head is complete and before any body byte is taken, with
    /// the request (its body still empty; the caller may fill in fields such as the client
    /// address, which the finished request keeps). It returns the largest body the caller
    /// accepts (capped by `limits.maxBodyBytes`): a larger Content-Length is refused with
    /// 413 at once, a chunked body as soon as its chunks pass the limit. Once this throws,
    /// it keeps throwing the same error and `mustClose` is true.
    public mutating func next(acceptingBody: (inout HTTPRequest) -> Int) throws(HTTPParseError) -> HTTPParseEvent? {
        if let failure { throw failure }
        do {
            return try step(acceptingBody)
        } catch {
            fail(error)
            throw error
        }
    }

    /// Stops the parser with `error`: what is buffered is dropped and nothing more is taken.
    private mutating func fail(_ error: HTTPParseError) {
        failure = error
        mustClose = true
        buffer = []
        start = 0
    }

    // MARK: - States

    /// Reading a head, a Content-Length body, or a chunked body.
    private enum State: Sendable {
        case head
        case body(PendingHead, remaining: Int)
        case chunked(PendingHead, ChunkPhase, body: [UInt8], trailerBytes: Int)
    }

    /// Where a chunked body has got to.
    private enum ChunkPhase: Sendable {
        case size
        case data(Int)
        case trailers
    }

    /// Where the scan for the end of the head has got to, so trickled bytes are scanned once.
    struct HeadScan: Sendable {
        /// The next byte to look at.
        var pos: Int
        /// Where the line being scanned starts.
        var lineStart: Int
        /// Where the request line starts (after skipped empty lines).
        var requestLineStart: Int
        /// The CR ending the request line; -1 until it has arrived.
        var requestLineEnd = -1
        /// Header lines seen so far.
        var headerCount = 0

        /// A scan starting at `index`.
        init(at index: Int) {
            pos = index
            lineStart = index
            requestLineStart = index
        }
    }

    /// A parsed head waiting for its body.
    struct PendingHead: Sendable {
        /// The request as the caller will get it, body still empty.
        var request: HTTPRequest
        /// Whether the client lets the connection stay open.
        var keepAlive = true
        /// The client waits for `100 Continue` before sending the body.
        var expectContinue = false
        /// How the body is delimited.
        var framing: BodyFraming = .none
        /// The `100 Continue` cue has been given.
        var continueSent = false
        /// The largest body accepted for this request.
        var bodyLimit = 0
    }

    /// How a request's body is delimited (RFC 9112 §6).
    enum BodyFraming: Sendable {
        case none
        case length(Int)
        case chunked
    }

    /// One step of the state machine: a head, a finished body, a continue cue, or nil.
    private mutating func step(_ acceptingBody: (inout HTTPRequest) -> Int) throws(HTTPParseError) -> HTTPParseEvent? {
        switch state {
        case .head:
            compactIfIdle()
            guard let headEnd = try scanHead() else { return nil }
            var head = try parseHead(end: headEnd)
            start = headEnd
            scan = HeadScan(at: headEnd)
            head.bodyLimit = min(limits.maxBodyBytes, max(0, acceptingBody(&head.request)))
            if case .length(let n) = head.framing, n > head.bodyLimit { throw bodyTooLarge(head.bodyLimit) }
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

    // MARK: - Body

    /// Starts reading the body the head announced (or finishes a bodiless request).
    private mutating func beginBody(_ head: PendingHead) throws(HTTPParseError) -> HTTPParseEvent? {
        switch head.framing {
        case .none:
            return finish(head, body: [])
        case .length(let n):
            state = .body(head, remaining: n)
        case .chunked:
            state = .chunked(head, .size, body: [], trailerBytes: 0)
        }
        // The head was accepted above; nothing below asks for it again.
        return try step { _ in 0 }
    }

    /// The request is complete: hand it out and wait for the next head.
    private mutating func finish(_ head: PendingHead, body: [UInt8]) -> HTTPParseEvent {
        state = .head
        scan = HeadScan(at: start)
        var request = head.request
        request.body = body
        return .request(request, keepAlive: head.keepAlive)
    }

    /// Decodes as many chunks as have arrived; the request once the last chunk and the
    /// trailers are in.
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
                let size = try parseChunkSize(from: start, to: lineEnd, bodySoFar: body.count, limit: head.bodyLimit)
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

    /// The size on a chunk-size line; refused as soon as the body would pass `limit`.
    private func parseChunkSize(from: Int, to end: Int, bodySoFar: Int, limit: Int) throws(HTTPParseError) -> Int {
        var i = from
        var size = 0
        while i < end, let digit = ASCII.hexValue(buffer[i]) {
            size = size &* 16 &+ Int(digit)
            if size > limit { throw bodyTooLarge(limit) }
            i += 1
        }
        guard i > from else { throw .bad("invalid chunk size") }
        while i < end && (buffer[i] == ASCII.space || buffer[i] == ASCII.tab) { i += 1 }
        guard i == end || buffer[i] == ASCII.semicolon else { throw .bad("invalid chunk size") }
        if bodySoFar + size > limit { throw bodyTooLarge(limit) }
        return size
    }

    /// 413 for a body past `limit`: the server-wide one, or a smaller one the route set.
    private func bodyTooLarge(_ limit: Int) -> HTTPParseError {
        limit < limits.maxBodyBytes
            ? HTTPParseError(.payloadTooLarge, "body larger than the route accepts")
            : HTTPParseError(.payloadTooLarge, "body too large")
    }
}
