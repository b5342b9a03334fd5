import HTTPCore

/// Reads one HTTP/1.1 response from bytes as they arrive: the status line, the headers,
/// and a body framed by Content-Length, chunked coding or the end of the connection. Strict
/// where leniency lets a response be read two ways (Content-Length beside Transfer-Encoding,
/// differing lengths, folded lines), and bounded: the head, each line and the body have a
/// limit, checked before the bytes are kept.
package struct ResponseParser {
    /// Why the bytes are not a response this client accepts.
    package enum Failure: Error, Equatable {
        /// Not HTTP/1.x as RFC 9112 frames it; the reason, for the log.
        case malformed(String)
        /// The body passed the limit.
        case tooLarge
    }

    /// Where the parser has got to.
    private enum Phase {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    /// Largest status line plus headers (and of the trailers).
    package static let headLimit = 64 * 1024
    /// Largest chunk-size line, extensions included.
    static let chunkLineLimit = 4096
    /// Most interim (1xx) answers before the real one: each is small, but an endless run of
    /// them would hold a worker until the deadline.
    package static let interimLimit = 8

    /// The largest body accepted.
    package let bodyLimit: Int
    /// The request was HEAD: whatever the headers say, no body follows.
    package let isHeadRequest: Bool
    private var phase = Phase.head
    private var buffer: [UInt8] = []
    private var position = 0
    private var trailerBytes = 0
    /// How far past `position` a search for a line's end has already looked, so a server
    /// trickling a long head byte by byte costs linear, not quadratic, work.
    private var searched = 0
    /// Whether any byte has arrived (the buffer alone cannot say: it is emptied as it is used).
    private var receivedAny = false
    /// Interim answers skipped so far.
    private var interimCount = 0
    package private(set) var status = 0
    package private(set) var headers = HTTPHeaders()
    package private(set) var body: [UInt8] = []
    /// The connection may carry another request once this response is complete.
    package private(set) var keepAlive = false
    /// Some byte of a response has arrived (a failure before that may be a stale connection).
    package var receivedAnything: Bool { receivedAny }
    /// The whole response has been read.
    package var isComplete: Bool { if case .done = phase { return true } else { return false } }
    /// Bytes after the response's end: a server that sent more than was asked for.
    package var hasLeftover: Bool { position < buffer.count }

    /// A parser for the answer to a request of `method`.
    package init(bodyLimit: Int, method: HTTPMethod) {
        self.bodyLimit = bodyLimit
        self.isHeadRequest = method == .HEAD
    }

    /// Takes bytes just received; true once the response is complete.
    package mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Bool {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        buffer.append(contentsOf: bytes)
        receivedAny = receivedAny || !bytes.isEmpty
        try advance()
        return isComplete
    }

    /// The connection ended: completes a body that runs to the end, fails anything cut short.
    package mutating func receiveEnd() throws(Failure) {
        switch phase {
        case .done: return
        case .untilClose: phase = .done
        case .head where !receivedAny: throw .malformed("the connection closed before any response")
        default: throw .malformed("the connection closed in the middle of the response")
        }
    }

    /// Consumes as much of the buffer as the current phase can.
    private mutating func advance() throws(Failure) {
        while true {
            switch phase {
            case .head:
                guard let end = try find(Self.blankLine, limit: Self.headLimit, tooLong: "response head longer than \(Self.headLimit) bytes") else { return }
                try parseHead(end: end)
                position = end + 4
            case .fixedBody(let remaining):
                let take = min(remaining, buffer.count - position)
                body.append(contentsOf: buffer[position..<position + take])
                position += take
                phase = remaining == take ? .done : .fixedBody(remaining: remaining - take)
                if remaining != take { return }
            case .chunkSize:
                guard let end = try find(Self.lineEnd, limit: Self.chunkLineLimit, tooLong: "chunk-size line longer than \(Self.chunkLineLimit) bytes") else { return }
                let size = try Self.chunkSize(buffer[position..<end])
                position = end + 2
                if size == 0 { phase = .trailers; continue }
                guard size <= bodyLimit - body.count else { throw .tooLarge }
                phase = .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.count - position)
                body.append(contentsOf: buffer[position..<position + take])
                position += take
                guard remaining == take else { phase = .chunkData(remaining: remaining - take); return }
                phase = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - position >= 2 else { return }
                guard buffer[position] == ASCII.cr, buffer[position + 1] == ASCII.lf else { throw .malformed("chunk data not followed by CRLF") }
                position += 2
                phase = .chunkSize
            case .trailers:
                guard let end = try find(Self.lineEnd, limit: Self.headLimit - trailerBytes, tooLong: "trailer section longer than \(Self.headLimit) bytes") else { return }
                trailerBytes += end + 2 - position
                let isLast = end == position
                position = end + 2
                if isLast { phase = .done }
            case .untilClose:
                guard buffer.count - position <= bodyLimit - body.count else { throw .tooLarge }
                body.append(contentsOf: buffer[position...])
                position = buffer.count
                return
            case .done:
                return
            }
        }
    }

    /// The status line and headers (without the blank line); sets the body's framing.
    private mutating func parseHead(end: Int) throws(Failure) {
        let head = try buffer.withUnsafeBufferPointer { bytes throws(Failure) in try ResponseHead(UnsafeBufferPointer(rebasing: bytes[position..<end])) }
        if (100...199).contains(head.status) {
            guard head.status != 101 else { throw .malformed("101 Switching Protocols to a request that asked for none") }
            interimCount += 1
            guard interimCount <= Self.interimLimit else { throw .malformed("more than \(Self.interimLimit) interim responses") }
            return  // An interim answer (100 Continue, 103 Early Hints): the real head follows.
        }
        status = head.status
        headers = head.headers
        keepAlive = head.minorVersion == 1 && !head.closesConnection
        phase = try framing(head)
    }

    /// How the body is delimited (RFC 9112 6.3).
    private mutating func framing(_ head: ResponseHead) throws(Failure) -> Phase {
        if isHeadRequest || head.status == 204 || head.status == 304 { return .done }
        if head.isChunked {
            guard head.contentLength == nil else { throw .malformed("both Transfer-Encoding and Content-Length") }
            return .chunkSize
        }
        guard let length = head.contentLength else {
            keepAlive = false
            return .untilClose
        }
        guard length <= bodyLimit else { throw .tooLarge }
        return length == 0 ? .done : .fixedBody(remaining: length)
    }

    /// The index where `terminator` starts after `position`, nil while it has not arrived;
    /// throws `tooLong` once more than `limit` bytes have come without it.
    private mutating func find(_ terminator: [UInt8], limit: Int, tooLong: @autoclosure () -> String) throws(Failure) -> Int? {
        let available = buffer.count - position
        let searchable = min(available, limit + terminator.count)
        if searchable >= terminator.count {
            let end = position + searchable - terminator.count
            var index = position + max(0, searched - terminator.count + 1)
            while index <= end {
                if buffer[index] == terminator[0] && buffer[index..<index + terminator.count].elementsEqual(terminator) {
                    searched = 0
                    return index
                }
                index += 1
            }
        }
        searched = available
        guard available <= limit else { throw .malformed(tooLong()) }
        return nil
    }

    /// A chunk-size line: hex digits, then optional `;extensions` (ignored).
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(Failure) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = ASCII.hexValue(byte) else {
                guard digits > 0, byte == ASCII.semicolon || byte == ASCII.space || byte == ASCII.tab else { throw .malformed("an invalid chunk size") }
                break
            }
            guard size <= (Int.max - 15) / 16 else { throw .tooLarge }
            size = size * 16 + Int(value)
            digits += 1
        }
        guard digits > 0 else { throw .malformed("an invalid chunk size") }
        return size
    }

    private static let blankLine: [UInt8] = [ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf]
    private static let lineEnd: [UInt8] = [ASCII.cr, ASCII.lf]
}
