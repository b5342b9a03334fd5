import Synchronization

/// The sessions this process decoded most recently, with the exact bytes they came from.
/// A page that only reads a session still reads its file (so another process's write is
/// always seen) but skips JSON decoding, the bulk of a read's cost, when the bytes are the
/// ones decoded last time.
final class DecodedSessionCache: Sendable {
    private struct Entry {
        let bytes: [UInt8]
        let session: Session
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Bounded so memory does not grow with the number of sessions (a few KB each).
    let capacity: Int

    init(capacity: Int = 128) {
        self.capacity = capacity
    }

    /// The session decoded from exactly `bytes` under file `name`, if it is still cached.
    func session(named name: String, bytes: [UInt8]) -> Session? {
        entries.withLock { entries in
            guard let entry = entries[name], entry.bytes == bytes else { return nil }
            return entry.session
        }
    }

    func remember(_ session: Session, bytes: [UInt8], named name: String) {
        entries.withLock { entries in
            if entries[name] == nil, entries.count >= capacity, let victim = entries.keys.first {
                entries[victim] = nil
            }
            entries[name] = Entry(bytes: bytes, session: session)
        }
    }

    func forget(_ name: String) {
        entries.withLock { $0[name] = nil }
    }
}
