/// The one error the store reports: storage that cannot be used right now.
import Foundation

/// Storage failures. The app turns `unavailable` into a 503 page; no existing session is
/// damaged when it is thrown.
public enum SessionStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The session storage cannot be read or written (disk full, read-only file system,
    /// missing or inaccessible directory, I/O error). `reason` is safe to log: it never
    /// contains a session id.
    case unavailable(reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "session storage unavailable: \(reason)"
        }
    }
}
