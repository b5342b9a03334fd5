import FoundationEssentials

/// Reads a `.env` file: `KEY=value` lines, `#` comments, optional `export ` prefix and
/// single or double quotes, the subset that python-dotenv and shells agree on.
public enum DotEnv {
    /// Parses `.env` text. Malformed lines are reported by line number so a typo does not
    /// silently drop a setting.
    public static func parse(_ text: String) throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingWhitespace
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmingWhitespace }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError(key: ".env", reason: "line \(index + 1) is not KEY=value")
            }
            let key = line[..<eq].trimmingWhitespace
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ConfigurationError(key: ".env", reason: "line \(index + 1) has an invalid key")
            }
            values[String(key)] = unquote(String(line[line.index(after: eq)...].trimmingWhitespace))
        }
        return values
    }

    /// Reads and parses the file at `path`; a missing file is an empty configuration.
    public static func load(path: String) throws(ConfigurationError) -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: ".env", reason: "cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    private static func unquote(_ value: String) -> String {
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            return String(value.dropFirst().dropLast())
        }
        // An unquoted value may carry a trailing comment: `PORT=5000  # local`.
        if let hash = value.firstRange(of: " #") {
            return String(value[..<hash.lowerBound].trimmingWhitespace)
        }
        return value
    }
}
