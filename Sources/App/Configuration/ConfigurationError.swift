/// A start-up configuration problem, naming the setting so the operator knows what to fix.
/// Every layer's complaint about a value (the OIDC client's `SettingError`, the session
/// store's, the templates') reaches the operator in this one shape: `KEY reason`, one line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting, as written in `.env` (`AUTHORITY`, `TEMPLATES_DIR`, `.env` itself).
    public let key: String
    /// What is wrong with it, in words that read after the key.
    public let reason: String

    /// An error about `key`.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `KEY reason`: the one line start-up prints.
    public var description: String { "\(key) \(reason)" }
}
