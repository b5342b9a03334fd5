// The default session store: one JSON file per session in a directory, written atomically,
// locked per session with `flock`, expired by idle timeout and absolute lifetime.
//
// Layout of the directory (default `./.sessions`, mode 0700; files 0600):
// - `<sha256(id) hex>`: the session;
// - `<hex>.lock`: its lock file (see `SessionLock`), created by the first locked write;
// - `<hex>.tmp-<pid>-<n>`: a write in progress (or left by a crash; ignored, swept);
// - `<hex>.corrupt`: an undecodable file moved aside (swept after the absolute lifetime).
//
// A directory that disappears at run time is *not* recreated: it most likely means an
// unmounted volume or an operator mistake, and silently recreating it would hide that. Every
// operation then throws `SessionStoreError.unavailable`, and the app answers 503.
import CryptoSupport
import FoundationEssentials
import Glibc
import Logging

/// Where the store reads the time; injected so tests control expiry without sleeping.
public typealias SessionClock = @Sendable () -> Date

public final class FileSessionStore: SessionStore {
    /// The absolute path of the session directory.
    public let directory: String
    public let policy: SessionPolicy
    let fileSystem: any FileSystem
    let random: any RandomSource
    let clock: SessionClock
    let logger: Logger
    let decodedSessions = DecodedSessionCache()

    /// Opens the store in `directory`, creating it (mode 0700, with missing parents) when it
    /// does not exist. A relative path is resolved against the working directory now, and
    /// symbolic links are resolved too, so `directory` is the real, absolute location. Throws
    /// `SessionStoreError.unavailable` when it cannot be created or is not a directory.
    public convenience init(
        directory: String = "./.sessions",
        policy: SessionPolicy = SessionPolicy(),
        random: any RandomSource = OpenSSLRandom(),
        clock: @escaping SessionClock = { Date() },
        logger: Logger = Logger(label: "SessionStore")
    ) throws {
        try self.init(
            directory: directory, policy: policy, random: random, clock: clock, logger: logger,
            fileSystem: POSIXFileSystem()
        )
    }

    /// The same, with the file-system calls injected (tests use it to simulate failures).
    init(
        directory: String,
        policy: SessionPolicy,
        random: any RandomSource,
        clock: @escaping SessionClock,
        logger: Logger,
        fileSystem: any FileSystem
    ) throws(SessionStoreError) {
        self.directory = try Self.prepareDirectory(Self.absolutePath(directory), fileSystem: fileSystem, logger: logger)
        self.policy = policy
        self.random = random
        self.clock = clock
        self.logger = logger
        self.fileSystem = fileSystem
    }

    // MARK: - SessionStore

    public func load(_ id: String) throws -> Session? {
        guard let name = SessionID.fileName(for: id) else { return nil }
        let now = currentTime()
        let session: Session
        switch try readSession(name, id: id) {
        case .missing:
            return nil
        case .corrupt:
            // Decide under the lock, after reading again: a writer may have replaced the file
            // meanwhile, and only one of several concurrent readers should move it and log.
            return try withLock(name) { lock in try liveSessionLocked(name, id: id, now: now, lock: lock) }
        case .found(let stored):
            session = stored
        }
        if policy.isExpired(createdAt: session.createdAt, lastSeen: session.lastSeen, now: now) { return nil }
        guard policy.isTouchDue(lastSeen: session.lastSeen, now: now) else { return session }
        // The batched sliding-expiry touch. Failing to record it must not fail a request that
        // only reads: the session is still valid, it just may expire a little sooner.
        do {
            return try modifyLocked(name, id: id, now: now) { _ in }
        } catch {
            logger.warning("could not refresh session last-seen time", metadata: [
                "file": "\(SessionFileName.logPrefix(name))", "reason": "\(error)",
            ])
            return session
        }
    }

    public func create(_ configure: (inout Session) throws -> Void) throws -> Session {
        let id = SessionID.generate(using: random)
        let now = currentTime()
        var session = Session(id: id, createdAt: now, lastSeen: now)
        try configure(&session)
        // No lock: nobody else can know this id yet.
        try writeAtomically(SessionID.fileName(for: id)!, try encode(session))
        return session
    }

    public func update(_ id: String, _ body: (inout Session) throws -> Void) throws -> Session? {
        guard let name = SessionID.fileName(for: id) else { return nil }
        // Forged but well-formed ids stop here, so they cannot make the store create lock files.
        guard try sessionFileExists(name) else { return nil }
        return try modifyLocked(name, id: id, now: currentTime(), body)
    }

    public func rotate(_ id: String, carrying carry: (_ old: Session, _ new: inout Session) throws -> Void) throws -> Session? {
        guard let oldName = SessionID.fileName(for: id) else { return nil }
        guard try sessionFileExists(oldName) else { return nil }
        return try withLock(oldName) { lock -> Session? in
            guard let old = try liveSessionLocked(oldName, id: id, now: currentTime(), lock: lock) else { return nil }
            let new = try create { new in try carry(old, &new) }
            do throws(FileSystemError) {
                try fileSystem.unlink(path(oldName))
                try syncDirectory()
            } catch {
                // The old id must not stay valid next to the new one (that is the point of
                // rotating), so undo the new session and report the failure.
                try? fileSystem.unlink(path(SessionID.fileName(for: new.id)!))
                throw unavailable(error, "deleting the old session during rotation", name: oldName)
            }
            lock.removeFile()
            return new
        }
    }

    public func delete(_ id: String) throws {
        guard let name = SessionID.fileName(for: id) else { return }
        guard try sessionFileExists(name) else { return }
        decodedSessions.forget(name)
        try withLock(name) { lock in
            do throws(FileSystemError) {
                try fileSystem.unlink(path(name))
                try syncDirectory()
            } catch where error.code == ENOENT {
                // Already gone (another request signed out at the same time).
            } catch {
                throw unavailable(error, "deleting a session", name: name)
            }
            lock.removeFile()
        }
    }

    // MARK: - Locked read-modify-write

    /// Runs `body` while holding the session's lock.
    func withLock<T>(_ name: String, _ body: (SessionLock) throws -> T) throws -> T {
        let lock: SessionLock
        do {
            lock = try SessionLock.acquire(path(name + SessionFileName.lockSuffix), fileSystem: fileSystem)!
        } catch {
            if error.code == ENOENT { try checkDirectory() }
            throw unavailable(error, "locking a session", name: name)
        }
        defer { lock.release() }
        return try body(lock)
    }

    /// Reads the session under its lock; nil when it is missing, corrupt (moved aside) or
    /// expired (deleted). Leaves no lock file behind for a session that is gone.
    func liveSessionLocked(_ name: String, id: String, now: Date, lock: SessionLock) throws(SessionStoreError) -> Session? {
        switch try readSession(name, id: id) {
        case .missing:
            lock.removeFile()
            return nil
        case .corrupt(let reason):
            moveAside(name, reason: reason, lock: lock)
            return nil
        case .found(let session):
            guard policy.isExpired(createdAt: session.createdAt, lastSeen: session.lastSeen, now: now) else {
                return session
            }
            // Expired: nobody may use it again, so remove it now rather than wait for the sweep.
            try? fileSystem.unlink(path(name))
            lock.removeFile()
            return nil
        }
    }

    /// The locked read-modify-write behind `update` and the sliding-expiry touch.
    func modifyLocked(_ name: String, id: String, now: Date, _ body: (inout Session) throws -> Void) throws -> Session? {
        try withLock(name) { lock -> Session? in
            guard let stored = try liveSessionLocked(name, id: id, now: now, lock: lock) else { return nil }
            var session = stored
            try body(&session)
            let touchDue = policy.isTouchDue(lastSeen: stored.lastSeen, now: now)
            guard session != stored || touchDue else { return session }
            session.lastSeen = max(now, stored.lastSeen)
            try writeAtomically(name, try encode(session))
            return session
        }
    }

    /// The file content for `session`, refusing what the store could not read back.
    func encode(_ session: Session) throws(SessionStoreError) -> [UInt8] {
        let bytes = SessionFileCodec.encode(session)
        guard bytes.count <= policy.maxFileSize else {
            logger.error("session too large to store", metadata: ["bytes": "\(bytes.count)", "limit": "\(policy.maxFileSize)"])
            throw .tooLarge(bytes: bytes.count, limit: policy.maxFileSize)
        }
        return bytes
    }

    /// The current time at the precision sessions are stored with.
    func currentTime() -> Date {
        SessionFileCodec.normalized(clock())
    }

    // MARK: - Paths

    func path(_ name: String) -> String {
        directory + "/" + name
    }

    private static func absolutePath(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path.hasPrefix("/") { return path }
        // Resolved once, so a later chdir cannot move the sessions.
        let cwd = FileManager.default.currentDirectoryPath
        if path == "." { return cwd }
        if path.hasPrefix("./") { path.removeFirst(2) }
        return cwd + "/" + path
    }
}
