/// Parses JSON text (RFC 8259) straight into a `JSONValue`, one pass over the bytes with no
/// `Decoder` in between: the tokens, provider answers and Graph profiles every request
/// reads are parsed many times faster than through `JSONDecoder`, which can only find a
/// value's type by trying each in turn.
///
/// Strict, as a parser of other parties' input should be: exactly one value, surrounded by
/// optional whitespace; no trailing commas, comments, `NaN` or leading zeros; strings of
/// valid UTF-8 without raw control characters, `\u` escapes with paired surrogates; at most
/// `maximumDepth` nested arrays and objects. A repeated object key keeps its last value
/// (RFC 7519 allows that or a refusal). A number without fraction or exponent that fits
/// `Int64` is `.integer`; any other number is `.number`.
struct JSONParser {
    /// How deeply arrays and objects may nest (the parser recurses once per level).
    static let maximumDepth = 128

    /// Why parsing stopped; the position is not reported (the input may be secret).
    struct Failure: Error {}

    /// The input, valid while `parse` runs (read through a pointer: no array checks per byte).
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    private var index = 0

    /// A parser of `bytes`.
    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one JSON value in `bytes`, or nil when they are not exactly one.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            guard let value = try? parser.value(depth: 0) else { return nil }
            parser.skipWhitespace()
            return parser.index == buffer.count ? value : nil
        }
    }

    /// The value starting at the next non-blank byte.
    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    /// `{ "key": value, ... }`, the opening brace next.
    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Failure() }
        index += 1
        // Room for a typical object's members at once, instead of growing (and rehashing)
        // four times on the way.
        var members: [String: JSONValue] = Dictionary(minimumCapacity: 12)
        skipWhitespace()
        if try consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
            let key = try string()
            skipWhitespace()
            guard try consume(UInt8(ascii: ":")) else { throw Failure() }
            members[key] = try value(depth: depth)
            skipWhitespace()
            if try consume(UInt8(ascii: "}")) { return .object(members) }
            guard try consume(UInt8(ascii: ",")) else { throw Failure() }
        }
    }

    /// `[ value, ... ]`, the opening bracket next.
    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Failure() }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            if try consume(UInt8(ascii: "]")) { return .array(elements) }
            guard try consume(UInt8(ascii: ",")) else { throw Failure() }
        }
    }

    /// A string, the opening quote next. Runs without escapes are copied as they are.
    private mutating func string() throws(Failure) -> String {
        index += 1
        var utf8: [UInt8] = []
        var escaped = false
        var ascii = true
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            // Most bytes of a string are plain: step over them first.
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                if byte >= 0x80 { ascii = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                let text: String?
                if escaped {
                    utf8 += bytes[runStart..<index]
                    text = String(validating: utf8, as: UTF8.self)
                } else if ascii {
                    // ASCII is valid UTF-8 as it is: copied without a validating pass.
                    text = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                } else {
                    // No escape: the string is the bytes between the quotes, as they are.
                    text = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                }
                index += 1
                guard let text else { throw Failure() }
                return text
            }
            if byte < 0x20 { throw Failure() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                utf8 += bytes[runStart..<index]
                try escape(into: &utf8)
                runStart = index
                continue
            }
            index += 1
        }
        throw Failure()
    }

    /// One escape sequence, the backslash next, appended as UTF-8.
    private mutating func escape(into utf8: inout [UInt8]) throws(Failure) {
        guard index + 1 < bytes.count else { throw Failure() }
        let kind = bytes[index + 1]
        index += 2
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(kind)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw Failure() }
                index += 2
                let low = try hexQuad()
                guard (0xDC00...0xDFFF).contains(low) else { throw Failure() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw Failure()
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Failure() }
            utf8 += Array(String(Character(unicode)).utf8)
        default:
            throw Failure()
        }
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure() }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Hex.value(of: byte) else { throw Failure() }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        _ = try consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw Failure() }
        return .number(double)
    }

    /// Moves past `literal` (`true`, `false`, `null`).
    private mutating func literal(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Failure() }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { throw Failure() }
        index += count
    }

    /// Moves past `byte` when it is next; false when something else is.
    private mutating func consume(_ byte: UInt8) throws(Failure) -> Bool {
        guard index < bytes.count else { throw Failure() }
        guard bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Moves past spaces, tabs, line feeds and carriage returns.
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Moves past decimal digits.
    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    /// `0` to `9`.
    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
