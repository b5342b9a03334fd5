import Foundation
@testable import SessionStore
import Testing

/// Idle and absolute expiry with an injected clock, and the batched sliding-expiry touch.
@Suite struct ExpiryTests {
    @Test func idleSessionExpires() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        f.clock.advance(3599)
        #expect(try f.store.load(session.handle) != nil)
        f.settle()
        f.clock.advance(3600) // an hour after the touch the load above recorded
        #expect(try f.store.load(session.handle) == nil)
        #expect(try f.store.update(session.handle) { $0.attributes["x"] = "y" } == nil)
    }

    @Test func activityKeepsASessionAliveUntilTheAbsoluteLifetime() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        // Used every 30 minutes: never idle for an hour.
        for _ in 0..<47 {
            f.clock.advance(30 * 60)
            #expect(try f.store.load(session.handle) != nil)
            f.settle()
        }
        f.clock.advance(30 * 60) // 24 hours after creation
        #expect(try f.store.load(session.handle) == nil)
    }

    @Test func lifetimesAreConfigurable() throws {
        let f = try Fixture(policy: SessionPolicy(idleTimeout: 120, absoluteLifetime: 300, touchInterval: 10))
        defer { f.remove() }
        let session = try f.store.create()
        f.clock.advance(119)
        #expect(try f.store.load(session.handle) != nil)
        f.settle()
        f.clock.advance(119)
        #expect(try f.store.load(session.handle) != nil)
        f.settle()
        f.clock.advance(61) // 299 s: idle 61 s, still within both limits
        #expect(try f.store.load(session.handle) != nil)
        f.settle()
        f.clock.advance(1) // 300 s: absolute lifetime reached
        #expect(try f.store.load(session.handle) == nil)
        #expect(f.store.policy.expiry(of: session) == session.createdAt.addingTimeInterval(120))
    }

    @Test func readsWithinTheTouchIntervalDoNotWrite() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        let before = try #require(f.status(session.handle))
        let entries = f.entries()

        for _ in 0..<5 {
            f.clock.advance(11) // 55 s in total
            #expect(try f.store.load(session.handle) == session)
        }
        let after = try #require(f.status(session.handle))
        #expect(after.st_ino == before.st_ino)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(f.entries() == entries, "not even a lock file")

        f.clock.advance(5) // 60 s since the last write: the touch is due
        #expect(try f.store.load(session.handle) == session, "the read returns what is stored")
        f.settle() // the touch is written in the background
        let touched = try #require(try f.store.load(session.handle))
        #expect(touched.lastSeen == f.clock.now)
        #expect(touched.version == session.version + 1)
        #expect(try #require(f.status(session.handle)).st_ino != before.st_ino)
        #expect(try f.secondStore().load(session.handle)?.lastSeen == f.clock.now)
    }

    @Test func failingTouchStillReturnsTheSession() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        f.clock.advance(120)
        f.fileSystem.fail(.create, with: EROFS)
        let loaded = try #require(try f.store.load(session.handle))
        f.settle()
        #expect(f.log.count(containing: "could not refresh", level: .warning) == 1)
        #expect(loaded.lastSeen == session.lastSeen)
        #expect(try f.store.load(session.handle)?.lastSeen == session.lastSeen, "nothing was written")
        f.settle() // that read's touch fails too, before the fixture goes
    }
}
