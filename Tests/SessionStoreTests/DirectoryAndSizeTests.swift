import Foundation
import Glibc
@testable import SessionStore
import Testing
import TestSupport

/// A session directory reached through a symlink, and a session too large to read back.
@Suite struct DirectoryAndSizeTests {
    @Test func symlinkedDirectoryIsResolved() throws {
        let root = try Fixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/real")
        let store = try FileSessionStore(directory: root + "/link", clock: TestClock().clock)
        #expect(store.directory == root + "/real")
        let session = try store.create()
        #expect(try store.load(session.handle) != nil)
    }

    @Test func sessionTooLargeToReadBackIsRefusedAndNothingIsWritten() throws {
        let f = try Fixture(policy: SessionPolicy(maxFileSize: 2048))
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["v"] = "small" }
        let big = String(repeating: "x", count: 4096)
        let error = #expect(throws: SessionStoreError.self) {
            try f.store.update(session.handle) { $0.attributes["v"] = big }
        }
        guard case .tooLarge(let bytes, let limit) = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(bytes > 4096 && limit == 2048)
        #expect(try f.store.load(session.handle)?.attributes["v"] == "small")
        #expect(throws: SessionStoreError.self) { try f.store.create { $0.attributes["v"] = big } }
        #expect(f.entries() == [f.fileName(session.handle), f.fileName(session.handle) + ".lock"].sorted())
    }
}
