import HTTPCore

/// A response's status line and headers, read from the bytes before the blank line, with
/// the three headers that frame the body understood on the way (no second pass over
/// Strings). Lines end in CRLF; a bare CR or LF, a folded line or a control character is
/// refused, since a proxy in between might read it differently.
struct ResponseHead {
    /// The minor HTTP version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    var minorVersion = 0
    /// The status code.
    var status = 0
    /// The header fields, in order.
    var headers = HTTPHeaders()
    /// Content-Length, when present (every copy and list element the same number).
    var contentLength: Int?
    /// Transfer-Encoding was present: the only coding accepted is a lone `chunked`.
    var isChunked = false
    /// Connection named `close`.
    var closesConnection = false

    /// Parses `bytes`, the head without its final CRLF CRLF.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(ResponseParser.Failure) {
        var lineStart = 0
        var index = 0
        var isStatusLine = true
        while true {
            while index < bytes.count && bytes[index] != ASCII.cr && bytes[index] != ASCII.lf { index += 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<index])
            if isStatusLine { try readStatusLine(line) } else { try readField(line) }
            isStatusLine = false
            guard index < bytes.count else { return }
            guard bytes[index] == ASCII.cr, index + 1 < bytes.count, bytes[index + 1] == ASCII.lf else { throw .malformed("a bare CR or LF in the head") }
            index += 2
            lineStart = index
        }
    }

    /// `HTTP/1.x SSS reason`.
    private mutating func readStatusLine(_ line: UnsafeBufferPointer<UInt8>) throws(ResponseParser.Failure) {
        guard line.count >= 12, line.starts(with: "HTTP/1.".utf8), ASCII.isDigit(line[7]), line[8] == ASCII.space,
              ASCII.isDigit(line[9]), ASCII.isDigit(line[10]), ASCII.isDigit(line[11]), line.count == 12 || line[12] == ASCII.space,
              ASCII.isFieldText(UnsafeBufferPointer(rebasing: line[12...]))
        else { throw .malformed("not an HTTP/1.x status line") }
        minorVersion = Int(line[7] - ASCII.zero)
        status = line[9...11].reduce(0) { $0 * 10 + Int($1 - ASCII.zero) }
        guard status >= 100 else { throw .malformed("status code below 100") }
    }

    /// `name: value`, noting the framing headers.
    private mutating func readField(_ line: UnsafeBufferPointer<UInt8>) throws(ResponseParser.Failure) {
        // Obsolete line folding (RFC 9112 5.2): refused, not joined.
        guard line.first != ASCII.space && line.first != ASCII.tab else { throw .malformed("a folded header line") }
        guard let colon = line.firstIndex(of: ASCII.colon), colon > 0 else { throw .malformed("a header line without a name") }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        guard name.allSatisfy(ASCII.isTokenChar) else { throw .malformed("a header name that is not a token") }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == ASCII.space || line[start] == ASCII.tab) { start += 1 }
        while end > start && (line[end - 1] == ASCII.space || line[end - 1] == ASCII.tab) { end -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[start..<end])
        guard ASCII.isFieldText(value) else { throw .malformed("a control character in a header value") }
        if ASCII.equalsLowercase(name, "content-length") {
            try readContentLength(value)
        } else if ASCII.equalsLowercase(name, "transfer-encoding") {
            try readTransferEncoding(value)
        } else if ASCII.equalsLowercase(name, "connection") {
            ASCII.forEachToken(value) { if ASCII.equalsLowercase($0, "close") { closesConnection = true } }
        }
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Every element of every Content-Length the same decimal (RFC 9112 6.3, item 5).
    private mutating func readContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(ResponseParser.Failure) {
        var valid = true
        var length = contentLength
        ASCII.forEachToken(value, allowEmpty: true) { element in
            guard let parsed = ASCII.parseDecimal(element), length == nil || length == parsed else { valid = false; return }
            length = parsed
        }
        guard valid, let length else { throw .malformed("an invalid Content-Length") }
        contentLength = length
    }

    /// No Accept-Encoding is sent, so a lone `chunked` is the only coding that may come back.
    private mutating func readTransferEncoding(_ value: UnsafeBufferPointer<UInt8>) throws(ResponseParser.Failure) {
        var codings = 0
        var chunked = false
        ASCII.forEachToken(value, allowEmpty: true) { coding in
            codings += 1
            chunked = ASCII.equalsLowercase(coding, "chunked")
        }
        guard !isChunked, codings == 1, chunked else { throw .malformed("unsupported Transfer-Encoding") }
        isChunked = true
    }
}
