/// A value that can be a command argument: Redis arguments are byte strings.
public protocol RESPArgument: Sendable {
    /// The argument's bytes as sent.
    var respBytes: [UInt8] { get }
}

extension String: RESPArgument {
    /// The UTF-8 bytes.
    public var respBytes: [UInt8] { Array(utf8) }
}

extension Substring: RESPArgument {
    /// The UTF-8 bytes.
    public var respBytes: [UInt8] { Array(utf8) }
}

extension Array: RESPArgument where Element == UInt8 {
    /// The bytes themselves.
    public var respBytes: [UInt8] { self }
}

extension Int: RESPArgument {
    /// The decimal digits, as Redis expects numbers.
    public var respBytes: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RESPArgument {
    /// The decimal digits, as Redis expects numbers.
    public var respBytes: [UInt8] { Array(String(self).utf8) }
}

/// One command: its name and arguments, each sent as a bulk string.
///
/// Its description names the command and counts the arguments, never shows them: they may
/// be a password (AUTH) or session data. Debug output and reflection show no more.
public struct RedisCommand: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The name followed by the arguments, as sent.
    public let parts: [[UInt8]]

    /// `RedisCommand("SET", key, value, "NX", "PX", 30_000)`.
    public init(_ name: String, _ arguments: any RESPArgument...) {
        self.init(name, arguments: arguments)
    }

    /// A command whose arguments are built at run time.
    public init(_ name: String, arguments: [any RESPArgument]) {
        parts = [Array(name.utf8)] + arguments.map(\.respBytes)
    }

    /// The command's name in upper case, for errors and logs.
    public var name: String { String(decoding: parts[0], as: UTF8.self).uppercased() }

    /// `SET (4 arguments)`.
    public var description: String { "\(name) (\(parts.count - 1) arguments)" }

    /// The same as `description`.
    public var debugDescription: String { description }

    /// No children: `dump` and debuggers see the description only.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Appends the command in RESP2 wire form (an array of bulk strings) to `out`.
    public func append(to out: inout [UInt8]) {
        out += Array("*\(parts.count)\r\n".utf8)
        for part in parts {
            out += Array("$\(part.count)\r\n".utf8)
            out += part
            out += [13, 10]
        }
    }
}
