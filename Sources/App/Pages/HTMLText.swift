import Mustache

/// HTML escaping of the values pages show: `&`, `<`, `>`, `"` and `'` become `&amp;`, `&lt;`,
/// `&gt;`, `&quot;` and `&#39;`, byte by byte. Working on bytes matters: Mustache's own
/// escaping goes by `Character`, and a quote followed by a combining mark is one Character
/// that it leaves alone, though a browser still sees the quote (and ends the attribute).
enum HTMLText {
    /// Appends `text` escaped to `output`.
    static func escape(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                output.append(contentsOf: bytes[start..<index])
                output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                start = index + 1
            }
            output.append(contentsOf: bytes[start...])
        }
    }

    /// `text` escaped.
    static func escaped(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        escape(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The name of this escaping for Mustache's `CONTENT_TYPE` pragma, which `PageRenderer`
    /// puts at the top of every template so that every `{{value}}` goes through it.
    static let contentTypeName = "ENTRA_HTML"

    /// Registers the content type with Mustache (once per process; registering again is harmless).
    static func registerWithMustache() {
        MustacheContentTypes.register(ContentType(), named: contentTypeName)
    }

    /// Mustache's view of it.
    private struct ContentType: MustacheContentType {
        /// `text` escaped by `HTMLText`.
        func escapeText(_ text: String) -> String { HTMLText.escaped(text) }
    }
}
