import CryptoSupport
import Foundation

/// Deterministic random bytes (SHA-256 of a counter) so generated state and nonce values
/// are repeatable, plus a recorder showing which values came from the injected source.
final class CountingRandom: RandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var counter: UInt64 = 0
    private(set) var requestedByteCounts: [Int] = []

    func bytes(_ count: Int) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        requestedByteCounts.append(count)
        var output: [UInt8] = []
        while output.count < count {
            counter += 1
            output += Digest.sha256(Array("test-random-\(counter)".utf8))
        }
        return Array(output.prefix(count))
    }
}
