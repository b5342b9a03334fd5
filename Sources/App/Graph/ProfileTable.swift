import Encodings
import FoundationEssentials

/// Turns a Graph profile into rows for a readable table and pretty JSON for the raw view.
enum ProfileTable {
    /// The fields people look for first, in Graph's own words.
    static let preferredOrder = [
        "displayName", "givenName", "surname", "userPrincipalName", "mail", "jobTitle",
        "officeLocation", "mobilePhone", "businessPhones", "preferredLanguage", "id",
    ]

    /// One row of the table: the field's label and its value as text.
    struct Row: Equatable {
        /// The field's label ("User principal name").
        let name: String
        /// Its value as text ("—" for none).
        let value: String
    }

    /// The profile's fields, the familiar ones first, then the others by name; Graph's
    /// `@odata` annotations left out.
    static func rows(_ profile: [String: JSONValue]) -> [Row] {
        let others = profile.keys.filter { !$0.hasPrefix("@") && !preferredKeys.contains($0) }.sorted()
        return (preferredOrder + others).compactMap { key in profile[key].map { Row(name: label(key), value: text($0)) } }
    }

    /// `preferredOrder`, for lookups.
    private static let preferredKeys = Set(preferredOrder)

    /// The profile as indented JSON, for the raw view.
    static func prettyJSON(_ profile: [String: JSONValue]) -> String {
        String(decoding: JSONValue.object(profile).serialized(pretty: true), as: UTF8.self)
    }

    /// `userPrincipalName` becomes "User principal name".
    static func label(_ key: String) -> String {
        asciiLabel(key) ?? unicodeLabel(key)
    }

    /// The label of an ASCII key, byte by byte (Graph's keys are ASCII); nil for any other.
    private static func asciiLabel(_ key: String) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(key.utf8.count + 4)
        for byte in key.utf8 {
            guard byte < 0x80 else { return nil }
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            if isUpper, !output.isEmpty { output.append(UInt8(ascii: " ")) }
            output.append(isUpper ? byte + 32 : byte)
        }
        if let first = output.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") { output[0] = first - 32 }
        return String(decoding: output, as: UTF8.self)
    }

    /// The label of any key: words split before each uppercase letter, then lowercased.
    private static func unicodeLabel(_ key: String) -> String {
        var words: [String] = []
        var current = ""
        for char in key {
            if char.isUppercase, !current.isEmpty { words.append(current); current = "" }
            current.append(char)
        }
        if !current.isEmpty { words.append(current) }
        let sentence = words.map { $0.lowercased() }.joined(separator: " ")
        return sentence.prefix(1).uppercased() + sentence.dropFirst()
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "—"
        case .string(let string): return string.isEmpty ? "—" : string
        case .bool(let bool): return bool ? "yes" : "no"
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .array(let items): return items.isEmpty ? "—" : items.map(text).joined(separator: ", ")
        case .object: return String(decoding: JSONValue.serialize(value.objectValue ?? [:]), as: UTF8.self)
        }
    }
}
