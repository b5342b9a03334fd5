
import Encodings

/// The set of proxies whose X-Forwarded-* headers are believed: single addresses or CIDR
/// blocks, IPv4 and IPv6 (TRUSTED_PROXIES).
public struct TrustedProxies: Sendable {
    /// One address block: the first `prefixLength` bits of `network`.
    public struct Block: Sendable, Hashable {
        public let network: IPAddress
        public let prefixLength: Int

        /// Parses `10.0.0.0/8`, `::1`, `fd00::/8` or a bare address (a full-length prefix).
        public init?(_ text: some StringProtocol) {
            let trimmed = text.trimmingWhitespace
            let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPAddress(parts[0]) else { return nil }
            let maxBits = address.bytes.count * 8
            var prefix = maxBits
            if parts.count == 2 {
                guard let p = Int(parts[1]), p >= 0, p <= maxBits else { return nil }
                prefix = p
            }
            self.network = address
            self.prefixLength = prefix
        }

        public func contains(_ address: IPAddress) -> Bool {
            guard address.bytes.count == network.bytes.count else { return false }
            var bits = prefixLength
            var i = 0
            while bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if address.bytes[i] & mask != network.bytes[i] & mask { return false }
                bits -= 8
                i += 1
            }
            return true
        }
    }

    public let blocks: [Block]

    public init(blocks: [Block]) { self.blocks = blocks }

    /// Parses each entry; throws naming the first that is neither an address nor a CIDR.
    public init(_ entries: [String]) throws {
        var blocks: [Block] = []
        for entry in entries where !entry.trimmingWhitespace.isEmpty {
            guard let block = Block(entry) else { throw InvalidEntry(entry: entry) }
            blocks.append(block)
        }
        self.blocks = blocks
    }

    public struct InvalidEntry: Error, CustomStringConvertible, Sendable {
        public let entry: String
        public var description: String { "not an IP address or CIDR block: \(entry)" }
    }

    public var isEmpty: Bool { blocks.isEmpty }

    public func contains(_ address: IPAddress) -> Bool {
        blocks.contains { $0.contains(address) }
    }
}
