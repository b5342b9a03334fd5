// The session store for several instances: sessions in Redis, sealed exactly as the file
// store seals them (`SessionRecord`), so a copy of the database reveals no token, name or
// e-mail, and an entry cannot be moved under another key.
//
// - Expiry: every write sets the key's TTL to the time the session has left (the idle
//   timeout, or less when the absolute lifetime ends sooner); the store also checks both
//   limits itself from the record's readable header, by its own clock.
// - Writes: compare-and-set on the record's version in one Lua script, so a late write from a
//   slow request can neither bring back a signed-out session nor overwrite a newer one.
// - The sliding-expiry touch: reads block anyway (a round trip), so a read that finds the
//   touch due re-seals the session with the new last-seen time and writes it at once, on the
//   worker thread that read it (compare-and-set, at most once per `touchInterval` per session).
// - Reads fetch the record every time (another instance may have written it); when it is the
//   very record this process decoded last (same header, nonce and tag), with the same secret,
//   the decoded session is reused instead of decrypting and decoding again.
// - Nothing runs in the background but the refresh lock's lease renewal; expired entries
//   vanish by TTL, so the sweep does nothing.
import CryptoSupport
import FoundationEssentials
import Logging
import RedisClient
import SessionStore

/// The Redis-backed `SessionStore`.
public final class RedisSessionStore: SessionStore {
    /// The expiry rules.
    public let policy: SessionPolicy
    /// Every read is a network round trip: routes that read sessions run on workers.
    public let readsMayBlock = true
    /// The key names, under the configured prefix.
    public let keys: RedisSessionKeys
    /// The connections to Redis.
    let redis: RedisClient
    /// Handles, nonces and lock tokens come from here.
    let random: any RandomSource
    /// Expiry is judged by this clock.
    let clock: SessionClock
    /// Corrupt entries and lost locks are logged here, never a handle.
    let logger: Logger
    /// How long a refresh lock lives unless its holder renews it: what a holder that dies
    /// costs the next one.
    let refreshLockLease: Duration
    /// Sessions decoded recently, by the record they were decoded from (`RecordStamp`).
    let decodedSessions: DecodedSessionCache<RecordStamp>

    /// A store on `redis` with keys under `keys.prefix`.
    public init(
        redis: RedisClient,
        keys: RedisSessionKeys = .standard,
        policy: SessionPolicy = SessionPolicy(),
        random: any RandomSource = OpenSSLRandom(),
        clock: @escaping SessionClock = { Date() },
        logger: Logger = Logger(label: "SessionStore"),
        refreshLockLease: Duration = .seconds(10)
    ) {
        precondition(refreshLockLease >= .milliseconds(30), "the refresh lock's lease must leave time to renew it")
        self.redis = redis
        self.keys = keys
        self.policy = policy
        self.random = random
        self.clock = clock
        self.logger = logger
        self.refreshLockLease = refreshLockLease
        decodedSessions = DecodedSessionCache(random: random)
    }

    // MARK: - SessionStore

    /// One GET; the touch, when due, is written here (see the file's header).
    public func load(_ handle: SessionHandle) throws -> Session? {
        let now = currentTime()
        let keys = decodedSessions.keys(for: handle)
        guard let session = try read(keys), !isExpired(session, now: now) else { return nil }
        guard policy.isTouchDue(lastSeen: session.lastSeen, now: now) else { return session }
        return try touch(session, keys: keys, now: now)
    }

    /// SET NX with the session's time to live.
    public func create(_ configure: (inout Session) throws -> Void) throws -> Session {
        let now = currentTime()
        var session = Session(handle: SessionHandle.generate(using: random), createdAt: now, lastSeen: now)
        try configure(&session)
        try insert(session, keys: decodedSessions.keys(for: session.handle), now: now)
        return session
    }

    /// Read, `body`, compare-and-set; on a conflict, again on the fresh copy after a short
    /// random pause.
    public func update(_ handle: SessionHandle, _ body: (inout Session) throws -> Void) throws -> Session? {
        let keys = decodedSessions.keys(for: handle)
        for attempt in 1...SessionStores.maximumUpdateAttempts {
            let now = currentTime()
            guard let stored = try read(keys), !isExpired(stored, now: now) else { return nil }
            var session = stored
            try body(&session)
            guard policy.needsWrite(session, over: stored, now: now) else { return stored }
            session = session.nextWrite(at: now)
            switch try replace(stored, with: session, keys: keys, now: now) {
            case .done: return session
            case .missing: return nil
            case .conflict: pauseAfterConflict(attempt)
            }
        }
        throw SessionStoreError.contended(attempts: SessionStores.maximumUpdateAttempts)
    }

    /// The new session is stored first, then the old one is deleted if it still has the
    /// version `carry` saw: nobody holds the new handle before `rotate` returns, so the old
    /// handle and the new one are never both in use. When the old one changed meanwhile
    /// (another tab's write), the new one is removed and the rotation runs again on the
    /// fresh copy; when the old one is gone, or a step fails, the new one is removed too.
    public func rotate(_ handle: SessionHandle, carrying carry: (_ old: Session, _ new: inout Session) throws -> Void) throws -> Session? {
        let oldKeys = decodedSessions.keys(for: handle)
        for attempt in 1...SessionStores.maximumUpdateAttempts {
            let now = currentTime()
            guard let old = try read(oldKeys), !isExpired(old, now: now) else { return nil }
            var new = Session(handle: SessionHandle.generate(using: random), createdAt: now, lastSeen: now)
            try carry(old, &new)
            try insert(new, keys: decodedSessions.keys(for: new.handle), now: now)
            let outcome: Outcome
            do {
                outcome = try retire(old)
            } catch {
                try? remove(new.handle)
                throw error
            }
            switch outcome {
            case .done: return new
            case .missing:
                try remove(new.handle)
                return nil
            case .conflict:
                try remove(new.handle)
                pauseAfterConflict(attempt)
            }
        }
        throw SessionStoreError.contended(attempts: SessionStores.maximumUpdateAttempts)
    }

    /// Only the holder of the secret signs a session out: a handle with the right id and
    /// another secret changes nothing. Once authenticated, the key is deleted whatever
    /// version it holds, so a sign-out beats every write in flight.
    public func delete(_ handle: SessionHandle) throws {
        let keys = decodedSessions.keys(for: handle)
        guard let bytes = try fetch(handle) else { return }
        let cached = decodedSessions.session(named: handle.storageKey, status: RecordStamp(bytes), fingerprint: keys.fingerprint)
        if cached == nil, case .unauthenticated = SessionRecord.open(bytes, handle: handle, key: keys.sealing) { return }
        try remove(handle)
    }
}

extension RedisSessionKeys {
    /// Keys under the default prefix, `entra-web:`.
    public static let standard = try! RedisSessionKeys()
}
