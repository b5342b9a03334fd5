import Logging
import Synchronization

/// A swift-log handler that keeps every line, so tests can check what was logged (once,
/// at the right level) and, above all, what never was (tokens, codes, session ids).
public final class LogCapture: Sendable {
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// Message and metadata as one string, for "does the log mention X" checks.
        public var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }

        /// `level message key=value ...`
        public var line: String { "\(level) \(text)" }
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    /// A logger whose every line (from trace up) lands here.
    public var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    public var entries: [Entry] { storage.withLock { $0 } }

    /// Every entry as `level message key=value ...`.
    public var lines: [String] { entries.map(\.line) }

    /// The whole log as one string.
    public var text: String { lines.joined(separator: "\n") }

    public func count(containing text: String, level: Logger.Level? = nil) -> Int {
        entries.filter { ($0.level == level || level == nil) && $0.text.contains(text) }.count
    }

    fileprivate func append(_ entry: Entry) {
        storage.withLock { $0.append(entry) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
