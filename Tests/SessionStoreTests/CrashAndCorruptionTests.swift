import Foundation
@testable import SessionStore
import Testing

/// What a crash or a damaged file leaves behind: torn temporary files are ignored and swept,
/// undecodable session files count as no session, are moved aside and logged once.
@Suite struct CrashAndCorruptionTests {
    @Test func tornTemporaryFileIsIgnoredAndLaterSwept() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["v"] = "old" }
        // What `kill -9` in the middle of a write leaves: a half-written temporary file.
        let torn = f.fileName(session.handle) + ".tmp-4242-7"
        try Data(#"{"v":1,"createdAt":17"#.utf8).write(to: URL(fileURLWithPath: f.directory + "/" + torn))

        #expect(try f.store.load(session.handle)?.attributes["v"] == "old")
        #expect(try f.store.update(session.handle) { $0.attributes["v"] = "new" }?.attributes["v"] == "new")

        // Young temporary files may belong to a write in progress elsewhere: kept.
        var report = try f.store.sweepExpired()
        #expect(report.temporaryRemoved == 0)
        #expect(f.exists(torn))

        f.clock.advance(f.policy.temporaryFileGrace + 1)
        report = try f.store.sweepExpired()
        #expect(report.temporaryRemoved == 1)
        #expect(!f.exists(torn))
        #expect(try f.store.load(session.handle)?.attributes["v"] == "new")
    }

    @Test(arguments: [
        Data("not json".utf8),
        Data(),
        Data(#"{"v":1,"createdAt":"#.utf8),
        Data(#"{"v":99,"createdAt":0,"lastSeen":0,"claims":{},"pendingFlows":{},"attributes":{}}"#.utf8),
        Data([0xFF, 0xFE, 0x00, 0x01]),
    ])
    func corruptFileIsNoSessionMovedAsideAndLoggedOnce(_ garbage: Data) throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        try garbage.write(to: URL(fileURLWithPath: f.path(session.handle)))

        #expect(try f.store.load(session.handle) == nil)
        #expect(try f.store.load(session.handle) == nil)
        #expect(try f.store.update(session.handle) { $0.attributes["x"] = "y" } == nil)
        f.settle() // reads hand the file to the background worker, which moves it aside
        let name = f.fileName(session.handle)
        #expect(f.entries() == [name + ".corrupt"])
        #expect(f.log.count(containing: "corrupt", level: .error) == 1)
        let parts = session.handle.cookieValue.split(separator: ".")
        #expect(f.log.entries.allSatisfy { entry in parts.allSatisfy { !entry.text.contains($0) } }, "the handle is never logged")
    }

    @Test func oversizedFileIsCorruptWithoutBeingRead() throws {
        let f = try Fixture(policy: SessionPolicy(maxFileSize: 4096))
        defer { f.remove() }
        let session = try f.store.create()
        try Data(repeating: 0x20, count: 10_000).write(to: URL(fileURLWithPath: f.path(session.handle)))
        #expect(try f.store.load(session.handle) == nil)
        f.settle()
        #expect(f.log.count(containing: "larger than 4096") == 1)
    }

    @Test func sweepMovesCorruptFilesAsideAndLaterDeletesThem() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: f.path(session.handle)))
        try f.store.sweepExpired()
        #expect(f.entries() == [f.fileName(session.handle) + ".corrupt"])
        #expect(f.log.count(containing: "corrupt", level: .error) == 1)

        // The file's age comes from its real modification time, which a loaded machine may
        // put seconds after the fixture's clock started.
        f.clock.advance(f.policy.absoluteLifetime + 600)
        #expect(try f.store.sweepExpired().corruptRemoved == 1)
        #expect(f.entries().isEmpty)
    }

    @Test func symbolicLinkIsNeverFollowed() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        let target = f.root + "/elsewhere"
        try Data(try Data(contentsOf: URL(fileURLWithPath: f.path(session.handle)))).write(to: URL(fileURLWithPath: target))
        try FileManager.default.removeItem(atPath: f.path(session.handle))
        try FileManager.default.createSymbolicLink(atPath: f.path(session.handle), withDestinationPath: target)
        #expect(try f.store.load(session.handle) == nil)
    }
}
