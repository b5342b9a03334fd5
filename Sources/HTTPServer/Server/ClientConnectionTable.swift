import Synchronization

/// Open connections per client, shared by every event loop, so one host cannot take every
/// connection slot. It holds an entry per client with a connection open, so it is bounded
/// by the connection cap.
final class ClientConnectionTable: Sendable {
    /// A client as counted: an IPv4 address, or the /64 an IPv6 address is in (one host
    /// or home network is usually given a whole /64, so counting addresses would let it
    /// open connections from as many addresses as it likes).
    struct Key: Hashable, Sendable {
        /// The IPv4 address, or the first 64 bits of the IPv6 one.
        let bits: UInt64
        /// Which of the two `bits` holds.
        let isIPv6: Bool

        /// The key for `address`.
        init(_ address: IPAddress) {
            let count = address.isIPv4 ? 4 : 8
            var bits: UInt64 = 0
            for byte in address.bytes.prefix(count) { bits = bits << 8 | UInt64(byte) }
            self.bits = bits
            self.isIPv6 = !address.isIPv4
        }

        /// One word to hash: every accepted and every closed connection hashes a key.
        func hash(into hasher: inout Hasher) {
            hasher.combine(isIPv6 ? ~bits : bits)
        }
    }

    /// Connections one client may have open.
    let limit: Int
    /// Open connections per client with at least one.
    private let counts = Mutex<[Key: Int]>([:])

    /// A table allowing `limit` connections per client.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a new connection from `key`; false, counting nothing, when it has `limit`.
    func claim(_ key: Key) -> Bool {
        let limit = self.limit
        // One lookup: a refused key already has `limit` connections, so no empty entry is left.
        return counts.withLock { counts in Self.increment(&counts[key, default: 0], below: limit) }
    }

    /// Adds one to `open` unless it has reached `limit`.
    private static func increment(_ open: inout Int, below limit: Int) -> Bool {
        guard open < limit else { return false }
        open += 1
        return true
    }

    /// A connection counted by `claim` has closed.
    func release(_ key: Key) {
        counts.withLock { counts in
            guard let index = counts.index(forKey: key) else { return }
            if counts.values[index] > 1 {
                counts.values[index] -= 1
            } else {
                counts.remove(at: index)
            }
        }
    }

    /// Connections `key` has open now (for tests).
    func openCount(_ key: Key) -> Int {
        counts.withLock { $0[key, default: 0] }
    }
}
