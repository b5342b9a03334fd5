/// Writes a `JSONValue` as JSON text in one pass, with object keys sorted (byte order of
/// their UTF-8), so the same value always gives the same bytes (JWT signing inputs, test
/// expectations), either compact or indented for people to read.
///
/// Strings escape `"`, `\` and control characters (as `\n`, `\t`, ... or `\u00XX`) and
/// nothing else: slashes and non-ASCII text are written as they are. A non-finite number,
/// which JSON cannot hold, is written as `null`.
struct JSONWriter {
    /// Two spaces per level and `"key" : value`, as people read it; nil: compact.
    let pretty: Bool
    /// The text so far.
    private(set) var output: [UInt8] = []

    /// A writer, compact or indented.
    init(pretty: Bool) {
        self.pretty = pretty
    }

    /// Appends `value`, at nesting `depth` (for indentation).
    mutating func write(_ value: JSONValue, depth: Int = 0) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let integer): append(String(integer))
        case .number(let number): append(number.isFinite ? Self.format(number) : "null")
        case .string(let text): writeString(text)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(element, depth: depth + 1)
            }
            if !elements.isEmpty { newline(depth) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (position, member) in sorted.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writeString(member.key)
                append(pretty ? " : " : ":")
                write(member.value, depth: depth + 1)
            }
            if !members.isEmpty { newline(depth) }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A number as JSON: whole numbers without a fraction, others in Swift's shortest
    /// round-tripping form (`0.1`, `1e-07`, `1.5e+300`), all valid JSON.
    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    /// A line break and the indentation of `depth`, when pretty.
    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// `text` in quotes, escaped.
    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of plain bytes are copied at once; only the bytes JSON escapes are looked at one by one.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                writeEscaped(byte)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The escape sequence for `byte`, a quote, a backslash or a control character.
    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            append("\\u00")
            output.append(Self.hexDigits[Int(byte >> 4)])
            output.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Appends `text`'s UTF-8.
    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    /// Lowercase hex digits, for `\u00XX`.
    private static let hexDigits = Array("0123456789abcdef".utf8)
}
