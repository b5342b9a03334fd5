import CryptoSupport
import Encodings
import Foundation
import Glibc
@testable import SessionStore
import Testing

/// The store's cache of decoded sessions: a file another store changed is read afresh, an
/// unchanged one is not opened again, a wrong secret gets nothing, and the cache is bounded.
@Suite struct DecodedSessionCacheTests {
    @Test func aFileChangedByAnotherStoreIsDecodedAfresh() throws {
        let f = try Fixture()
        defer { f.remove() }
        let other = try f.secondStore()
        let session = try f.store.create { $0.attributes["v"] = "1" }
        #expect(try f.store.load(session.handle)?.attributes["v"] == "1") // cached now
        _ = try other.update(session.handle) { $0.attributes["v"] = "2" } // same length, another "process"
        #expect(try f.store.load(session.handle)?.attributes["v"] == "2")
        _ = try other.update(session.handle) { $0.attributes["v"] = "3" }
        #expect(try f.store.load(session.handle)?.attributes["v"] == "3", "seen at once, every time")
    }

    @Test func anUnchangedFileIsNotOpenedAgain() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["v"] = "1" }
        let restarted = try f.restartedStore()
        f.fileSystem.resetCalls()
        #expect(try restarted.load(session.handle) == session)
        #expect(f.fileSystem.calls.contains(.read), "the first read of a process opens the file")
        f.fileSystem.resetCalls()
        for _ in 0..<3 { #expect(try restarted.load(session.handle) == session) }
        #expect(f.fileSystem.calls == [.stat, .stat, .stat], "then a stat is all a read costs")
    }

    @Test func aWrongSecretForACachedIDGetsNothing() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["v"] = "1" }
        #expect(try f.store.load(session.handle) != nil) // cached now
        let id = session.handle.cookieValue.prefix(43)
        let forged = try #require(SessionHandle(cookieValue: id + "." + OpenSSLRandom().token(byteCount: 32)))
        #expect(forged.storageKey == session.handle.storageKey, "same entry, another secret")
        #expect(try f.store.load(forged) == nil)
        #expect(try f.store.update(forged) { $0.attributes["v"] = "forged" } == nil)
        try f.store.delete(forged)
        #expect(try f.store.rotate(forged) { _, _ in } == nil)
        #expect(try f.store.load(session.handle)?.attributes["v"] == "1", "the real session is untouched")
        f.settle()
        #expect(f.entries().filter { !$0.hasSuffix(".lock") } == [f.fileName(session.handle)], "nothing moved aside")
    }

    /// A network store's stamp: two seals of the same session never share one (a fresh
    /// nonce each time), the same bytes always do, and so does nothing else of that length.
    @Test func recordStampsTellEverySealApart() throws {
        let session = Session(handle: unknownHandle(), createdAt: .now, lastSeen: .now, attributes: ["a": "1"])
        let key = session.handle.sealingKey()
        let first = SessionRecord.seal(session, key: key, random: OpenSSLRandom())
        let second = SessionRecord.seal(session, key: key, random: OpenSSLRandom())
        #expect(RecordStamp(first).isSameVersion(as: RecordStamp(first)))
        #expect(!RecordStamp(first).isSameVersion(as: RecordStamp(second)))
        var retagged = first
        retagged[retagged.count - 1] ^= 1
        #expect(!RecordStamp(first).isSameVersion(as: RecordStamp(retagged)))
        #expect(!RecordStamp(first).isSameVersion(as: RecordStamp(first + [0])))
    }

    @Test func theCacheIsBounded() throws {
        let cache = DecodedSessionCache<FileStatus>(capacity: 3)
        let session = Session(handle: unknownHandle(), createdAt: .now, lastSeen: .now)
        let status = FileStatus(device: 1, inode: 2, size: 3, isRegularFile: true, isDirectory: false, permissions: 0o600,
                                modified: 4, modifiedNanoseconds: 4_000_000_000, changedNanoseconds: 4_000_000_000)
        let key = cache.keys(for: session.handle).fingerprint
        for name in ["a", "b", "c", "d"] { cache.remember(session, status: status, fingerprint: key, named: name) }
        let kept = ["a", "b", "c", "d"].filter { cache.session(named: $0, status: status, fingerprint: key) != nil }
        #expect(kept.count == 3)
        #expect(cache.count == 3)
        let name = try #require(kept.first)
        var touched = status
        touched.modifiedNanoseconds += 1
        #expect(cache.session(named: name, status: touched, fingerprint: key) == nil, "a file changed within the same second is read again")
        var replaced = status
        replaced.inode += 1
        #expect(cache.session(named: name, status: replaced, fingerprint: key) == nil, "so is another inode")
        let otherSecret = cache.keys(for: unknownHandle()).fingerprint
        #expect(cache.session(named: name, status: status, fingerprint: otherSecret) == nil, "and another secret")
    }
}
