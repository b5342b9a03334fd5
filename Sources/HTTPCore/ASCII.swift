/// Byte-level helpers for parsing HTTP: character classes, case-insensitive comparison
/// against literals, list splitting and number parsing, all without building Strings.
package enum ASCII {
    package static let tab: UInt8 = 0x09
    package static let lf: UInt8 = 0x0A
    package static let cr: UInt8 = 0x0D
    package static let space: UInt8 = 0x20
    package static let star: UInt8 = 0x2A
    package static let comma: UInt8 = 0x2C
    package static let dot: UInt8 = 0x2E
    package static let slash: UInt8 = 0x2F
    package static let zero: UInt8 = 0x30
    package static let colon: UInt8 = 0x3A
    package static let semicolon: UInt8 = 0x3B
    package static let question: UInt8 = 0x3F

    package static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    package static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// RFC 9110 `tchar`: what method names and header names may contain.
    package static func isTokenChar(_ b: UInt8) -> Bool { tokenTable[Int(b)] }

    private static let tokenTable: [Bool] = (0..<256).map { i in
        let b = UInt8(i)
        if isDigit(b) || isAlpha(b) { return true }
        return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
    }

    /// Characters allowed in a Host header value: reg-name, IP literals and a port.
    package static func isHostChar(_ b: UInt8) -> Bool { hostTable[Int(b)] }

    private static let hostTable: [Bool] = (0..<256).map { i in
        let b = UInt8(i)
        if isDigit(b) || isAlpha(b) { return true }
        return Array("-._~%!$&'()*+,;=:[]".utf8).contains(b)
    }

    package static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    package static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Field text (RFC 9110 5.5): visible characters, spaces, tabs and bytes of UTF-8 beyond
    /// ASCII; false for any other control character, CR and LF above all. Eight bytes at a
    /// time: a word with no byte below 0x20 and no DEL is field text as it stands, and only
    /// a word with one (a tab, or a byte to refuse) is looked at byte by byte. A Graph call's
    /// `Authorization` value is a token of one to three kilobytes.
    package static func isFieldText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            if mayHoldControl(word) && !isFieldTextBytewise(UnsafeBufferPointer(start: base + offset, count: 8)) { return false }
            offset += 8
        }
        return isFieldTextBytewise(UnsafeBufferPointer(start: base + offset, count: bytes.count - offset))
    }

    /// Some byte of `word` is below 0x20 or is 0x7F (never false when one is; the classic
    /// "has a byte less than n" test, exact for n up to 128).
    @inline(__always)
    static func mayHoldControl(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        let delFlipped = word ^ (ones &* 0x7F)
        let isDel = (delFlipped &- ones) & ~delFlipped & highs
        return belowSpace | isDel != 0
    }

    /// `isFieldText` one byte at a time.
    package static func isFieldTextBytewise(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var allowed = true
        for byte in bytes { allowed = allowed && (byte >= space && byte != 0x7F || byte == tab) }
        return allowed
    }

    /// `bytes` equals the lowercase literal, ignoring ASCII case.
    package static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<bytes.count where lower(bytes[i]) != l[i] { return false }
        return true
    }

    /// Calls `body` with each comma-separated element, trimmed of spaces and tabs.
    package static func forEachToken(
        _ bytes: UnsafeBufferPointer<UInt8>, allowEmpty: Bool = false,
        _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var i = 0
        let n = bytes.count
        while i <= n {
            var end = i
            while end < n && bytes[end] != comma { end += 1 }
            var s = i
            var e = end
            while s < e && (bytes[s] == space || bytes[s] == tab) { s += 1 }
            while e > s && (bytes[e - 1] == space || bytes[e - 1] == tab) { e -= 1 }
            if s < e || allowEmpty { body(UnsafeBufferPointer(rebasing: bytes[s..<e])) }
            i = end + 1
        }
    }

    /// A non-negative decimal; values too large to matter come back as Int.max.
    package static func parseDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for b in bytes {
            guard isDigit(b) else { return nil }
            if value > Int.max / 100 { value = Int.max; continue }
            value = value * 10 + Int(b - zero)
        }
        return value
    }

    /// For `http://host/path`, the offset of `/path` (or the end when there is no path).
    package static func absoluteFormPathOffset(_ target: UnsafeBufferPointer<UInt8>) -> Int? {
        let schemes: [StaticString] = ["http://", "https://"]
        for scheme in schemes {
            let n = scheme.utf8CodeUnitCount
            guard target.count > n,
                equalsLowercase(UnsafeBufferPointer(rebasing: target[0..<n]), scheme)
            else { continue }
            var i = n
            while i < target.count && target[i] != slash {
                if target[i] == question || target[i] == 0x23 { return nil }
                i += 1
            }
            return i
        }
        return nil
    }
}
