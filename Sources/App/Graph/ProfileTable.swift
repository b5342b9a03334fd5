import Encodings
import FoundationEssentials

/// Turns a Graph profile into rows for a readable table and pretty JSON for the raw view.
enum ProfileTable {
    /// The fields people look for first, in Graph's own words.
    static let preferredOrder = [
        "displayName", "givenName", "surname", "userPrincipalName", "mail", "jobTitle",
        "officeLocation", "mobilePhone", "businessPhones", "preferredLanguage", "id",
    ]

    static func rows(_ profile: [String: JSONValue]) -> [[String: String]] {
        let keys = profile.keys.filter { !$0.hasPrefix("@") }
        let ordered = preferredOrder.filter(keys.contains) + keys.filter { !preferredOrder.contains($0) }.sorted()
        return ordered.map { ["name": label($0), "value": text(profile[$0]!)] }
    }

    static func prettyJSON(_ profile: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(JSONValue.object(profile)), as: UTF8.self)) ?? "{}"
    }

    /// `userPrincipalName` becomes "User principal name".
    static func label(_ key: String) -> String {
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
