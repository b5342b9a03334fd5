// Reading cache entries written by other MSAL libraries, which agree on field names but not
// always on whether a time is a string or a number, and writing them as MSAL does.
import Encodings

/// One entry of a cache section, as a JSON object.
struct CacheJSON {
    /// The entry's fields.
    let fields: [String: JSONValue]

    /// The field as a string: a string as it is, a whole number in decimal; nil when it is
    /// missing, null or anything else.
    func string(_ name: String) -> String? {
        switch fields[name] {
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)
        // Int64(exactly:) rather than Int64(_:), which traps on a huge, infinite or NaN value.
        case .number(let number)?: return Int64(exactly: number.rounded(.towardZero)).map { String($0) }
        default: return nil
        }
    }

    /// A JSON object of string fields, leaving out the absent ones (as MSAL does).
    static func object(_ fields: [(String, String?)]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(fields.count)
        for case (let name, let value?) in fields { object[name] = .string(value) }
        return .object(object)
    }
}
