/// One RESP2 reply from Redis, as the parser builds it.
///
/// RESP2 has two spellings of "nothing" (`$-1`, the null bulk string, and `*-1`, the null
/// array); Redis uses them interchangeably for "no such value", so both become `.null`.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`: a short status text.
    case simpleString(String)
    /// `-ERR ...`: an error reply, kept as text ("WRONGTYPE ...", "NOSCRIPT ...").
    case error(String)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `$3\r\nabc`: binary-safe bytes.
    case bulkString([UInt8])
    /// `*2\r\n...`: an ordered list of replies, which may nest.
    case array([RESPValue])
    /// `$-1` or `*-1`: no value.
    case null
}

extension RESPValue {
    /// The bytes of a bulk or simple string; nil for null. Anything else is a protocol error:
    /// the command's reply type is part of its contract.
    public func bytes() throws(RedisError) -> [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        case .null: return nil
        default: throw unexpected("a string")
        }
    }

    /// A bulk or simple string as UTF-8 text (invalid bytes become U+FFFD); nil for null.
    public func string() throws(RedisError) -> String? {
        try bytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// An integer reply.
    public func integer() throws(RedisError) -> Int64 {
        guard case .integer(let value) = self else { throw unexpected("an integer") }
        return value
    }

    /// The elements of an array reply; nil for null.
    public func array() throws(RedisError) -> [RESPValue]? {
        switch self {
        case .array(let elements): return elements
        case .null: return nil
        default: throw unexpected("an array")
        }
    }

    /// A short name of the reply's type for error messages; never its content, which may be
    /// a secret or sealed session data.
    public var typeName: String {
        switch self {
        case .simpleString: return "simple string"
        case .error: return "error"
        case .integer: return "integer"
        case .bulkString: return "bulk string"
        case .array: return "array"
        case .null: return "null"
        }
    }

    /// The error for a reply of another type than the command promises.
    private func unexpected(_ expected: String) -> RedisError {
        .protocolError("expected \(expected) in the reply, got \(typeName)")
    }
}
