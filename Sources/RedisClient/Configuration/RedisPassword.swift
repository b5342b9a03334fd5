import CryptoSupport

/// A Redis password, kept out of every description: printing it, interpolating it, dumping
/// it or reflecting on it shows that a password is set, never the password.
public struct RedisPassword: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password itself, for the AUTH command only.
    let value: String

    /// Wraps `value`.
    public init(_ value: String) {
        self.value = value
    }

    /// Constant-time, so comparing a configured password leaks nothing of it.
    public static func == (a: RedisPassword, b: RedisPassword) -> Bool {
        ConstantTime.equals(a.value, b.value)
    }

    /// `<redacted>`.
    public var description: String { "<redacted>" }

    /// `<redacted>`.
    public var debugDescription: String { description }

    /// No children: `dump` and debuggers see the redaction only.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
