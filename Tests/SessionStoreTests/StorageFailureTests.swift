import Foundation
import Glibc
@testable import SessionStore
import Testing
import TestSupport

/// Whether `error` is the store's typed `unavailable`.
private func isUnavailable(_ error: any Error) -> Bool {
    if case SessionStoreError.unavailable = error { return true }
    return false
}

/// Disk full, read-only and missing directories: a typed `unavailable` error, a log line, and
/// no existing session damaged. Failures are injected at each step of the atomic write.
@Suite struct StorageFailureTests {
    @Test(arguments: [
        (FaultyFileSystem.Step.write, ENOSPC),
        (.fsync, EIO),
        (.close, EDQUOT),
        (.rename, EROFS),
        (.create, EROFS),
        (.create, ENOSPC),
        (.flock, ENOLCK),
    ])
    func failedUpdateLeavesTheOldSessionIntact(step: FaultyFileSystem.Step, code: Int32) throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["v"] = "old" }
        let before = try #require(f.status(session.handle))

        f.fileSystem.fail(step, with: code)
        var thrown: (any Error)?
        do {
            _ = try f.store.update(session.handle) { $0.attributes["v"] = "new" }
        } catch {
            thrown = error
        }
        f.fileSystem.heal()

        let error = try #require(thrown)
        #expect(isUnavailable(error), "got \(error)")
        #expect("\(error)".contains(String(cString: strerror(code))))
        #expect(f.log.count(containing: "session storage unavailable", level: .error) >= 1)
        #expect(try #require(f.status(session.handle)).st_ino == before.st_ino)
        #expect(try f.store.load(session.handle)?.attributes["v"] == "old")
        #expect(f.entries().filter { $0.contains(".tmp-") }.isEmpty, "temporary file removed")
    }

    @Test func failedCreateThrowsUnavailable() throws {
        let f = try Fixture()
        defer { f.remove() }
        f.fileSystem.fail(.write, with: ENOSPC)
        #expect(throws: SessionStoreError.self) { try f.store.create() }
        f.fileSystem.heal()
        #expect(f.entries().isEmpty)
    }

    @Test func failedReadThrowsUnavailable() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        // A restarted process has nothing decoded, so it must read the file.
        let restarted = try f.restartedStore()
        f.fileSystem.fail(.read, with: EIO)
        #expect(throws: SessionStoreError.self) { try restarted.load(session.handle) }
        f.fileSystem.heal()
        f.fileSystem.fail(.stat, with: EIO)
        #expect(throws: SessionStoreError.self) { try f.store.load(session.handle) }
    }

    @Test func failedDeleteOfTheOldSessionUndoesARotation() throws {
        let f = try Fixture()
        defer { f.remove() }
        let old = try f.store.create()
        // Removing the old session fails once; the new one is then removed again, so the
        // old id never coexists with a new one.
        f.fileSystem.fail(.unlink, with: EIO, times: 1)
        #expect(throws: SessionStoreError.self) { try f.store.rotate(old.handle) { _, _ in } }
        #expect(try f.store.load(old.handle) != nil)
        #expect(f.entries() == [f.fileName(old.handle), f.fileName(old.handle) + ".lock"].sorted())
    }

    /// The directory fsync after the old file's unlink fails: the rotation has happened (the
    /// new session is in place and the old one unlinked), so the new session stays valid.
    /// Earlier versions then deleted the new session too, losing both.
    @Test func aFailedDirectoryFsyncAfterRotatingKeepsTheNewSession() throws {
        let f = try Fixture()
        defer { f.remove() }
        let old = try f.store.create { $0.attributes["v"] = "old" }
        // Rotation's fsyncs: the new file, the directory after its rename, the directory
        // after the old file's unlink. The third fails.
        f.fileSystem.fail(.fsync, with: EIO, times: 1, after: 2)
        let new = try #require(try f.store.rotate(old.handle) { old, new in new.attributes = old.attributes })
        f.fileSystem.heal()
        #expect(try f.restartedStore().load(new.handle)?.attributes == ["v": "old"])
        #expect(try f.restartedStore().load(old.handle) == nil)
        #expect(f.log.count(containing: "fsync failed after rotation", level: .warning) == 1)
        #expect(f.entries() == [f.fileName(new.handle)])
    }

    /// The directory fsync after the new file's rename fails: the rotation fails, the new
    /// file is removed again and the old session is still there, so never both are lost.
    @Test func aFailedDirectoryFsyncWhileStoringTheNewSessionKeepsTheOldOne() throws {
        let f = try Fixture()
        defer { f.remove() }
        let old = try f.store.create { $0.attributes["v"] = "old" }
        f.fileSystem.fail(.fsync, with: EIO, times: 1, after: 1)
        #expect(throws: SessionStoreError.self) { try f.store.rotate(old.handle) { _, _ in } }
        f.fileSystem.heal()
        #expect(try f.restartedStore().load(old.handle)?.attributes == ["v": "old"])
        #expect(f.entries() == [f.fileName(old.handle), f.fileName(old.handle) + ".lock"].sorted())
    }

    @Test func missingDirectoryAtRunTimeIsUnavailableAndNotRecreated() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        try FileManager.default.removeItem(atPath: f.directory)

        #expect(throws: SessionStoreError.self) { try f.store.load(session.handle) }
        #expect(throws: SessionStoreError.self) { try f.store.update(session.handle) { _ in } }
        #expect(throws: SessionStoreError.self) { try f.store.create() }
        #expect(throws: SessionStoreError.self) { try f.store.sweepExpired() }
        #expect(!FileManager.default.fileExists(atPath: f.directory))
        #expect(f.log.count(containing: "is missing", level: .error) >= 1)
    }

    @Test func directoryIsCreatedWithParentsAtStartup() throws {
        let root = try Fixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try FileSessionStore(directory: root + "/a/b/sessions/", clock: TestClock().clock)
        #expect(store.directory == root + "/a/b/sessions")
        var info = stat()
        #expect(lstat(store.directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(try store.load(try store.create().handle) != nil)
    }

    @Test func aFileWhereTheDirectoryShouldBeIsRefused() throws {
        let root = try Fixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/sessions", contents: nil)
        #expect(throws: SessionStoreError.self) { try FileSessionStore(directory: root + "/sessions") }
    }
}
