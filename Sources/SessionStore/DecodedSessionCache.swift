import CryptoSupport
import Synchronization

/// The sessions this process decoded most recently, each with the `stat` of the file it came
/// from and the key that opened it. A read whose file still has the same device, inode, size
/// and modification and change times (nanoseconds) skips open, read, decrypt and decode: the
/// store only ever replaces session files by renaming a new file over them, so another
/// process's write always shows up as another inode. The cached key must equal the key the
/// caller's handle derives (compared in constant time), so a wrong secret never gets a cached
/// session.
final class DecodedSessionCache: Sendable {
    private struct Entry {
        let status: FileStatus
        let key: [UInt8]
        let session: Session
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Bounded so memory does not grow with the number of sessions (a few KB each).
    let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The session decoded from file `name` in exactly the state `status` describes, if it is
    /// cached and was opened with `key`.
    func session(named name: String, status: FileStatus, key: [UInt8]) -> Session? {
        guard let entry = entries.withLock({ $0[name] }), entry.status.isSameVersion(as: status),
              ConstantTime.equals(entry.key, key)
        else { return nil }
        return entry.session
    }

    /// Caches `session` as decoded from file `name` in state `status`; without a status
    /// (unknown after a write) the file's next read decodes it again.
    func remember(_ session: Session, status: FileStatus?, key: [UInt8], named name: String) {
        guard let status else { return forget(name) }
        entries.withLock { entries in
            if entries[name] == nil, entries.count >= capacity, let victim = entries.keys.first {
                entries[victim] = nil
            }
            entries[name] = Entry(status: status, key: key, session: session)
        }
    }

    func forget(_ name: String) {
        entries.withLock { $0[name] = nil }
    }

    /// How many sessions are cached (tests check the bound).
    var count: Int {
        entries.withLock { $0.count }
    }
}
