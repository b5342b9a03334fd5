import Glibc

/// An IPv4 or IPv6 address as bytes, parsed from text or a sockaddr and printed back;
/// IPv4-mapped IPv6 addresses (from dual-stack listeners) are folded to IPv4.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, in network order.
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = Self.unmapped(bytes)
    }

    /// Parses dotted IPv4 or textual IPv6 (a `[...]` wrapper and a `%zone` are accepted).
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        if s.hasPrefix("[") && s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if let percent = s.firstIndex(of: "%") { s = String(s[..<percent]) }
        if s.contains(":") {
            var a = in6_addr()
            guard inet_pton(AF_INET6, s, &a) == 1 else { return nil }
            self.bytes = Self.unmapped(withUnsafeBytes(of: a) { Array($0) })
        } else {
            var a = in_addr()
            guard inet_pton(AF_INET, s, &a) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: a) { Array($0) }
        }
    }

    /// The address of a sockaddr_in or sockaddr_in6.
    init?(_ storage: UnsafePointer<sockaddr_storage>) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let a = UnsafeRawPointer(storage).assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr
            self.bytes = withUnsafeBytes(of: a) { Array($0) }
        case AF_INET6:
            let a = UnsafeRawPointer(storage).assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_addr
            self.bytes = Self.unmapped(withUnsafeBytes(of: a) { Array($0) })
        default:
            return nil
        }
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        if isIPv4 {
            bytes.withUnsafeBytes { _ = inet_ntop(AF_INET, $0.baseAddress, &text, 64) }
        } else {
            bytes.withUnsafeBytes { _ = inet_ntop(AF_INET6, $0.baseAddress, &text, 64) }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF
        else { return bytes }
        return Array(bytes[12..<16])
    }
}
