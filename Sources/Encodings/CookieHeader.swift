/// Reading a `Cookie` request header (RFC 6265 section 5.4): `name=value` pairs separated
/// by `;`, without any HTTP types, so every layer that keeps a cookie reads it the same way.
public enum CookieHeader {
    /// Calls `body` with the value of each cookie named exactly `name` in `header`, in the
    /// order sent (browsers send the most specific cookie first), surrounding blanks and
    /// RFC 6265's optional double quotes removed, until `body` returns a result.
    public static func firstValue<Result>(named name: String, in header: String,
                                          _ body: (Substring) -> Result?) -> Result? {
        var rest = Substring(header)
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ";") ?? rest.endIndex
            let pair = rest[..<end].drop(while: { $0 == " " || $0 == "\t" })
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            guard let equals = pair.firstIndex(of: "="), pair[..<equals] == name else { continue }
            var value = pair[pair.index(after: equals)...]
            while value.last == " " || value.last == "\t" { value.removeLast() }
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            if let result = body(value) { return result }
        }
        return nil
    }
}
