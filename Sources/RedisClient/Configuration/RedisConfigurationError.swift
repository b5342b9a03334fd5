/// A Redis setting that makes no sense: which of the settings is at fault and why. It names
/// no configuration key: the app knows where each value came from (SESSION_STORE,
/// REDIS_PASSWORD, REDIS_CA_FILE) and names that key in its start-up error. The reason never
/// repeats the URL, which may hold a password.
public struct RedisConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The settings a Redis client is made from.
    public enum Setting: Sendable, Equatable, CustomStringConvertible {
        /// The `redis://` or `rediss://` URL.
        case url
        /// The password given besides the URL.
        case password
        /// The PEM file of CA certificates to trust for TLS.
        case caFile

        /// How messages of the library itself name the setting.
        public var description: String {
            switch self {
            case .url: "the Redis URL"
            case .password: "the Redis password"
            case .caFile: "the Redis CA file"
            }
        }
    }

    /// The setting at fault.
    public let setting: Setting
    /// What is wrong, phrased to follow the setting's name (or the key the app reads it from).
    public let reason: String

    /// An error about `setting`.
    public init(_ setting: Setting, _ reason: String) {
        self.setting = setting
        self.reason = reason
    }

    /// `the Redis URL is not a valid Redis URL: it has no host`.
    public var description: String { "\(setting) \(reason)" }
}
