import ThreadSupport

/// A connected, bidirectional byte stream to Redis: plain TCP or TLS over TCP. Used by one
/// thread at a time; every call is bounded by a deadline.
protocol ByteStream: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: ArraySlice<UInt8>, deadline: Deadline) throws(TransportError)
    /// Reads at least one byte into the start of `buffer`; returns how many.
    func read(into buffer: inout [UInt8], deadline: Deadline) throws(TransportError) -> Int
    /// True when the stream, between commands, has nothing to say: no end of stream and no
    /// unexpected bytes. A connection the server closed while it sat in the pool (a Redis
    /// restart, its idle timeout) fails this check and is dropped before it is used.
    func isQuietWhileIdle() -> Bool
    /// Closes the stream; further calls fail.
    func close()
}
