/// application/x-www-form-urlencoded: query strings and POST form bodies, encoded with
/// RFC 3986 unreserved characters only so state, scopes and redirect URIs survive intact.
public enum FormURLEncoding {
    /// Decodes `a=1&b=two+words` into ordered pairs. Malformed percent escapes are kept
    /// literally rather than dropped, so nothing is silently lost.
    public static func decode(_ string: some StringProtocol) -> [(name: String, value: String)] {
        string.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (percentDecode(pair[..<eq], plusAsSpace: true), percentDecode(pair[pair.index(after: eq)...], plusAsSpace: true))
            }
            return (percentDecode(pair, plusAsSpace: true), "")
        }
    }

    /// Decodes into a dictionary where the first of duplicate names wins, so a parameter
    /// smuggled in a second time cannot override the first.
    public static func firstValues(_ string: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in decode(string) where result[name] == nil { result[name] = value }
        return result
    }

    /// Appends pairs as a query to `url`, respecting a query the URL already has.
    public static func append(_ items: [(String, String)], to url: String) -> String {
        url + (url.contains("?") ? "&" : "?") + encode(items)
    }

    /// Encodes pairs as a form body or query string.
    public static func encode(_ items: [(String, String)]) -> String {
        items.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func percentEncode(_ string: some StringProtocol) -> String {
        var out = [UInt8]()
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked). Invalid escapes stay as they are.
    public static func percentDecode(_ string: some StringProtocol, plusAsSpace: Bool = false) -> String {
        let bytes = Array(string.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = Hex.value(of: bytes[i + 1]), let lo = Hex.value(of: bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else if byte == UInt8(ascii: "+") && plusAsSpace {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
