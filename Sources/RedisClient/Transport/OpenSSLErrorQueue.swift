import CLibSSL

/// OpenSSL reports failures on a per-thread queue; this turns it into one line and leaves
/// it empty, so a stale entry cannot be blamed for a later failure.
enum OpenSSLErrorQueue {
    /// The queued reasons, oldest first, or `fallback` when the queue is empty.
    static func drain(fallback: String) -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }

    /// Empties the queue before an operation whose failure will be read from it.
    static func clear() {
        ERR_clear_error()
    }
}
