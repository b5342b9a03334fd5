import InMemoryLogging
import Logging

/// Every line a test's logger writes, from trace up, kept by swift-log's own
/// `InMemoryLogHandler`, with what the tests ask of a log on top: whether it mentions
/// something (once, at the right level) and, above all, that it never does (tokens, codes,
/// session ids).
public final class LogCapture: Sendable {
    /// Keeps the entries; its copies (one per logger) share them.
    private let handler = InMemoryLogHandler()

    /// A capture with nothing in it yet.
    public init() {}

    /// A logger whose every line, from trace up, lands here.
    public var logger: Logger {
        var logger = Logger(label: "test") { [handler] _ in handler }
        logger.logLevel = .trace
        return logger
    }

    /// What was logged, in order.
    public var entries: [InMemoryLogHandler.Entry] { handler.entries }

    /// Every entry as `level message key=value ...`.
    public var lines: [String] { entries.map(\.line) }

    /// The whole log as one string.
    public var text: String { lines.joined(separator: "\n") }

    /// How many entries (at `level`, or at any) mention `text` in their message or metadata.
    public func count(containing text: String, level: Logger.Level? = nil) -> Int {
        entries.filter { ($0.level == level || level == nil) && $0.text.contains(text) }.count
    }
}

extension InMemoryLogHandler.Entry {
    /// Message and metadata (sorted by key) as one string, for "does the log mention X".
    public var text: String {
        ([message.description] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
    }

    /// `level message key=value ...`
    public var line: String { "\(level) \(text)" }
}
