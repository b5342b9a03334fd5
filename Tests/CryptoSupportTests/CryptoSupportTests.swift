import CryptoSupport
import Encodings
import Testing

/// Tests for the OpenSSL-backed primitives shared by the OIDC client and the session store.
@Suite struct DigestTests {
    @Test func sha256OfABC() {
        #expect(Digest.hex(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha1OfABC() {
        #expect(Digest.hex(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }
}

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
