/// A start-up configuration problem, naming the setting so the operator knows what to fix.
/// Every layer's complaint about a value (the OIDC client's `SettingError`, the session
/// store's, the templates') reaches the operator in this one shape: `KEY reason`, one line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key) \(reason)" }
}
