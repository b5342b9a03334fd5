import CryptoSupport

/// What tells a backend that the stored form of a session is still the one it decoded.
package protocol SessionStamp: Sendable {
    /// True when both describe the same stored record.
    func isSameVersion(as other: Self) -> Bool
}

/// The file store's stamp: the file's `stat`. The store only ever replaces session files by
/// renaming a new file over them, so another process's write always shows up as another
/// inode; a change within the same inode changes size or times (nanoseconds).
extension FileStatus: SessionStamp {}

/// A network store's stamp: what identifies one sealed record among all others, taken from
/// the bytes fetched anyway. Every seal draws a fresh nonce, and the GCM tag authenticates
/// all of the ciphertext under it, so the readable header, the nonce, the tag and the length
/// tell one write from every other without keeping the whole record (a few KB) in memory.
/// Bytes that share these but differ inside were not written by the store and would not
/// open; the session decoded from the genuine record is what they stand for.
package struct RecordStamp: SessionStamp {
    /// Header and nonce, the tag, and the record's length.
    private let identity: [UInt8]
    /// The length.
    private let count: Int

    /// The stamp of the record `bytes`.
    package init(_ bytes: [UInt8]) {
        let head = SessionRecord.headerByteCount + AES256GCM.nonceByteCount
        identity = Array(bytes.prefix(head)) + Array(bytes.suffix(AES256GCM.tagByteCount))
        count = bytes.count
    }

    /// The same header, nonce, tag and length.
    package func isSameVersion(as other: RecordStamp) -> Bool {
        count == other.count && identity == other.identity
    }
}

/// The sessions this process decoded most recently, each with the stamp of what it was
/// decoded from and the key that opened it. A read whose stored form has the same stamp
/// skips decrypt and decode (and, for files, open and read). The cached fingerprint of the
/// secret (`HandleKeys.fingerprint`) must equal the caller's, compared in constant time, so a
/// wrong secret never gets a cached session.
package final class DecodedSessionCache<Stamp: SessionStamp>: Sendable {
    /// One decoded session and what it was decoded from.
    private struct Entry {
        let status: Stamp
        let fingerprint: [UInt8]
        let session: Session
    }

    /// The entries by name (file name, storage key). Read by every request, on as many
    /// worker threads as there are requests with a network store: readers share the lock.
    private let entries = ReadWriteLocked<[String: Entry]>([:])
    /// Bounded so memory does not grow with the number of sessions (a few KB each).
    package let capacity: Int
    /// Keys the fingerprints: random for each cache, so they mean nothing elsewhere.
    private let fingerprintKey: [UInt8]

    /// An empty cache of at most `capacity` sessions; `random` makes its fingerprint key.
    package init(capacity: Int = 256, random: any RandomSource = OpenSSLRandom()) {
        self.capacity = capacity
        self.fingerprintKey = random.bytes(32)
    }

    /// The keys to look up and open `handle`'s session with.
    package func keys(for handle: SessionHandle) -> HandleKeys {
        HandleKeys(handle: handle, fingerprintKey: fingerprintKey)
    }

    /// The session decoded from entry `name` in exactly the state `status` describes, if it
    /// is cached and was opened with the same secret.
    package func session(named name: String, status: Stamp, fingerprint: [UInt8]) -> Session? {
        guard let entry = entries.read({ $0[name] }), entry.status.isSameVersion(as: status),
              ConstantTime.equals(entry.fingerprint, fingerprint)
        else { return nil }
        return entry.session
    }

    /// Caches `session` as decoded from entry `name` in state `status`; without a status
    /// (unknown after a write) the entry's next read decodes it again.
    package func remember(_ session: Session, status: Stamp?, fingerprint: [UInt8], named name: String) {
        guard let status else { return forget(name) }
        entries.write { entries in
            if entries[name] == nil, entries.count >= capacity, let victim = entries.keys.first {
                entries[victim] = nil
            }
            entries[name] = Entry(status: status, fingerprint: fingerprint, session: session)
        }
    }

    /// Drops the entry of `name` (it was written, moved or removed).
    package func forget(_ name: String) {
        // Most calls find nothing to drop (an unknown cookie): no exclusive lock for those.
        guard entries.read({ $0[name] != nil }) else { return }
        entries.write { $0[name] = nil }
    }

    /// How many sessions are cached (tests check the bound).
    package var count: Int {
        entries.read { $0.count }
    }
}

/// What one call derives from a handle, each at most once: the fingerprint the cache is
/// checked with (one hash, every read), and the sealing key (HKDF, several times the cost)
/// only when a record must be opened or written.
package final class HandleKeys {
    /// The handle the keys are derived from.
    package let handle: SessionHandle
    /// The cache's key for fingerprints.
    private let fingerprintKey: [UInt8]

    /// Keys for `handle`, derived on first use.
    init(handle: SessionHandle, fingerprintKey: [UInt8]) {
        self.handle = handle
        self.fingerprintKey = fingerprintKey
    }

    /// The keyed hash of the secret the cache compares.
    package lazy var fingerprint: [UInt8] = handle.fingerprint(keyedBy: fingerprintKey)
    /// The key that seals and opens the session's record.
    package lazy var sealing: [UInt8] = handle.sealingKey()
}
