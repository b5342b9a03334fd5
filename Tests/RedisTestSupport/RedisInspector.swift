import Foundation
import RedisClient

/// Looks at everything a test's Redis holds, the way an operator with a copy of the
/// database would: every key name and every value (`DUMP`, which serializes any type), found
/// with `SCAN`, never with the app's own key layout.
public struct RedisInspector: Sendable {
    /// A client on the server's plain port.
    private let client: RedisClient

    /// An inspector for `server` (its plain port, `password` if it needs one).
    public init(server: RedisServer, password: String? = nil) throws {
        client = try RedisClient(configuration: server.configuration(password: password))
    }

    /// Every key matching the glob `pattern` (`*` for all).
    public func keys(matching pattern: String = "*") throws -> [String] {
        var cursor = "0"
        var found: [String] = []
        repeat {
            let reply = try client.execute(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)).array() ?? []
            guard reply.count == 2 else { throw RedisHarnessError("SCAN answered with \(reply.count) elements") }
            cursor = try reply[0].string() ?? "0"
            found += try (reply[1].array() ?? []).compactMap { try $0.string() }
        } while cursor != "0"
        return found.sorted()
    }

    /// The names and serialized values of every key matching `pattern`, one after another:
    /// what a scan for secrets in clear looks through.
    public func dump(matching pattern: String = "*") throws -> [UInt8] {
        try keys(matching: pattern).flatMap { key in
            Array(key.utf8) + ((try client.execute(RedisCommand("DUMP", key)).bytes()) ?? [])
        }
    }

    /// The value of a string key.
    public func value(_ key: String) throws -> [UInt8]? {
        try client.get(key)
    }

    /// The key's time to live in milliseconds (-1: none, -2: no such key).
    public func timeToLive(_ key: String) throws -> Int64 {
        try client.execute(RedisCommand("PTTL", key)).integer()
    }

    /// Runs any command (planting values, renaming keys).
    @discardableResult
    public func execute(_ command: RedisCommand) throws -> RESPValue {
        try client.execute(command)
    }

    /// Deletes every key matching `pattern`.
    public func delete(matching pattern: String) throws {
        try client.delete(keys(matching: pattern))
    }
}
