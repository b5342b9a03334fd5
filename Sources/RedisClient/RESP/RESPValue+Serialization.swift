extension RESPValue {
    /// The value in RESP2 wire form, as a server would send it. Test servers and the
    /// parser's round-trip check use it; the client itself only sends commands.
    ///
    /// CR and LF cannot be written in a simple string or error, so they are replaced by
    /// spaces rather than producing a frame the parser would read differently.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    /// Appends the wire form to `out`, without building intermediate arrays for nested values.
    public func append(to out: inout [UInt8]) {
        switch self {
        case .simpleString(let text): appendLine(UInt8(ascii: "+"), text, to: &out)
        case .error(let text): appendLine(UInt8(ascii: "-"), text, to: &out)
        case .integer(let value): appendHeader(UInt8(ascii: ":"), value, to: &out)
        case .bulkString(let bytes):
            appendHeader(UInt8(ascii: "$"), Int64(bytes.count), to: &out)
            out += bytes
            out += [13, 10]
        case .array(let elements):
            appendHeader(UInt8(ascii: "*"), Int64(elements.count), to: &out)
            for element in elements { element.append(to: &out) }
        case .null: out += Array("$-1\r\n".utf8)
        }
    }

    /// `+text` or `-text`, then CRLF.
    private func appendLine(_ type: UInt8, _ text: String, to out: inout [UInt8]) {
        out.append(type)
        out += text.utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 }
        out += [13, 10]
    }

    /// `:42`, `$5` or `*2`, then CRLF.
    private func appendHeader(_ type: UInt8, _ value: Int64, to out: inout [UInt8]) {
        out.append(type)
        out += Array(String(value).utf8)
        out += [13, 10]
    }
}
