/// Why the parser refused a reply: the bytes are not RESP2, or they exceed a limit. Once
/// refused, the stream can no longer be trusted (the next reply's start is unknown), so the
/// connection it came from must be closed.
public struct RESPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short reason naming the rule or limit, never the reply's content.
    public let reason: String

    /// An error with `reason`.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}
