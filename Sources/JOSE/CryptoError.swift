import COpenSSL

/// Errors from OpenSSL key and certificate handling, carrying OpenSSL's own reason text
/// (which never contains key material).
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    public var description: String { "\(operation) failed: \(detail)" }

    /// Builds an error from the thread's OpenSSL error queue, and empties the queue so a
    /// later failure does not report this one's reason.
    static func fromOpenSSL(_ operation: String) -> CryptoError {
        var detail = "unknown OpenSSL error"
        var first = true
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                detail = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                first = false
            }
        }
        return CryptoError(operation: operation, detail: detail)
    }
}
