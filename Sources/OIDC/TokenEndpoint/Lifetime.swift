import Encodings

/// Token lifetimes (`expires_in`, `ext_expires_in`, `refresh_in`) as providers send them,
/// made safe for date arithmetic: whatever arrives (an integer, a number, a numeric string,
/// 2^63-1, a negative, "1e309") becomes whole seconds from 0 to one year before anything
/// adds it to a time, so one bad answer cannot trap the process on overflow.
enum Lifetime {
    /// One year: longer than any token lives, short enough that `now + lifetime` never overflows.
    static let maximum: Int64 = 365 * 24 * 3600

    /// Seconds within 0...`maximum`, or nil when `value` is absent or not a number at all.
    static func seconds(_ value: JSONValue?) -> Int64? {
        switch value {
        case .integer(let seconds)?: return clamp(seconds)
        case .number(let seconds)?: return clamp(seconds)
        case .string(let text)?:
            let trimmed = text.trimmingWhitespace
            if let seconds = Int64(trimmed) { return clamp(seconds) }
            // Past Int64 or written with a fraction or exponent; Double reads any length
            // of digits (to infinity at worst, which clamps like any other huge value).
            return Double(trimmed).flatMap(clamp)
        default: return nil
        }
    }

    /// `seconds` within 0...`maximum`.
    static func clamp(_ seconds: Int64) -> Int64 {
        min(max(seconds, 0), maximum)
    }

    /// Nil for NaN, which is no lifetime at all.
    static func clamp(_ seconds: Double) -> Int64? {
        if seconds.isNaN { return nil }
        if seconds <= 0 { return 0 }
        if seconds >= Double(maximum) { return maximum }
        return Int64(seconds)
    }
}
