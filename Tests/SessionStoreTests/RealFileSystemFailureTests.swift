import Foundation
import Glibc
@testable import SessionStore
import Testing
import TestSupport

/// The same failures on a real file system: a tiny tmpfs filled up (ENOSPC) and remounted
/// read-only (EROFS). Skipped where mounting is not allowed.
@Suite(.enabled(if: Tmpfs.available, "needs permission to mount a tmpfs (root)"))
struct RealFileSystemFailureTests {
    @Test func diskFull() throws {
        let tmpfs = try Tmpfs(size: "512k")
        defer { tmpfs.unmount() }
        let clock = TestClock()
        let log = LogCapture()
        let store = try FileSessionStore(directory: tmpfs.mountPoint + "/sessions", clock: clock.clock, logger: log.logger)
        let session = try store.create { $0.attributes["v"] = "old" }

        // Fill the file system to the last byte.
        let filler = tmpfs.mountPoint + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        try #require(fd >= 0)
        let chunk = [UInt8](repeating: 0x41, count: 16 * 1024)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == ENOSPC)
        close(fd)

        let big = String(repeating: "x", count: 100_000)
        #expect(throws: SessionStoreError.self) { try store.update(session.handle) { $0.attributes["big"] = big } }
        #expect(throws: SessionStoreError.self) { try store.create { $0.attributes["big"] = big } }
        #expect(log.count(containing: "No space left on device", level: .error) >= 2)
        #expect(try store.load(session.handle)?.attributes == ["v": "old"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)

        // Once space is back, writes work again.
        unlink(filler)
        #expect(try store.update(session.handle) { $0.attributes["big"] = big }?.attributes["big"] == big)
    }

    @Test func readOnlyFileSystem() throws {
        let tmpfs = try Tmpfs(size: "1m")
        defer { tmpfs.unmount() }
        let clock = TestClock()
        let log = LogCapture()
        let store = try FileSessionStore(directory: tmpfs.mountPoint + "/sessions", clock: clock.clock, logger: log.logger)
        let session = try store.create { $0.attributes["v"] = "old" }
        _ = try store.update(session.handle) { $0.attributes["w"] = "1" } // leaves a lock file
        let expected = try #require(try store.load(session.handle))

        try tmpfs.remount(readOnly: true)
        clock.advance(120) // so that a read wants to touch

        #expect(throws: SessionStoreError.self) { try store.update(session.handle) { $0.attributes["v"] = "new" } }
        #expect(throws: SessionStoreError.self) { try store.create() }
        #expect(throws: SessionStoreError.self) { try store.delete(session.handle) }
        #expect(log.count(containing: "Read-only file system", level: .error) >= 3)
        // Reading still works; the failed touch is only a warning.
        #expect(try store.load(session.handle)?.attributes == expected.attributes)

        try tmpfs.remount(readOnly: false)
        #expect(try store.load(session.handle)?.attributes == ["v": "old", "w": "1"])
    }
}
