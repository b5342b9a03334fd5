// The default session store: one sealed file per session in a directory, written atomically,
// locked per session with `flock`, expired by idle timeout and absolute lifetime.
//
// Layout of the directory (default `./.sessions`, mode 0700; files 0600):
// - `<sha256(id) hex>`: the session, a `SessionRecord` (readable times, sealed content);
// - `<hex>.lock`: its write lock (see `SessionLock`), created by the first locked write;
// - `<hex>.refresh`: its token-refresh lock, created by the first `withRefreshLock`;
// - `<hex>.claim`: a single-use claim (`claimOnce`), its expiry inside;
// - `<hex>.tmp-<pid>-<n>`: a write in progress (or left by a crash; ignored, swept);
// - `<hex>.corrupt`: an undecodable file moved aside (swept after the absolute lifetime).
//
// Reads take no lock: they `stat` the file, reuse the session decoded last time when the file
// is unchanged, else read and open it. The sliding-expiry touch a read may call for is handed
// to the store's background worker. Writes hold the session's lock across read, compare,
// write and fsync.
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

/// The file-backed `SessionStore`.
public final class FileSessionStore: SessionStore {
    /// The absolute path of the session directory.
    public let directory: String
    /// The expiry rules.
    public let policy: SessionPolicy
    /// Reads are a `stat`, at most a read of a small file, and a decryption: never a lock.
    public let readsMayBlock = false
    /// The system calls (a fault-injecting one in tests).
    let fileSystem: any FileSystem
    /// Handles and nonces come from here.
    let random: any RandomSource
    /// Expiry is judged by this clock.
    let clock: SessionClock
    /// Storage failures and repairs are logged here, never a handle.
    let logger: Logger
    /// Sessions decoded recently, for reads of unchanged files.
    let decodedSessions: DecodedSessionCache<FileStatus>
    /// The writes reads hand off.
    let background: BackgroundWriter

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

    /// The same, with the file-system calls injected (tests use it to simulate failures) and
    /// the background queue's bound.
    init(
        directory: String,
        policy: SessionPolicy,
        random: any RandomSource,
        clock: @escaping SessionClock,
        logger: Logger,
        fileSystem: any FileSystem,
        backgroundCapacity: Int = 1024
    ) throws(SessionStoreError) {
        self.directory = try Self.prepareDirectory(Self.absolutePath(directory), fileSystem: fileSystem, logger: logger)
        self.policy = policy
        self.random = random
        self.clock = clock
        self.logger = logger
        self.fileSystem = fileSystem
        self.decodedSessions = DecodedSessionCache(random: random)
        self.background = BackgroundWriter(capacity: backgroundCapacity, logger: logger)
        background.start { [weak self] name, job in self?.perform(job, for: name) }
    }

    /// What the background worker did so far (for tests and a future metrics page).
    public var backgroundStatistics: BackgroundWriteStatistics { background.statistics }

    /// Waits until the writes reads handed to the background worker are done (shutdown, tests).
    public func finishBackgroundWrites() {
        background.waitUntilIdle()
    }

    // MARK: - SessionStore

    public func load(_ handle: SessionHandle) throws -> Session? {
        let name = handle.storageKey
        let now = currentTime()
        let keys = decodedSessions.keys(for: handle)
        switch try readSession(name, keys: keys) {
        case .missing, .unauthenticated, .legacy:
            return nil
        case .corrupt:
            // Moving it aside takes the lock: the worker does it, after reading it again.
            background.submit(.quarantine, for: name)
            return nil
        case .found(let session):
            if policy.isExpired(createdAt: session.createdAt, lastSeen: session.lastSeen, now: now) { return nil }
            if policy.isTouchDue(lastSeen: session.lastSeen, now: now) {
                background.submit(.touch(session, key: keys.sealing, fingerprint: keys.fingerprint, now: now), for: name)
            }
            return session
        }
    }

    public func create(_ configure: (inout Session) throws -> Void) throws -> Session {
        let now = currentTime()
        var session = Session(handle: SessionHandle.generate(using: random), createdAt: now, lastSeen: now)
        try configure(&session)
        // No lock: nobody else can know this handle yet.
        try store(session, keys: decodedSessions.keys(for: session.handle))
        return session
    }

    public func update(_ handle: SessionHandle, _ body: (inout Session) throws -> Void) throws -> Session? {
        let name = handle.storageKey
        // Unknown handles stop here, so they cannot make the store create lock files.
        guard try sessionFileExists(name) else { return nil }
        let keys = decodedSessions.keys(for: handle)
        return try withLock(name) { lock -> Session? in
            let now = currentTime()
            // Read under the lock: this copy is the newest, so the compare-and-set holds and
            // `body` runs once.
            guard let stored = try liveSessionLocked(name, keys: keys, now: now, lock: lock) else { return nil }
            var session = stored
            try body(&session)
            guard policy.needsWrite(session, over: stored, now: now) else { return stored }
            session = session.nextWrite(at: now)
            try store(session, keys: keys)
            return session
        }
    }

    public func rotate(_ handle: SessionHandle, carrying carry: (_ old: Session, _ new: inout Session) throws -> Void) throws -> Session? {
        let oldName = handle.storageKey
        guard try sessionFileExists(oldName) else { return nil }
        return try withLock(oldName) { lock -> Session? in
            let now = currentTime()
            guard let old = try liveSessionLocked(oldName, keys: decodedSessions.keys(for: handle), now: now, lock: lock) else {
                return nil
            }
            var new = Session(handle: SessionHandle.generate(using: random), createdAt: now, lastSeen: now)
            try carry(old, &new)
            let newName = new.handle.storageKey
            do {
                try store(new, keys: decodedSessions.keys(for: new.handle))
            } catch {
                // The rename may have happened before the failing directory fsync: remove the
                // new file so that only the old session remains.
                try? fileSystem.unlink(path(newName))
                throw error
            }
            try retire(oldName, replacedBy: newName, lock: lock)
            return new
        }
    }

    public func delete(_ handle: SessionHandle) throws {
        let name = handle.storageKey
        guard try sessionFileExists(name) else { return }
        let keys = decodedSessions.keys(for: handle)
        try withLock(name) { lock in
            // Only the holder of the secret signs a session out; a handle with the right id
            // and another secret changes nothing.
            if case .unauthenticated = try readSession(name, keys: keys) { return }
            decodedSessions.forget(name)
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

    /// The directory is there, a directory, and this process may create files in it (a
    /// read-only mount or a changed owner fails `access`).
    public func checkReadiness() throws {
        try checkDirectory()
        guard access(directory, W_OK | X_OK) == 0 else {
            let error = FileSystemError(operation: "access", code: errno)
            throw unavailable(error, "the session directory \(directory) is not writable", name: nil)
        }
    }

    // MARK: - Locked read-modify-write

    /// Runs `body` while holding the session's write lock.
    func withLock<T>(_ name: String, _ body: (SessionLock) throws -> T) throws -> T {
        let lock = try acquireLock(name, suffix: SessionFileName.lockSuffix, wait: true, for: "locking a session")!
        defer { lock.release() }
        return try body(lock)
    }

    /// The lock on file `name + suffix`, waiting for it or not (then nil when it is held),
    /// with file-system failures turned into `unavailable` (`purpose` says what for).
    func acquireLock(_ name: String, suffix: String, wait: Bool, for purpose: String) throws(SessionStoreError) -> SessionLock? {
        do {
            return try SessionLock.acquire(path(name + suffix), fileSystem: fileSystem, wait: wait)
        } catch {
            if error.code == ENOENT { try checkDirectory() }
            throw unavailable(error, purpose, name: name)
        }
    }

    /// Reads the session under its lock; nil when it is missing, sealed by another secret,
    /// of an earlier format, corrupt (moved aside) or expired (deleted). Leaves no lock file
    /// behind for a session that is gone.
    func liveSessionLocked(_ name: String, keys: HandleKeys, now: Date, lock: SessionLock) throws(SessionStoreError) -> Session? {
        switch try readSession(name, keys: keys) {
        case .missing:
            lock.removeFile()
            return nil
        case .unauthenticated, .legacy:
            return nil
        case .corrupt(let reason):
            moveAside(name, reason: reason, lock: lock)
            return nil
        case .found(let session):
            guard policy.isExpired(createdAt: session.createdAt, lastSeen: session.lastSeen, now: now) else {
                return session
            }
            // Expired: nobody may use it again, so remove it now rather than wait for the sweep.
            decodedSessions.forget(name)
            try? fileSystem.unlink(path(name))
            lock.removeFile()
            return nil
        }
    }

    /// Seals and writes `session` (the caller holds its lock or it is new), and remembers the
    /// result so the next read of this file skips decoding.
    func store(_ session: Session, keys: HandleKeys) throws(SessionStoreError) {
        try store(session, key: keys.sealing, fingerprint: keys.fingerprint)
    }

    /// The same with the keys already derived (the background touch carries them).
    func store(_ session: Session, key: [UInt8], fingerprint: [UInt8]) throws(SessionStoreError) {
        let name = session.handle.storageKey
        let bytes = SessionRecord.seal(session, key: key, random: random)
        guard bytes.count <= policy.maxFileSize else {
            logger.error("session too large to store", metadata: ["bytes": "\(bytes.count)", "limit": "\(policy.maxFileSize)"])
            throw .tooLarge(bytes: bytes.count, limit: policy.maxFileSize)
        }
        decodedSessions.forget(name)
        let status = try writeAtomically(name, bytes)
        decodedSessions.remember(session, status: status, fingerprint: fingerprint, named: name)
    }

    /// Removes the old session of a rotation whose new session is already stored. When the old
    /// file cannot be removed, the new one is removed instead (the old id must not stay valid
    /// next to a new one) and the rotation fails; once it is removed, the rotation has
    /// succeeded, even if the directory fsync then fails: the new session is in place.
    private func retire(_ oldName: String, replacedBy newName: String, lock: SessionLock) throws(SessionStoreError) {
        decodedSessions.forget(oldName)
        do throws(FileSystemError) {
            try fileSystem.unlink(path(oldName))
        } catch where error.code == ENOENT {
            // Removed meanwhile by a writer that ignores the lock (the sweep takes it too).
        } catch {
            decodedSessions.forget(newName)
            try? fileSystem.unlink(path(newName))
            try? syncDirectory()
            throw unavailable(error, "deleting the old session during rotation", name: oldName)
        }
        lock.removeFile()
        do throws(FileSystemError) {
            try syncDirectory()
        } catch {
            // After a crash the old file might come back until the sweep removes it; the user
            // holds the new session either way, and neither is lost.
            logger.warning("session directory fsync failed after rotation; the old session file may reappear after a crash", metadata: [
                "file": "\(SessionFileName.logPrefix(oldName))", "reason": "\(error)",
            ])
        }
    }

    // MARK: - Background jobs

    /// Runs a job the read path handed off, on the background worker's queue.
    private func perform(_ job: BackgroundWriter.Job, for name: String) {
        switch job {
        case .touch(let session, let key, let fingerprint, let now):
            touch(session, key: key, fingerprint: fingerprint, now: now)
        case .quarantine:
            do {
                try withLock(name) { lock in
                    switch try readRecordKind(name) {
                    case .corrupt(let reason)?: moveAside(name, reason: reason, lock: lock)
                    case nil: lock.removeFile() // moved or deleted meanwhile
                    case .sealed?, .legacy?: break
                    }
                }
            } catch {
                logger.warning("could not inspect a corrupt session file", metadata: [
                    "file": "\(SessionFileName.logPrefix(name))", "reason": "\(error)",
                ])
            }
        }
    }

    /// The sliding-expiry touch: rewrites the session with `lastSeen = now`, compare-and-set
    /// on the version it was read at. A failed compare means a write landed meanwhile (which
    /// recorded the activity itself) or the session is gone: either way, nothing to do.
    /// Failing to record it only makes the session expire a little sooner, so it is logged.
    private func touch(_ session: Session, key: [UInt8], fingerprint: [UInt8], now: Date) {
        let name = session.handle.storageKey
        do {
            try withLock(name) { lock in
                guard case .sealed(let header) = try readRecordKind(name) else {
                    if try !sessionFileExists(name) { lock.removeFile() }
                    return
                }
                guard header.version == session.version,
                      policy.isTouchDue(lastSeen: header.lastSeen, now: now),
                      !policy.isExpired(createdAt: header.createdAt, lastSeen: header.lastSeen, now: now)
                else { return }
                // The file holds `session.version`, checked above: its next write.
                try store(session.nextWrite(at: now), key: key, fingerprint: fingerprint)
            }
        } catch {
            logger.warning("could not refresh session last-seen time", metadata: [
                "file": "\(SessionFileName.logPrefix(name))", "reason": "\(error)",
            ])
        }
    }

    // MARK: - Time and paths

    /// The current time at the precision sessions are stored with.
    func currentTime() -> Date {
        SessionRecord.normalized(clock())
    }

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
