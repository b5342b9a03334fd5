// The interface the routes talk to, so another backend (a database, Redis) can replace the
// file store without touching them.
//
// How the app uses it (`secure`: the request came over https, directly or via a trusted proxy):
//
// ```swift
// let store = try FileSessionStore(directory: config.sessionDirectory)   // ./.sessions
// let sweeper = SessionSweeper(store: store); sweeper.start()
// let cookie = SessionCookie(secure: secure, policy: store.policy)
//
// // Every request: the cookie value is checked before the store touches the disk.
// let id = request.headers["Cookie"].flatMap(cookie.sessionID(fromCookieHeader:))
// let session = try id.flatMap(store.load)                 // nil: not signed in
//
// // Starting sign-in: keep the OIDC flow in a (possibly new) anonymous session.
// let pre = try store.create { $0.pendingFlows[state] = flowJSON }
// response.headers.add("Set-Cookie", cookie.setCookie(for: pre, now: Date()))
//
// // Callback: a fresh id for the signed-in session (fixation), carrying only what is needed.
// let signedIn = try store.rotate(pre.id) { old, new in
//     new.claims = claims; new.idToken = rawIDToken; new.tokenCache = cacheJSON
//     new.attributes["returnTo"] = old.attributes["returnTo"]
// }
//
// // Token refresh: a locked read-modify-write.
// _ = try store.update(id) { $0.tokenCache = newCacheJSON }
//
// // Sign-out.
// try store.delete(id); response.headers.add("Set-Cookie", cookie.expiredCookie())
//
// // SessionStoreError.unavailable -> 503 page; .tooLarge -> 500.
// ```
import FoundationEssentials

/// A server-side session store.
///
/// Every method takes the raw cookie value as `id`; a value that is not a well-formed id is
/// treated as "no session" without touching the backing storage. Methods block on I/O and,
/// for `update`, `rotate` and `delete`, on the per-session lock: call them from request
/// threads, never from an event loop that must not block.
///
/// Errors: storage failures (disk full, read-only or missing directory) surface as
/// `SessionStoreError.unavailable`, which the app renders as a 503 page. Errors thrown by a
/// caller's closure are passed through unchanged and nothing is written.
public protocol SessionStore: Sendable {
    /// The expiry rules this store applies.
    var policy: SessionPolicy { get }

    /// The live session for `id`, or nil when the id is malformed, unknown, expired or its
    /// stored form is unreadable. Does no disk write, except the batched sliding-expiry touch.
    func load(_ id: String) throws -> Session?

    /// Creates and stores a session with a fresh random id.
    func create(_ configure: (inout Session) throws -> Void) throws -> Session

    /// Read-modify-write of one session, serialized against every other writer of the same
    /// session. Writes only when `body` changed something (or a touch is due). Returns the
    /// stored session, or nil when there is no live session for `id` (`body` is not called).
    /// Keep `body` short: the session stays locked while it runs.
    func update(_ id: String, _ body: (inout Session) throws -> Void) throws -> Session?

    /// Replaces the session with a new one under a fresh id (defence against session
    /// fixation, used at sign-in). `carry` copies from the old session what the new one needs;
    /// nothing else is copied. The old session is deleted. Returns nil, creating nothing, when
    /// there is no live session for `id`.
    func rotate(_ id: String, carrying carry: (_ old: Session, _ new: inout Session) throws -> Void) throws -> Session?

    /// Deletes the session (sign-out). Deleting an unknown or malformed id does nothing.
    func delete(_ id: String) throws

    /// Removes expired sessions and leftovers (temporary files from crashes, stale lock files).
    /// Meant for a background sweeper, never for the request path.
    @discardableResult
    func sweepExpired() throws -> SweepReport
}

extension SessionStore {
    /// Creates an empty session.
    public func create() throws -> Session {
        try create { _ in }
    }
}

/// What one sweep did, for the log.
public struct SweepReport: Sendable, Equatable {
    /// Directory entries looked at.
    public var scanned = 0
    /// Expired sessions removed.
    public var expiredRemoved = 0
    /// Temporary files left by interrupted writes removed.
    public var temporaryRemoved = 0
    /// Lock files without a session removed.
    public var locksRemoved = 0
    /// Old quarantined (corrupt) files removed.
    public var corruptRemoved = 0
    /// Sessions skipped because a request held their lock; they are retried next sweep.
    public var skippedBusy = 0

    public init() {}
}
