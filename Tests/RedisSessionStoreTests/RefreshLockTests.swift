import Dispatch
import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import Synchronization
import Testing

/// The token-refresh lock across instances: renewed while its holder works, lost when the
/// holder dies, released only by its holder.
@Suite struct RefreshLockTests {
    /// The lease is 900 ms; the holder works for 2.5 s. The lease is renewed all the while
    /// (every 300 ms), so the other instance never gets in, and gets in as soon as the holder
    /// is done.
    @Test func theLeaseIsRenewedWhileTheHolderWorks() throws {
        let fixture = try StoreFixture()
        let holder = try fixture.store(lease: .milliseconds(900))
        let other = try fixture.store(lease: .milliseconds(900))
        let handle = try holder.create().handle
        let inside = DispatchSemaphore(value: 0)
        let finished = Atomic<Bool>(false)
        let thread = Thread {
            try? holder.withRefreshLock(handle, timeout: .seconds(5)) {
                inside.signal()
                Thread.sleep(forTimeInterval: 2.5)
                finished.store(true, ordering: .sequentiallyConsistent)
            }
        }
        thread.start()
        inside.wait()
        var refusals = 0
        while !finished.load(ordering: .sequentiallyConsistent) {
            do {
                try other.withRefreshLock(handle, timeout: .milliseconds(50)) {
                    if !finished.load(ordering: .sequentiallyConsistent) { Issue.record("got the lock while it was held") }
                }
            } catch SessionStoreError.lockTimedOut {
                refusals += 1
            }
        }
        #expect(refusals > 3)
        #expect(try other.withRefreshLock(handle, timeout: .seconds(5)) { "next" } == "next")
        #expect(fixture.log.count(containing: "ran out") == 0)
    }

    /// A holder that died (its process killed) never releases; the lock ends with its lease.
    @Test func aDeadHoldersLockEndsWithItsLease() throws {
        let fixture = try StoreFixture()
        let store = try fixture.store()
        let handle = try store.create().handle
        let lock = fixture.keys.prefix + "{" + storageKey(of: handle) + "}:refresh"
        try fixture.inspector.execute(RedisCommand("SET", lock, "token-of-a-dead-process", "PX", 2000))
        #expect(throws: SessionStoreError.lockTimedOut(waited: .milliseconds(50))) {
            try store.withRefreshLock(handle, timeout: .milliseconds(50)) {}
        }
        #expect(try store.withRefreshLock(handle, timeout: .seconds(10)) { "after the lease" } == "after the lease")
    }

    /// The holder's lease ran out (it stalled) and another request took the lock: the first
    /// holder's release leaves the new holder's lock alone, and the lost lease is logged.
    @Test func onlyTheHolderReleases() throws {
        let fixture = try StoreFixture()
        let store = try fixture.store(lease: .milliseconds(150))
        let handle = try store.create().handle
        let lock = fixture.keys.prefix + "{" + storageKey(of: handle) + "}:refresh"
        try store.withRefreshLock(handle, timeout: .seconds(5)) {
            // What an expired lease and a new holder look like from here.
            try fixture.inspector.execute(RedisCommand("SET", lock, "the-next-holder", "PX", 30_000))
            // A renewal tick (every 50 ms) finds the lock someone else's.
            let deadline = Date().addingTimeInterval(10)
            while fixture.log.count(containing: "ran out before the refresh finished") == 0, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        #expect(try fixture.inspector.value(lock) == Array("the-next-holder".utf8))
        #expect(fixture.log.count(containing: "ran out before the refresh finished", level: .warning) == 1)
    }

    @Test func aFailingBodyReleasesTheLock() throws {
        struct Boom: Error {}
        let fixture = try StoreFixture()
        let store = try fixture.store()
        let handle = try store.create().handle
        #expect(throws: Boom.self) { try store.withRefreshLock(handle, timeout: .seconds(5)) { throw Boom() } }
        #expect(try fixture.storedKeys().allSatisfy { !$0.hasSuffix(":refresh") })
    }
}
