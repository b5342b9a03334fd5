import CryptoSupport
import Encodings
@testable import SessionStore
import Testing

/// Which cookie values count as session handles: only exactly what the store issues.
@Suite struct SessionHandleTests {
    @Test func generatedHandlesAreWellFormedAndDistinct() {
        let random = OpenSSLRandom()
        let handles = (0..<100).map { _ in SessionHandle.generate(using: random) }
        #expect(Set(handles.map(\.cookieValue)).count == 100)
        #expect(Set(handles.map(\.storageKey)).count == 100)
        for handle in handles {
            let value = handle.cookieValue
            #expect(value.utf8.count == 87)
            let parts = value.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 2)
            #expect(parts.allSatisfy { Base64URL.decode($0)?.count == 32 })
            #expect(parts[0] != parts[1])
            #expect(SessionHandle(cookieValue: value) == handle)
        }
    }

    static let id = OpenSSLRandom().token(byteCount: 32)
    static let secret = OpenSSLRandom().token(byteCount: 32)

    @Test(arguments: [
        "",
        "abc",
        "../x",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        String(repeating: "A", count: 4096),
        // The format of earlier versions: one 43-character id.
        id,
        id + ".",
        "." + secret,
        id + secret + "A",
        id + "." + secret + "A",
        id + "." + String(secret.dropLast()),
        id + ":" + secret,
        id + "." + secret.dropLast() + "=",
        id + "." + secret.dropLast() + "\0",
        String(id.dropLast()) + "/." + secret,
        String(id.dropLast()) + "+." + secret,
        id + "." + String(secret.dropLast()) + "é",
        // A last character with non-zero padding bits: a second spelling of some value,
        // refused so that every handle has a single spelling, in either part.
        String(repeating: "A", count: 42) + "B." + secret,
        id + "." + String(repeating: "A", count: 42) + "B",
    ])
    func rejectsMalformedValues(_ value: String) {
        #expect(SessionHandle(cookieValue: value) == nil)
    }

    @Test func storageKeyIsTheHexSHA256OfTheIDPart() {
        let handle = SessionHandle.generate(using: OpenSSLRandom())
        let idPart = String(handle.cookieValue.prefix(43))
        #expect(handle.storageKey == Digest.hex(Digest.sha256(idPart)))
        #expect(SessionFileName(classifying: handle.storageKey) == .session(handle.storageKey))
    }

    @Test func theSealingKeyDependsOnTheSecretAlone() throws {
        let handle = SessionHandle.generate(using: OpenSSLRandom())
        let sameID = try #require(SessionHandle(cookieValue: handle.cookieValue.prefix(44) + Self.secret))
        #expect(sameID.storageKey == handle.storageKey)
        #expect(sameID != handle)
        #expect(sameID.sealingKey() != handle.sealingKey())
        #expect(handle.sealingKey() == SessionHandle(cookieValue: handle.cookieValue)?.sealingKey())
        #expect(handle.sealingKey().count == 32)
    }

    @Test func theFingerprintIsKeyedAndTellsSecretsApart() throws {
        let handle = SessionHandle.generate(using: OpenSSLRandom())
        let sameID = try #require(SessionHandle(cookieValue: handle.cookieValue.prefix(44) + Self.secret))
        let key = OpenSSLRandom().bytes(32)
        #expect(handle.fingerprint(keyedBy: key) == handle.fingerprint(keyedBy: key))
        #expect(handle.fingerprint(keyedBy: key) != sameID.fingerprint(keyedBy: key))
        #expect(handle.fingerprint(keyedBy: key) != handle.fingerprint(keyedBy: OpenSSLRandom().bytes(32)))
        #expect(handle.fingerprint(keyedBy: key) != handle.sealingKey())
    }

    @Test func printingAHandleRevealsNothing() {
        let handle = SessionHandle.generate(using: OpenSSLRandom())
        let session = Session(handle: handle, createdAt: .now, lastSeen: .now)
        var dumped = ""
        dump(session, to: &dumped)
        for text in ["\(handle)", String(reflecting: handle), "\(session)", dumped] {
            for part in handle.cookieValue.split(separator: ".") { #expect(!text.contains(part)) }
        }
    }

    @Test func classifiesDirectoryEntries() {
        let hash = String(repeating: "ab", count: 32)
        #expect(SessionFileName(classifying: hash) == .session(hash))
        #expect(SessionFileName(classifying: hash + ".lock") == .lock(session: hash))
        #expect(SessionFileName(classifying: hash + ".refresh") == .refreshLock(session: hash))
        #expect(SessionFileName(classifying: hash + ".claim") == .claim)
        #expect(SessionFileName(classifying: hash + ".tmp-12-3") == .temporary)
        #expect(SessionFileName(classifying: hash + ".corrupt") == .corrupt)
        #expect(SessionFileName(classifying: hash.uppercased()) == .other)
        #expect(SessionFileName(classifying: "README") == .other)
        #expect(SessionFileName(classifying: hash + ".bak") == .other)
    }
}
