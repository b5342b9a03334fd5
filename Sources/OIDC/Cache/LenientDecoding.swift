/// Decoding helpers for cache files written by other MSAL libraries, which agree on field
/// names but not always on whether a time is a string or a number.
extension KeyedDecodingContainer {
    func decodeLenientString(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        // Int64(exactly:) rather than Int64(_:), which traps on a huge, infinite or NaN value.
        if let number = try? decode(Double.self, forKey: key), let whole = Int64(exactly: number.rounded(.towardZero)) {
            return String(whole)
        }
        return nil
    }
}
