/// How much of a reply the parser accepts before it gives up, so a hostile or broken server
/// (or a man in the middle on a plain connection) cannot make the client allocate without
/// bound or recurse without end.
public struct RESPLimits: Sendable, Equatable {
    /// The longest bulk string, in bytes.
    public var maxBulkBytes: Int
    /// The most elements one array may declare.
    public var maxArrayCount: Int
    /// How deeply arrays may nest (1 = an array of scalars).
    public var maxDepth: Int
    /// The longest simple string, error or integer line, in bytes, without its CRLF.
    public var maxLineBytes: Int
    /// The largest whole reply: its string bytes plus `valueOverhead` per value. This bounds
    /// the memory one reply takes, however it is shaped (a million empty strings cost more
    /// than their three bytes on the wire).
    public var maxReplyBytes: Int

    /// What one value costs against `maxReplyBytes` besides its string bytes: about the size
    /// of a `RESPValue` in an array.
    public static let valueOverhead = 32

    /// Defaults sized for a session store, whose values are kilobytes: 16 MiB strings, a
    /// million-element arrays, 16 levels, 64 KiB lines, 64 MiB replies.
    public init(
        maxBulkBytes: Int = 16 << 20, maxArrayCount: Int = 1 << 20, maxDepth: Int = 16,
        maxLineBytes: Int = 64 << 10, maxReplyBytes: Int = 64 << 20
    ) {
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
        self.maxLineBytes = maxLineBytes
        self.maxReplyBytes = maxReplyBytes
    }
}
