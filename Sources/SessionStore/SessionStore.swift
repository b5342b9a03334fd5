// The interface the routes talk to, so another backend (Redis) can replace the file store
// without touching them. Every backend passes the same conformance suite
// (Tests/SessionStoreTests/Conformance).
//
// How the app uses it (`secure`: the request came over https, directly or via a trusted proxy):
//
// ```swift
// let store = try FileSessionStore(directory: config.sessionDirectory)   // ./.sessions
// let sweeper = SessionSweeper(store: store); sweeper.start()
// let cookie = SessionCookie(secure: secure, policy: store.policy)
//
// // Every request: the cookie value is checked before the store touches any storage.
// let handle = request.headers["Cookie"].flatMap(cookie.sessionHandle(fromCookieHeader:))
// let session = try handle.flatMap(store.load)            // nil: not signed in
// // Register such routes with `mayBlock: store.readsMayBlock`.
//
// // Callback (sign-ins in progress live in the browser, not here): a new session, or a
// // fresh handle for the browser's existing one (fixation), carrying only what is needed.
// let signedIn = try existing.flatMap { try store.rotate($0.handle) { _, new in new.claims = claims } }
//     ?? store.create { $0.claims = claims; $0.tokenCache = serializedCache }
// response.headers.add("Set-Cookie", cookie.setCookie(for: signedIn, now: Date()))
//
// // Token refresh: one refresher per session across every instance; waiters re-read.
// try store.withRefreshLock(handle, timeout: .seconds(30)) {
//     guard let fresh = try store.load(handle) else { return }      // signed out meanwhile
//     if needsRefresh(fresh) { _ = try store.update(handle) { $0.tokenCache = refreshed(fresh) } }
// }
//
// // A callback URL that must work once, on whichever instance it lands.
// guard try store.claimOnce("callback:" + state, ttl: .seconds(600)) else { return replayed }
//
// // Sign-out.
// try store.delete(handle); response.headers.add("Set-Cookie", cookie.expiredCookie())
//
// // SessionStoreError.tooLarge -> 500; any other SessionStoreError -> 503 page.
// ```
import CryptoSupport
import FoundationEssentials

/// A server-side session store.
///
/// **Handles.** Every method takes the `SessionHandle` from the cookie. The store keeps a
/// session under the handle's storage key, sealed with a key derived from the handle's secret
/// (`SessionRecord`); a handle with the right id but another secret finds no session and
/// changes nothing.
///
/// **Writes.** Every write is a compare-and-set on `Session.version`: it lands only if the
/// stored version is still the one it was computed from, and then stores `version + 1`. So a
/// write computed from an older copy (a slow request, a late background touch) can neither
/// bring back a deleted session nor overwrite a newer one. See `update` for what a conflict
/// does.
///
/// **Expiry.** Sessions end `policy.idleTimeout` after their last use and
/// `policy.absoluteLifetime` after creation, whichever comes first, judged by the store's
/// injected clock. Reads refresh the idle timer at most every `policy.touchInterval`.
///
/// **Blocking.** `load` blocks only when `readsMayBlock` is true; the app runs routes that
/// read sessions on its worker pool exactly then. Every other method may block (locks held
/// across I/O, fsync, network round trips): call them from worker threads only.
///
/// **Errors.** Storage failures surface as `SessionStoreError.unavailable` (503 page).
/// Errors thrown by a caller's closure are passed through unchanged and nothing is written.
public protocol SessionStore: Sendable {
    /// The expiry rules this store applies.
    var policy: SessionPolicy { get }

    /// True when `load` may wait for I/O that can stall (a network round trip). False for
    /// the file store, whose reads take no lock and hand writes to a background worker.
    var readsMayBlock: Bool { get }

    /// The live session for `handle`, or nil when it is unknown, expired, signed out, sealed
    /// by another secret, or its stored form is unreadable. When the sliding-expiry touch is
    /// due, a store whose reads do not block (`readsMayBlock` false) records it in the
    /// background (or drops it when its queue is full; the session may then expire up to
    /// `policy.touchInterval` sooner); a store whose reads block anyway may record it on the
    /// caller's (worker) thread.
    func load(_ handle: SessionHandle) throws -> Session?

    /// Creates and stores a session with a fresh random handle.
    func create(_ configure: (inout Session) throws -> Void) throws -> Session

    /// Read-modify-write of one session. `body` runs on the current stored copy; the result
    /// is written (compare-and-set on the version) only when `body` changed something or a
    /// touch is due. Returns the stored session, or nil when there is no live session for
    /// `handle` (then nothing is written: a deleted session stays deleted).
    ///
    /// On a conflict (another writer committed between the read and the write) `body` runs
    /// again on the fresh copy, at most `SessionStores.maximumUpdateAttempts` times in all,
    /// then `SessionStoreError.contended` is thrown. So `body` must only compute the new
    /// session from the one it is given: no side effects it would not want repeated.
    /// Backends that serialize writers of a session (the file store holds its lock) run it
    /// exactly once. Keep `body` short: no network calls inside.
    func update(_ handle: SessionHandle, _ body: (inout Session) throws -> Void) throws -> Session?

    /// Replaces the session with a new one under a fresh handle (defence against session
    /// fixation, used at sign-in). `carry` copies from the old session what the new one
    /// needs; nothing else is copied. Returns nil, creating nothing, when there is no live
    /// session for `handle`. After it returns the old handle finds no session; when it throws,
    /// the old session is still there and the new one is not, so a failure never loses both.
    func rotate(_ handle: SessionHandle, carrying carry: (_ old: Session, _ new: inout Session) throws -> Void) throws -> Session?

    /// Deletes the session (sign-out, on every instance at once). Deleting an unknown session
    /// does nothing.
    func delete(_ handle: SessionHandle) throws

    /// Runs `body` while holding the session's token-refresh lock, which excludes every other
    /// holder for the same session in this and every other instance sharing the store. The
    /// lock is separate from the write path: loads and updates go on while it is held (the
    /// holder is making a network call). Waits at most `timeout` for it, then throws
    /// `SessionStoreError.lockTimedOut` without running `body`. A holder that dies loses it
    /// (file store: the kernel drops the `flock`; network store: a short expiry, renewed
    /// while `body` runs, released only by its holder).
    ///
    /// Callers re-read the session inside `body` before refreshing: whoever waited finds the
    /// tokens the previous holder stored, so a rotating refresh token is redeemed once.
    func withRefreshLock<T>(_ handle: SessionHandle, timeout: Duration, _ body: () throws -> T) throws -> T

    /// True exactly once per `key` while the claim lives (at least `ttl`), across every
    /// instance sharing the store: for single-use values (a sign-in callback's state). The
    /// store keeps only a hash of `key`. After `ttl` the key may be claimed again.
    func claimOnce(_ key: String, ttl: Duration) throws -> Bool

    /// Removes expired sessions, claims and leftovers (temporary files from crashes, stale
    /// lock files, sessions of earlier formats). Meant for a background sweeper, never for the
    /// request path; a backend whose entries expire by themselves does little here.
    @discardableResult
    func sweepExpired() throws -> SweepReport

    /// Throws `SessionStoreError.unavailable` unless the storage can be used right now (the
    /// session directory exists and is writable; the store server answers): for readiness
    /// probes. May block: call it from a worker thread.
    func checkReadiness() throws

    /// Waits until writes handed to a background worker (sliding-expiry touches) are done:
    /// at shutdown, so a stopping server loses none. Stores that write in the caller's
    /// thread have nothing to wait for.
    func finishBackgroundWrites()
}

extension SessionStore {
    /// Nothing is written in the background.
    public func finishBackgroundWrites() {}

    /// Creates an empty session.
    public func create() throws -> Session {
        try create { _ in }
    }
}

/// Constants every backend shares.
public enum SessionStores {
    /// How often `update` runs its body before giving up on a contended session. Eight gave
    /// up now and then when eight writers raced for one session through Redis over TLS on a
    /// busy machine (two instances, `concurrentUpdatesFromTwoInstancesLoseNothing`); with the
    /// Redis store's growing pauses (2 ms doubling up to 32 ms, random below that) sixteen
    /// tries pause for 0.4 s at most before the request is told the session is contended.
    public static let maximumUpdateAttempts = 16

    /// What a single-use claim is stored under (hex SHA-256 of a fixed label and the key),
    /// the same in every backend: stores keep this, never the claimed value itself.
    package static func claimDigest(_ key: String) -> String {
        Digest.hex(Digest.sha256("entra-web claim\u{0}" + key))
    }
}

/// What one sweep did, for the log.
public struct SweepReport: Sendable, Equatable {
    /// Entries looked at.
    public var scanned = 0
    /// Expired sessions removed.
    public var expiredRemoved = 0
    /// Temporary files left by interrupted writes removed.
    public var temporaryRemoved = 0
    /// Lock files (session and refresh locks) without a session removed.
    public var locksRemoved = 0
    /// Old quarantined (corrupt) files removed.
    public var corruptRemoved = 0
    /// Sessions in the unsealed format of earlier versions removed (nobody can use them).
    public var legacyRemoved = 0
    /// Expired single-use claims removed.
    public var claimsRemoved = 0
    /// Entries skipped because a request held their lock; they are retried next sweep.
    public var skippedBusy = 0

    public init() {}
}
