import CryptoSupport

/// A Lua script and its SHA-1, which Redis uses to name cached scripts (EVALSHA).
public struct RedisScript: Sendable, Equatable {
    /// The Lua source.
    public let source: String
    /// Lowercase hex SHA-1 of the source, as SCRIPT LOAD would return it.
    public let sha1: String

    /// A script with `source`.
    public init(_ source: String) {
        self.source = source
        sha1 = Digest.hex(Digest.sha1(Array(source.utf8)))
    }
}
