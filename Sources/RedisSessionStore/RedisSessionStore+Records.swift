// Reading and writing sealed records: GET and open, SET NX for new sessions, the
// compare-and-set and compare-and-delete scripts, and Redis failures turned into
// `SessionStoreError.unavailable`.
import FoundationEssentials
import Glibc
import Logging
import RedisClient
import SessionStore

extension RedisSessionStore {
    /// What a compare-and-set or compare-and-delete did.
    enum Outcome {
        /// Written (or deleted).
        case done
        /// Another version is stored: someone else wrote first.
        case conflict
        /// Nothing is stored: deleted, rotated away or expired.
        case missing
    }

    /// The stored bytes for `handle`, nil when there are none.
    func fetch(_ handle: SessionHandle) throws(SessionStoreError) -> [UInt8]? {
        let name = keys.session(handle.storageKey)
        return try call("reading a session") { (redis) throws(RedisError) in try redis.get(name) }
    }

    /// The session `keys.handle` opens, nil when there is none for it: missing, sealed by
    /// another secret, of an earlier format, too large or corrupt (logged; left to its TTL).
    /// Bytes this process decoded last time with the same secret are not decoded again.
    func read(_ keys: HandleKeys) throws(SessionStoreError) -> Session? {
        let handle = keys.handle
        guard let bytes = try fetch(handle) else {
            decodedSessions.forget(handle.storageKey)
            return nil
        }
        let stamp = RecordStamp(bytes)
        if let cached = decodedSessions.session(named: handle.storageKey, status: stamp, fingerprint: keys.fingerprint) {
            return cached
        }
        guard bytes.count <= policy.maxFileSize else {
            logCorrupt(handle, reason: "larger than \(policy.maxFileSize) bytes")
            return nil
        }
        switch SessionRecord.open(bytes, handle: handle, key: keys.sealing) {
        case .session(let session):
            decodedSessions.remember(session, status: stamp, fingerprint: keys.fingerprint, named: handle.storageKey)
            return session
        case .unauthenticated, .legacy: return nil
        case .corrupt(let reason):
            logCorrupt(handle, reason: reason)
            return nil
        }
    }

    /// Stores a new session (its handle was just made, so nobody else can write it).
    func insert(_ session: Session, keys: HandleKeys, now: Date) throws(SessionStoreError) {
        let bytes = try seal(session, key: keys.sealing)
        let name = self.keys.session(session.handle.storageKey)
        let ttl = timeToLive(session, now: now)
        let stored = try call("storing a new session") { (redis) throws(RedisError) in
            try redis.set(name, bytes, condition: .ifNotExists, expireAfter: ttl)
        }
        // 256 random bits collided, or the random source is broken: never overwrite.
        guard stored else { throw SessionStoreError.unavailable(reason: "a new session's key is already taken") }
        decodedSessions.remember(session, status: RecordStamp(bytes), fingerprint: keys.fingerprint, named: session.handle.storageKey)
    }

    /// Writes `new` in place of `stored` if Redis still holds `stored`'s version.
    func replace(_ stored: Session, with new: Session, keys: HandleKeys, now: Date) throws(SessionStoreError) -> Outcome {
        let bytes = try seal(new, key: keys.sealing)
        let name = self.keys.session(stored.handle.storageKey)
        let arguments: [any RESPArgument] = [Self.versionBytes(stored.version), bytes, Self.milliseconds(timeToLive(new, now: now))]
        let reply = try call("writing a session") { (redis) throws(RedisError) in
            try redis.evaluate(RedisSessionScripts.compareAndSet, keys: [name], arguments: arguments)
        }
        let result = try outcome(reply, of: "writing a session")
        if case .done = result {
            decodedSessions.remember(new, status: RecordStamp(bytes), fingerprint: keys.fingerprint, named: stored.handle.storageKey)
        } else {
            decodedSessions.forget(stored.handle.storageKey)
        }
        return result
    }

    /// Deletes `stored` if Redis still holds its version (the old session of a rotation).
    func retire(_ stored: Session) throws(SessionStoreError) -> Outcome {
        decodedSessions.forget(stored.handle.storageKey)
        let name = keys.session(stored.handle.storageKey)
        let reply = try call("deleting the old session of a rotation") { (redis) throws(RedisError) in
            try redis.evaluate(RedisSessionScripts.compareAndDelete, keys: [name], arguments: [Self.versionBytes(stored.version)])
        }
        return try outcome(reply, of: "deleting the old session of a rotation")
    }

    /// Deletes whatever is stored for `handle`.
    func remove(_ handle: SessionHandle) throws(SessionStoreError) {
        decodedSessions.forget(handle.storageKey)
        let name = keys.session(handle.storageKey)
        try call("deleting a session") { (redis) throws(RedisError) in _ = try redis.delete([name]) }
    }

    /// The sliding-expiry touch, on the thread that read the session: re-sealed with
    /// `lastSeen = now` (the time is authenticated, so only the holder of the key can move
    /// it) and written compare-and-set. Returns the touched session, or `session` as read
    /// when another write landed first (which recorded the activity itself) or the session
    /// is gone. A Redis failure is thrown: the request could not go on anyway.
    func touch(_ session: Session, keys: HandleKeys, now: Date) throws(SessionStoreError) -> Session {
        let touched = session.nextWrite(at: now)
        switch try replace(session, with: touched, keys: keys, now: now) {
        case .done: return touched
        case .conflict, .missing: return session
        }
    }

    /// The record for `session`, refused when it exceeds the policy's size limit.
    func seal(_ session: Session, key: [UInt8]) throws(SessionStoreError) -> [UInt8] {
        let bytes = SessionRecord.seal(session, key: key, random: random)
        guard bytes.count <= policy.maxFileSize else {
            logger.error("session too large to store", metadata: ["bytes": "\(bytes.count)", "limit": "\(policy.maxFileSize)"])
            throw .tooLarge(bytes: bytes.count, limit: policy.maxFileSize)
        }
        return bytes
    }

    /// What the store's scripts answered.
    private func outcome(_ reply: RESPValue, of purpose: String) throws(SessionStoreError) -> Outcome {
        switch reply {
        case .integer(1): return .done
        case .integer(0): return .conflict
        case .integer(-1): return .missing
        default: throw .unavailable(reason: "\(purpose): the script answered with \(reply.typeName)")
        }
    }

    /// True when `session` is past its idle timeout or absolute lifetime at `now`.
    func isExpired(_ session: Session, now: Date) -> Bool {
        policy.isExpired(createdAt: session.createdAt, lastSeen: session.lastSeen, now: now)
    }

    /// What the session has left: the TTL its key gets.
    func timeToLive(_ session: Session, now: Date) -> Duration {
        let seconds = policy.expiry(of: session).timeIntervalSince(now)
        return .milliseconds(max(1, Int64((seconds * 1000).rounded(.up))))
    }

    /// The current time at the precision sessions are stored with.
    func currentTime() -> Date {
        SessionRecord.normalized(clock())
    }

    /// Runs one Redis call, turning its failure into `unavailable` with what it was for. The
    /// reason names the server and the cause, never a key or a value.
    @discardableResult
    func call<T>(_ purpose: String, _ body: (RedisClient) throws(RedisError) -> T) throws(SessionStoreError) -> T {
        do {
            return try body(redis)
        } catch {
            throw .unavailable(reason: "\(purpose): \(error)")
        }
    }

    /// A short random pause after losing a compare-and-set, growing with each attempt, so
    /// writers racing for one session fall out of step instead of colliding again.
    func pauseAfterConflict(_ attempt: Int) {
        let ceiling = UInt32(min(1 << min(attempt, 5), 32)) * 1000
        usleep(UInt32.random(in: 0...ceiling))
    }

    /// Logs an entry that cannot be a session, by a prefix of its storage key.
    private func logCorrupt(_ handle: SessionHandle, reason: String) {
        logger.warning("unreadable session entry in Redis; the user will have to sign in again", metadata: [
            "key": "\(keys.prefix){\(handle.storageKey.prefix(12))…}", "reason": "\(reason)",
        ])
    }

    /// A version as the record stores it: 8 bytes, big-endian.
    static func versionBytes(_ version: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: version >> (56 - 8 * UInt64($0))) }
    }

    /// Whole milliseconds of `duration`, as PX wants them.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
