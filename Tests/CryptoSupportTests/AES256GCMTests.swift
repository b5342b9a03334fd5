import CryptoSupport
import Testing

/// AES-256-GCM against the published test vectors (McGrew and Viega's GCM specification,
/// test cases 13 to 16, the AES-256 ones NIST's validation uses) and against tampering.
@Suite struct AES256GCMTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: String
        let nonce: String
        let plaintext: String
        let aad: String
        let ciphertext: String
        let tag: String
        var testDescription: String { name }
    }

    static let key15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let plaintext15 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
    static let ciphertext15 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"

    static let vectors = [
        Vector(name: "13: empty plaintext", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(name: "14: one zero block", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), aad: "", ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
               tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(name: "15: four blocks", key: key15, nonce: "cafebabefacedbaddecaf888", plaintext: plaintext15, aad: "",
               ciphertext: ciphertext15, tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(name: "16: partial block and associated data", key: key15, nonce: "cafebabefacedbaddecaf888",
               plaintext: String(plaintext15.dropLast(8)), aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
               ciphertext: String(ciphertext15.dropLast(8)), tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func sealsAndOpensTheTestVector(_ vector: Vector) throws {
        let sealed = AES256GCM.seal(hex(vector.plaintext)[...], key: hex(vector.key), nonce: hex(vector.nonce),
                                    associatedData: hex(vector.aad)[...])
        #expect(sealed == hex(vector.ciphertext + vector.tag))
        let opened = try #require(AES256GCM.open(sealed[...], key: hex(vector.key), nonce: hex(vector.nonce),
                                                 associatedData: hex(vector.aad)[...]))
        #expect(opened == hex(vector.plaintext))
    }

    @Test func anyChangeFailsToOpen() {
        let key = OpenSSLRandom().bytes(32)
        let nonce = OpenSSLRandom().bytes(12)
        let aad: [UInt8] = Array("storage-key|v2".utf8)
        let sealed = AES256GCM.seal(Array("the refresh token".utf8)[...], key: key, nonce: nonce, associatedData: aad[...])
        #expect(AES256GCM.open(sealed[...], key: key, nonce: nonce, associatedData: aad[...]) == Array("the refresh token".utf8))

        for index in sealed.indices {
            var flipped = sealed
            flipped[index] ^= 0x01
            #expect(AES256GCM.open(flipped[...], key: key, nonce: nonce, associatedData: aad[...]) == nil, "byte \(index)")
        }
        var otherKey = key
        otherKey[0] ^= 0x80
        #expect(AES256GCM.open(sealed[...], key: otherKey, nonce: nonce, associatedData: aad[...]) == nil)
        #expect(AES256GCM.open(sealed[...], key: key, nonce: OpenSSLRandom().bytes(12), associatedData: aad[...]) == nil)
        #expect(AES256GCM.open(sealed[...], key: key, nonce: nonce, associatedData: Array("other-key|v2".utf8)[...]) == nil)
        #expect(AES256GCM.open(sealed[...], key: key, nonce: nonce, associatedData: []) == nil)
        #expect(AES256GCM.open(sealed.dropLast(), key: key, nonce: nonce, associatedData: aad[...]) == nil, "truncated tag")
        #expect(AES256GCM.open(sealed.prefix(15), key: key, nonce: nonce, associatedData: aad[...]) == nil, "shorter than a tag")
        #expect(AES256GCM.open(sealed[...], key: Array(key.prefix(16)), nonce: nonce, associatedData: aad[...]) == nil, "AES-128 key")
    }

    @Test func sealingTheSameMessageTwiceWithFreshNoncesDiffers() {
        let key = OpenSSLRandom().bytes(32)
        let message = Array("same".utf8)[...]
        let first = AES256GCM.seal(message, key: key, nonce: OpenSSLRandom().bytes(12), associatedData: [])
        let second = AES256GCM.seal(message, key: key, nonce: OpenSSLRandom().bytes(12), associatedData: [])
        #expect(first != second)
        #expect(first.count == message.count + AES256GCM.tagByteCount)
    }
}
