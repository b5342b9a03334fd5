/// A value guarded by a lock, for the few pieces of state shared across worker threads
/// (provider metadata, in-flight refreshes). NSLock rather than Mutex so the package
/// still builds for macOS 14.
import Foundation

final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
