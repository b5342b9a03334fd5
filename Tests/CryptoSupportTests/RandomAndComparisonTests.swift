import CryptoSupport
import Encodings
import Testing

/// Random bytes from OpenSSL's CSPRNG, and constant-time comparison.
@Suite struct RandomAndComparisonTests {
    @Test func randomBytesDiffer() {
        let random = OpenSSLRandom()
        let a = random.bytes(32)
        let b = random.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(random.token(byteCount: 32).count == 43)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals("state-123", "state-123"))
        #expect(!ConstantTime.equals("state-123", "state-124"))
        #expect(!ConstantTime.equals("state", "state-123"))
        #expect(ConstantTime.equals("", ""))
    }
}
