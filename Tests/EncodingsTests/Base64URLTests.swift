import Encodings
import Testing

/// Base64url without padding: RFC 4648 vectors, the URL-safe alphabet, strict decoding.
@Suite struct Base64URLTests {
    @Test func encodesRFC4648Vectors() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
            ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(plain) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test func rejectsCharactersOutsideTheAlphabet() {
        #expect(Base64URL.decode("ab+/") == nil)
        #expect(Base64URL.decode("a b") == nil)
        #expect(Base64URL.decode("abcde") == nil)
        #expect(Base64URL.decode("Zh") == nil, "non-zero trailing bits")
    }

    @Test func roundTripsRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
