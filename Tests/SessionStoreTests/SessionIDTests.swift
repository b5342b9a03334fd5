import CryptoSupport
import Encodings
@testable import SessionStore
import Testing

/// Which cookie values count as session ids: only exactly what the store issues.
@Suite struct SessionIDTests {
    @Test func generatedIdsAreWellFormedAndDistinct() {
        let random = OpenSSLRandom()
        let ids = (0..<100).map { _ in SessionID.generate(using: random) }
        #expect(Set(ids).count == 100)
        for id in ids {
            #expect(id.utf8.count == 43)
            #expect(SessionID.isWellFormed(id))
            #expect(Base64URL.decode(id)?.count == 32)
        }
    }

    @Test(arguments: [
        "",
        "abc",
        "../x",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "../../../../../../../../../../../../../etc/passwd",
        "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..",
        String(repeating: "A", count: 42),
        String(repeating: "A", count: 44),
        String(repeating: "A", count: 4096),
        String(repeating: "A", count: 42) + "=",
        String(repeating: "A", count: 42) + "\0",
        "\0" + String(repeating: "A", count: 42),
        String(repeating: "A", count: 21) + "/" + String(repeating: "A", count: 21),
        String(repeating: "A", count: 21) + "+" + String(repeating: "A", count: 21),
        String(repeating: "A", count: 21) + "." + String(repeating: "A", count: 21),
        String(repeating: "A", count: 21) + " " + String(repeating: "A", count: 21),
        String(repeating: "A", count: 21) + "é" + String(repeating: "A", count: 20),
        // 43 characters whose last one carries non-zero padding bits: a second spelling of
        // some id, rejected so that every id has one file.
        String(repeating: "A", count: 42) + "B",
    ])
    func rejectsMalformedValues(_ value: String) {
        #expect(!SessionID.isWellFormed(value))
        #expect(SessionID.fileName(for: value) == nil)
    }

    @Test func fileNameIsTheHexSHA256OfTheId() {
        let id = SessionID.generate(using: OpenSSLRandom())
        let name = SessionID.fileName(for: id)
        #expect(name == Digest.hex(Digest.sha256(id)))
        #expect(name?.utf8.count == 64)
        #expect(SessionFileName(classifying: name!) == .session(name!))
    }

    @Test func classifiesDirectoryEntries() {
        let hash = String(repeating: "ab", count: 32)
        #expect(SessionFileName(classifying: hash) == .session(hash))
        #expect(SessionFileName(classifying: hash + ".lock") == .lock(session: hash))
        #expect(SessionFileName(classifying: hash + ".tmp-12-3") == .temporary)
        #expect(SessionFileName(classifying: hash + ".corrupt") == .corrupt)
        #expect(SessionFileName(classifying: hash.uppercased()) == .other)
        #expect(SessionFileName(classifying: "README") == .other)
        #expect(SessionFileName(classifying: hash + ".bak") == .other)
    }
}
