// The errors the store reports: storage that cannot be used right now, and a session too
// large to store.
import FoundationEssentials

/// Storage failures. The app turns `unavailable` into a 503 page; no existing session is
/// damaged when it is thrown.
public enum SessionStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The session storage cannot be read or written (disk full, read-only file system,
    /// missing or inaccessible directory, I/O error). `reason` is safe to log: it never
    /// contains a session id.
    case unavailable(reason: String)
    /// The app put more into a session than `SessionPolicy.maxFileSize` allows (a bug, or a
    /// client making the app pile up pending sign-ins); nothing was written. A 500, not a 503.
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .unavailable(let reason): "session storage unavailable: \(reason)"
        case .tooLarge(let bytes, let limit): "session too large to store: \(bytes) bytes, limit \(limit)"
        }
    }
}
