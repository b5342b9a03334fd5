/// Reading a `Cookie` request header (RFC 6265 section 5.4): `name=value` pairs separated
/// by `;`, without any HTTP types, so every layer that keeps a cookie reads it the same way.
/// The header is scanned as bytes: it arrives with every request.
public enum CookieHeader {
    /// Calls `body` with the value of each cookie named exactly `name` in `header`, in the
    /// order sent (browsers send the most specific cookie first), surrounding blanks and
    /// RFC 6265's optional double quotes removed, until `body` returns a result.
    public static func firstValue<Result>(named name: String, in header: String,
                                          _ body: (Substring) -> Result?) -> Result? {
        let bytes = header.utf8
        let wanted = name.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let end = bytes[index...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = index
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start = bytes.index(after: start) }
            index = end == bytes.endIndex ? end : bytes.index(after: end)
            guard let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")),
                  bytes[start..<equals].elementsEqual(wanted)
            else { continue }
            var valueStart = bytes.index(after: equals)
            var valueEnd = end
            while valueEnd > valueStart, bytes[bytes.index(before: valueEnd)] == UInt8(ascii: " ") || bytes[bytes.index(before: valueEnd)] == UInt8(ascii: "\t") {
                valueEnd = bytes.index(before: valueEnd)
            }
            if bytes.distance(from: valueStart, to: valueEnd) >= 2, bytes[valueStart] == UInt8(ascii: "\""),
               bytes[bytes.index(before: valueEnd)] == UInt8(ascii: "\"")
            {
                valueStart = bytes.index(after: valueStart)
                valueEnd = bytes.index(before: valueEnd)
            }
            // `;`, `=`, `"`, space and tab are ASCII: these indices fall on character boundaries.
            if let result = body(header[valueStart..<valueEnd]) { return result }
        }
        return nil
    }
}
