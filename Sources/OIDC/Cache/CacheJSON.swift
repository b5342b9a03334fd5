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

    /// The fields every credential (access, refresh and ID token) has: secret, home account
    /// id, environment and client id, empty when absent.
    var credential: (secret: String, homeAccountID: String, environment: String, clientID: String) {
        (string("secret") ?? "", string("home_account_id") ?? "", string("environment") ?? "", string("client_id") ?? "")
    }

    /// A credential entry: its type and the fields every credential has, then `fields`.
    static func credential(_ type: String, _ secret: String, _ homeAccountID: String, _ environment: String, _ clientID: String,
                           _ fields: [(String, String?)]) -> JSONValue {
        object([("credential_type", type), ("secret", secret), ("home_account_id", homeAccountID), ("environment", environment),
                ("client_id", clientID)] + fields)
    }

    /// A JSON object of string fields, leaving out the absent ones (as MSAL does).
    static func object(_ fields: [(String, String?)]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(fields.count)
        for case (let name, let value?) in fields { object[name] = .string(value) }
        return .object(object)
    }
}
