/// A configuration problem that stops start-up, with a one-line message naming the key.

public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let key: String
    public let message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "Configuration error: \(key) \(message)" }
}
