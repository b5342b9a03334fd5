extension RESPParser {
    /// The type byte and the content range of the next CRLF-terminated line, consumed; nil
    /// until the whole line is buffered. Where the scan stopped is remembered, so a line
    /// arriving byte by byte is scanned once.
    mutating func nextLine() throws(RESPParseError) -> (type: UInt8, line: Range<Int>)? {
        guard bufferedByteCount > 0 else { return nil }
        let type = buffer[start]
        try checkType(type)
        // The CR may be at most maxLineBytes after the type byte.
        let scanEnd = min(buffer.count, start + 1 + limits.maxLineBytes + 1)
        var index = start + 1 + scanned
        while index < scanEnd {
            let byte = buffer[index]
            if byte == 10 { throw RESPParseError("line feed without carriage return") }
            if byte == 13 {
                guard index + 1 < buffer.count else { break }
                guard buffer[index + 1] == 10 else { throw RESPParseError("carriage return without line feed") }
                let line = (start + 1)..<index
                start = index + 2
                scanned = 0
                return (type, line)
            }
            index += 1
        }
        scanned = index - start - 1
        if scanned > limits.maxLineBytes {
            throw RESPParseError("line longer than the limit of \(limits.maxLineBytes) bytes")
        }
        return nil
    }

    /// Refuses a type byte that does not start a RESP2 reply, before waiting for its line.
    private func checkType(_ type: UInt8) throws(RESPParseError) {
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"):
            return
        case UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: "#"), UInt8(ascii: "("), UInt8(ascii: "="),
             UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "!"):
            throw RESPParseError("RESP3 reply type '\(Character(Unicode.Scalar(type)))' on a RESP2 connection")
        default:
            let shown = type >= 0x20 && type < 0x7F ? " ('\(Character(Unicode.Scalar(type)))')" : ""
            throw RESPParseError("byte 0x\(String(type, radix: 16))\(shown) where a reply starts: not a Redis server?")
        }
    }

    /// A decimal integer line: an optional minus and 1 to 19 digits, within Int64.
    func integer(_ line: Range<Int>, what: String) throws(RESPParseError) -> Int64 {
        var index = line.lowerBound
        let negative = index < line.upperBound && buffer[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < line.upperBound, line.upperBound - index <= 19 else {
            throw RESPParseError("malformed \(what)")
        }
        // Accumulated as a negative number, whose range includes Int64.min.
        var value: Int64 = 0
        while index < line.upperBound {
            let digit = buffer[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { throw RESPParseError("malformed \(what)") }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.subtractingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { throw RESPParseError("\(what) out of range") }
            value = sum
            index += 1
        }
        if negative { return value }
        guard value != .min else { throw RESPParseError("\(what) out of range") }
        return -value
    }
}
