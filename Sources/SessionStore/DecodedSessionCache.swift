import CryptoSupport
import Synchronization

/// The sessions this process decoded most recently, each with the `stat` of the file it came
/// from and the key that opened it. A read whose file still has the same device, inode, size
/// and modification and change times (nanoseconds) skips open, read, decrypt and decode: the
/// store only ever replaces session files by renaming a new file over them, so another
/// process's write always shows up as another inode. The cached fingerprint of the secret
/// (`HandleKeys.fingerprint`) must equal the caller's, compared in constant time, so a wrong
/// secret never gets a cached session.
final class DecodedSessionCache: Sendable {
    /// One decoded session and what it was decoded from.
    private struct Entry {
        let status: FileStatus
        let fingerprint: [UInt8]
        let session: Session
    }

    /// The entries by file name.
    private let entries = Mutex<[String: Entry]>([:])
    /// Bounded so memory does not grow with the number of sessions (a few KB each).
    let capacity: Int
    /// Keys the fingerprints: random for each cache, so they mean nothing elsewhere.
    private let fingerprintKey: [UInt8]

    /// An empty cache of at most `capacity` sessions; `random` makes its fingerprint key.
    init(capacity: Int = 256, random: any RandomSource = OpenSSLRandom()) {
        self.capacity = capacity
        self.fingerprintKey = random.bytes(32)
    }

    /// The keys to look up and open `handle`'s session with.
    func keys(for handle: SessionHandle) -> HandleKeys {
        HandleKeys(handle: handle, fingerprintKey: fingerprintKey)
    }

    /// The session decoded from file `name` in exactly the state `status` describes, if it is
    /// cached and was opened with the same secret.
    func session(named name: String, status: FileStatus, fingerprint: [UInt8]) -> Session? {
        guard let entry = entries.withLock({ $0[name] }), entry.status.isSameVersion(as: status),
              ConstantTime.equals(entry.fingerprint, fingerprint)
        else { return nil }
        return entry.session
    }

    /// Caches `session` as decoded from file `name` in state `status`; without a status
    /// (unknown after a write) the file's next read decodes it again.
    func remember(_ session: Session, status: FileStatus?, fingerprint: [UInt8], named name: String) {
        guard let status else { return forget(name) }
        entries.withLock { entries in
            if entries[name] == nil, entries.count >= capacity, let victim = entries.keys.first {
                entries[victim] = nil
            }
            entries[name] = Entry(status: status, fingerprint: fingerprint, session: session)
        }
    }

    /// Drops the entry of file `name` (it was written, moved or removed).
    func forget(_ name: String) {
        entries.withLock { $0[name] = nil }
    }

    /// How many sessions are cached (tests check the bound).
    var count: Int {
        entries.withLock { $0.count }
    }
}

/// What one call derives from a handle, each at most once: the fingerprint the cache is
/// checked with (one hash, every read), and the sealing key (HKDF, several times the cost)
/// only when a file must be opened or written.
final class HandleKeys {
    /// The handle the keys are derived from.
    let handle: SessionHandle
    /// The cache's key for fingerprints.
    private let fingerprintKey: [UInt8]

    /// Keys for `handle`, derived on first use.
    init(handle: SessionHandle, fingerprintKey: [UInt8]) {
        self.handle = handle
        self.fingerprintKey = fingerprintKey
    }

    /// The keyed hash of the secret the cache compares.
    lazy var fingerprint: [UInt8] = handle.fingerprint(keyedBy: fingerprintKey)
    /// The key that seals and opens the session's file.
    lazy var sealing: [UInt8] = handle.sealingKey()
}
