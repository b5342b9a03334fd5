// The errors the store reports: storage that cannot be used right now, a session too large
// to store, writers that keep colliding, and a lock that was not free in time.
import FoundationEssentials

/// Storage failures. The app turns every case into an error page (503, except `tooLarge`,
/// a 500); no existing session is damaged when one is thrown.
public enum SessionStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The session storage cannot be read or written (disk full, read-only file system,
    /// missing or inaccessible directory, I/O error, a store server that does not answer).
    /// `reason` is safe to log: it never contains a session id or secret.
    case unavailable(reason: String)
    /// The app put more into a session than `SessionPolicy.maxFileSize` allows (a bug, or a
    /// client making the app pile up pending sign-ins); nothing was written. A 500, not a 503.
    case tooLarge(bytes: Int, limit: Int)
    /// `update` lost the compare-and-set to other writers of the same session this many
    /// times in a row and gave up; nothing was written. Only backends that do not serialize
    /// writers (a network store) throw it.
    case contended(attempts: Int)
    /// A lock (the token-refresh lock) stayed held by someone else for longer than the
    /// caller was willing to wait; the caller's work did not run.
    case lockTimedOut(waited: Duration)

    /// One line for the log; never a handle.
    public var description: String {
        switch self {
        case .unavailable(let reason): "session storage unavailable: \(reason)"
        case .tooLarge(let bytes, let limit): "session too large to store: \(bytes) bytes, limit \(limit)"
        case .contended(let attempts): "session update gave up after \(attempts) conflicting writes"
        case .lockTimedOut(let waited): "session lock still held by another request after \(waited)"
        }
    }
}
