import Foundation
import Glibc
@testable import SessionStore
import Testing
import TestSupport

/// Reads never write on their caller's thread: the sliding-expiry touch runs on the store's
/// background worker, bounded, coalesced per session, and compare-and-set on the version.
@Suite struct BackgroundTouchTests {
    /// Creates `count` sessions, moves the clock past the touch interval and keeps the worker
    /// busy until the returned lock is released: one more session, its write lock held by the
    /// test, loaded so that the worker waits for that lock.
    func sessionsWithABlockedWorker(_ f: Fixture, count: Int) throws -> (held: SessionLock, sessions: [Session]) {
        let blocker = try f.store.create()
        let sessions = try (0..<count).map { _ in try f.store.create() }
        f.clock.advance(120)
        let held = try #require(try SessionLock.acquire(f.path(blocker.handle) + ".lock", fileSystem: POSIXFileSystem()))
        _ = try f.store.load(blocker.handle)
        // Until the worker has taken that job (and waits for the lock), the queue has one less place.
        let deadline = Date().addingTimeInterval(10)
        while f.store.background.waitingCount > 0 && Date() < deadline { usleep(1000) }
        return (held, sessions)
    }

    @Test func touchesRunOnTheWorkerNotOnTheReadingThread() throws {
        let f = try Fixture()
        defer { f.remove() }
        let sessions = try (0..<40).map { _ in try f.store.create() }
        f.clock.advance(120) // every touch is due
        f.fileSystem.resetCalls()
        let reader = pthread_self()
        for session in sessions { #expect(try f.store.load(session.handle) == session) }
        let onReader = f.fileSystem.callsWithThreads.filter { pthread_equal($0.thread, reader) != 0 }
        #expect(Set(onReader.map(\.step)).isSubset(of: [.stat, .open, .read, .close]), "reads only: \(onReader.map(\.step))")

        f.settle()
        let writes = f.fileSystem.callsWithThreads.filter { [.flock, .create, .write, .fsync, .rename].contains($0.step) }
        #expect(writes.filter { $0.step == .rename }.count == sessions.count, "one touch per session")
        #expect(writes.allSatisfy { pthread_equal($0.thread, reader) == 0 }, "none on the reading thread")
        #expect(f.store.backgroundStatistics.performed == sessions.count)
        for session in sessions { #expect(try f.secondStore().load(session.handle)?.lastSeen == f.clock.now) }
    }

    @Test func aFullQueueDropsTouchesCountsThemAndStaysUsable() throws {
        let f = try Fixture(backgroundCapacity: 2)
        defer { f.remove() }
        let (held, sessions) = try sessionsWithABlockedWorker(f, count: 10)
        for _ in 0..<3 { for session in sessions { #expect(try f.store.load(session.handle) != nil, "reads never wait") } }
        let statistics = f.store.backgroundStatistics
        // Two places: the first two sessions wait (then merge their later touches), the other
        // eight are dropped in each of the three rounds.
        #expect(statistics.queued == 3, "\(statistics)")
        #expect(statistics.coalesced == 4, "\(statistics)")
        #expect(statistics.dropped == 24, "\(statistics)")
        #expect(f.log.count(containing: "background queue full", level: .warning) == 1, "one warning per full spell")
        held.release()
        f.settle()
        // Dropped touches only mean an older last-seen time; every session still loads.
        for session in sessions { #expect(try f.store.load(session.handle) != nil) }
    }

    @Test func touchesOfOneSessionAreCoalesced() throws {
        let f = try Fixture()
        defer { f.remove() }
        let (held, sessions) = try sessionsWithABlockedWorker(f, count: 1)
        let session = sessions[0]
        for _ in 0..<5 { _ = try f.store.load(session.handle) }
        held.release()
        f.settle()
        let statistics = f.store.backgroundStatistics
        #expect(statistics.coalesced == 4, "\(statistics)")
        #expect(try f.secondStore().load(session.handle)?.version == 2, "written once")
    }

    /// A touch computed from an older copy loses the compare-and-set, even when the newer
    /// write came from an instance whose clock is behind (so the touch still looks due).
    @Test func aLateTouchNeverOverwritesANewerWrite() throws {
        let f = try Fixture()
        defer { f.remove() }
        let (held, sessions) = try sessionsWithABlockedWorker(f, count: 1)
        let session = sessions[0]
        _ = try f.store.load(session.handle) // its touch waits behind the blocker's
        let behind = TestClock(f.clock.now.addingTimeInterval(-60))
        let skewed = try FileSessionStore(directory: f.directory, policy: f.policy, clock: behind.clock, logger: f.log.logger)
        #expect(try skewed.update(session.handle) { $0.attributes["newer"] = "1" }?.version == 2)
        held.release()
        f.settle()
        let stored = try #require(try f.secondStore().load(session.handle))
        #expect(stored.attributes["newer"] == "1")
        #expect(stored.version == 2, "the touch did not land")
    }
}
