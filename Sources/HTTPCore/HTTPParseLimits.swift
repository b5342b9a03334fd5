/// Size limits the request parser enforces while bytes arrive.
public struct HTTPParseLimits: Sendable, Equatable {
    /// Longest request line (method, target, version) in bytes; beyond it: 414.
    public var maxRequestLine: Int
    /// Largest header block (after the request line) in bytes; beyond it: 431.
    public var maxHeaderBytes: Int
    /// Most header fields; beyond it: 431.
    public var maxHeaderCount: Int
    /// Largest request body, by Content-Length or after chunked decoding; beyond it: 413.
    public var maxBodyBytes: Int

    public init(
        maxRequestLine: Int = 8 * 1024, maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100, maxBodyBytes: Int = 1024 * 1024
    ) {
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
