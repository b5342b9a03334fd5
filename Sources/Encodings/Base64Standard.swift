/// Standard (padded) base64 (RFC 4648 section 4), for PEM bodies and HTTP Basic
/// credentials; derived from the base64url encoder so there is one encoder to trust.
public enum Base64Standard {
    /// Encodes bytes as standard base64 with `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var text = Base64URL.encode(bytes)
        text = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while text.utf8.count % 4 != 0 { text += "=" }
        return text
    }
}
