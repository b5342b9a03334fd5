import HTTPCore

/// The bytes of one HTTP/1.1 request. Written here rather than by libcurl: Debian's libcurl
/// 7.88 copies every header through its printf one byte at a time, which for a Graph call's
/// `Authorization: Bearer` line of a 1 to 3 KB token cost more than the rest of the page.
enum RequestWriter {
    /// Header names the transport writes itself; a caller's would contradict the framing.
    private static let framingHeaders = ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect"]

    /// Why a request cannot be written.
    enum Refusal: Error, Equatable {
        /// A header name that is not an HTTP token, or a value with a control character
        /// (CR or LF would let a value start a header of its own).
        case badHeader(String)
    }

    /// The request line, Host, User-Agent, the caller's headers, Content-Length when there
    /// is a body (or the method carries one), and the body.
    static func bytes(_ request: OutboundRequest, target: OutboundTarget, userAgent: String) throws(Refusal) -> [UInt8] {
        var output: [UInt8] = []
        var size = 256 + request.body.count
        for header in request.headers { size += header.name.utf8.count + header.value.utf8.count + 4 }
        output.reserveCapacity(size)
        append(request.method.rawValue, to: &output)
        output.append(UInt8(ascii: " "))
        append(target.requestTarget, to: &output)
        append(" HTTP/1.1\r\nHost: ", to: &output)
        append(target.hostHeader, to: &output)
        append("\r\nUser-Agent: ", to: &output)
        append(userAgent, to: &output)
        append("\r\n", to: &output)
        for header in request.headers {
            guard isToken(header.name), isFieldValue(header.value) else { throw .badHeader(printable(header.name)) }
            if framingHeaders.contains(where: { HTTPHeaders.same($0, header.name) }) { continue }
            append(header.name, to: &output)
            append(": ", to: &output)
            append(header.value, to: &output)
            append("\r\n", to: &output)
        }
        if !request.body.isEmpty || (request.method != .GET && request.method != .HEAD) {
            append("Content-Length: \(request.body.count)\r\n", to: &output)
        }
        append("\r\n", to: &output)
        output.append(contentsOf: request.body)
        return output
    }

    /// Appends `text`'s UTF-8 bytes (one copy, no per-byte work).
    private static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    /// A non-empty run of token characters (RFC 9110 5.6.2).
    private static func isToken(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy(ASCII.isTokenChar) }
    }

    /// Field text only: a CR or LF would let a value start a header of its own.
    private static func isFieldValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8(ASCII.isFieldText)
    }

    /// `name` with control characters dropped, for an error message.
    private static func printable(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }
}
