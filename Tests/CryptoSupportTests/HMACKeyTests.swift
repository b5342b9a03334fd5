import CryptoSupport
import Encodings
import Foundation
import Synchronization
import Testing

/// A prepared HMAC key gives RFC 4231's HMAC-SHA256 values, the same as a one-off MAC,
/// from any number of threads at once.
@Suite struct HMACKeyTests {
    /// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    @Test func rfc4231TestCase2() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        let key = HMACKey(Array("Jefe".utf8))
        #expect(Digest.hex(key.authenticate(Array("what do ya want for nothing?".utf8))) == expected)
        #expect(Digest.hex(key.authenticate(Array("what do ya want for nothing?".utf8))) == expected, "the keyed state is not consumed")
        #expect(Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))) == expected)
    }

    /// RFC 4231 test case 6: a key longer than the block (131 bytes of 0xaa) is hashed first.
    @Test func rfc4231TestCase6() {
        let key = HMACKey(Array(repeating: 0xAA, count: 131))
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(Digest.hex(key.authenticate(message)) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func emptyKeyAndMessageWork() {
        // HMAC-SHA256 with an empty key of an empty message.
        #expect(Digest.hex(HMACKey([]).authenticate([])) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
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
