import CryptoSupport
import Foundation
@testable import SessionStore
import Testing

/// The sweep removes expired sessions and stale lock files, keeps live ones, never waits for
/// a request's lock, and the background sweeper runs it off the request path.
@Suite struct SweepTests {
    @Test func removesExpiredAndKeepsLive() throws {
        let f = try Fixture()
        defer { f.remove() }
        let idle = try f.store.create()
        let active = try f.store.create()
        let alsoIdle = try f.store.create()
        _ = try f.store.update(idle.handle) { $0.attributes["x"] = "1" } // gives it a lock file
        f.clock.advance(30 * 60)
        _ = try f.store.update(active.handle) { $0.attributes["x"] = "1" }
        f.clock.advance(40 * 60)

        let report = try f.store.sweepExpired()
        #expect(report.expiredRemoved == 2)
        #expect(try f.store.load(active.handle) != nil)
        #expect(try f.store.load(idle.handle) == nil)
        #expect(try f.store.load(alsoIdle.handle) == nil)
        f.settle() // the load of the live one touched it in the background
        #expect(f.entries() == [f.fileName(active.handle), f.fileName(active.handle) + ".lock"].sorted())
    }

    @Test func removesLockFilesWithoutSessions() throws {
        let f = try Fixture()
        defer { f.remove() }
        let orphan = String(repeating: "0", count: 64) + ".lock"
        _ = FileManager.default.createFile(atPath: f.directory + "/" + orphan, contents: nil)
        _ = FileManager.default.createFile(atPath: f.directory + "/README", contents: nil)
        let report = try f.store.sweepExpired()
        #expect(report.locksRemoved == 1)
        #expect(f.entries() == ["README"], "unknown files are left alone")
    }

    @Test func skipsSessionsARequestHasLocked() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        f.clock.advance(2 * 60 * 60)
        let lockPath = f.path(session.handle) + ".lock"
        let held = try #require(try SessionLock.acquire(lockPath, fileSystem: POSIXFileSystem()))
        let report = try f.store.sweepExpired()
        #expect(report.skippedBusy == 1)
        #expect(f.status(session.handle) != nil)
        held.release()
        #expect(try f.store.sweepExpired().expiredRemoved == 1)
        #expect(f.entries().isEmpty)
    }

    @Test func sweepsManyFilesStreaming() throws {
        let f = try Fixture()
        defer { f.remove() }
        // Copies of one session file under many names: no handle opens them (each file is
        // bound to its own), but the sweep reads only the readable times.
        let template = try f.store.create()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.path(template.handle)))
        let random = OpenSSLRandom()
        for _ in 0..<2000 {
            let name = Digest.hex(Digest.sha256(random.token(byteCount: 32)))
            try bytes.write(to: URL(fileURLWithPath: f.directory + "/" + name))
        }
        let fresh = try f.store.create()
        f.clock.advance(30 * 60)
        _ = try f.store.load(fresh.handle) // touched: stays live
        f.settle()
        f.clock.advance(40 * 60)
        let report = try f.store.sweepExpired()
        #expect(report.scanned == 2003) // 2001 expired, the live one and its lock file
        #expect(report.expiredRemoved == 2001)
        #expect(f.entries() == [f.fileName(fresh.handle), f.fileName(fresh.handle) + ".lock"].sorted())
    }

    @Test func backgroundSweeperRuns() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        f.clock.advance(2 * 60 * 60)
        let sweeper = SessionSweeper(store: f.store, interval: 3600, logger: f.log.logger)
        sweeper.start() // first sweep right away, on the sweeper's queue
        // Waits for the background sweep; the clock is not involved.
        let deadline = Date().addingTimeInterval(10)
        // The log line follows the removal, so wait for both.
        while (f.status(session.handle) != nil || f.log.count(containing: "session sweep") == 0) && Date() < deadline { usleep(5_000) }
        sweeper.stop()
        #expect(f.status(session.handle) == nil)
        #expect(f.log.count(containing: "session sweep") >= 1)
    }
}
