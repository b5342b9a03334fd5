import CryptoSupport
import Foundation
import Synchronization
import Testing

/// A prepared HMAC key gives the same MACs as a one-off `Digest.hmacSHA256` (whose RFC 4231
/// vectors `DigestTests` checks), use after use and from many threads at once: its keyed
/// state is never consumed.
@Suite struct HMACKeyTests {
    @Test func repeatedUseMatchesTheOneOffMAC() {
        let secret = Array(repeating: UInt8(0xAA), count: 131) // longer than a block: hashed first
        let key = HMACKey(secret)
        for message in ["", "a", "what do ya want for nothing?", String(repeating: "x", count: 1000)] {
            let bytes = Array(message.utf8)
            #expect(key.authenticate(bytes) == Digest.hmacSHA256(key: secret, message: bytes))
            #expect(key.authenticate(bytes) == Digest.hmacSHA256(key: secret, message: bytes), "the keyed state is not consumed")
        }
    }

    @Test func concurrentUseAgrees() {
        let key = HMACKey(Array("shared".utf8))
        let expected = key.authenticate(Array("message".utf8))
        let mismatches = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            if key.authenticate(Array("message".utf8)) != expected { mismatches.add(1, ordering: .relaxed) }
            _ = key.authenticate(Array("other \(index)".utf8))
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }
}
