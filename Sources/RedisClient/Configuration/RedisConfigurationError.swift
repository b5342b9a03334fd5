/// A Redis setting that makes no sense, with the setting's key, so that start-up can stop
/// with one line naming it (the same shape as the app's `ConfigurationError`). The reason
/// never repeats the URL, which may hold a password.
public struct RedisConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting at fault: the URL's key (`SESSION_STORE`), `REDIS_PASSWORD` or `REDIS_CA_FILE`.
    public let key: String
    /// What is wrong, phrased to follow the key.
    public let reason: String

    /// An error for `key`.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `SESSION_STORE is not a Redis URL: the port must be 1 to 65535`.
    public var description: String { "\(key) \(reason)" }
}
