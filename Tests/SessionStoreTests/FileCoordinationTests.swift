import CryptoSupport
import Foundation
import Glibc
@testable import SessionStore
import Testing

/// The file store's side of the coordination primitives: claims expire by the store's clock
/// and are swept, refresh locks are cleaned up with their session, and a dead holder's lock
/// is free.
@Suite struct FileCoordinationTests {
    @Test func aClaimCanBeMadeAgainAfterItsTimeAndIsThenSwept() throws {
        let f = try Fixture()
        defer { f.remove() }
        #expect(try f.store.claimOnce("k", ttl: .seconds(60)))
        f.clock.advance(59)
        #expect(try f.store.claimOnce("k", ttl: .seconds(60)) == false)
        #expect(try f.store.sweepExpired().claimsRemoved == 0, "a live claim stays")
        f.clock.advance(1)
        #expect(try f.secondStore().claimOnce("k", ttl: .seconds(60)), "claimable again after the ttl")
        #expect(try f.store.claimOnce("k", ttl: .seconds(60)) == false)
        f.clock.advance(61)
        #expect(try f.store.sweepExpired().claimsRemoved == 1)
        #expect(f.entries().isEmpty)
    }

    @Test func aClaimFileNamesAHashAndHoldsOnlyAnExpiry() throws {
        let f = try Fixture()
        defer { f.remove() }
        #expect(try f.store.claimOnce("state=very-secret-state", ttl: .seconds(600)))
        let entry = try #require(f.entries().first)
        #expect(SessionFileName(classifying: entry) == .claim)
        let content = try String(contentsOfFile: f.directory + "/" + entry, encoding: .utf8)
        #expect(Int64(content.trimmingCharacters(in: .whitespacesAndNewlines)) == Int64(f.clock.now.timeIntervalSince1970 * 1000) + 600_000)
    }

    @Test func aClaimWhoseClaimerDiedBeforeWritingIsFree() throws {
        let f = try Fixture()
        defer { f.remove() }
        #expect(try f.store.claimOnce("k", ttl: .seconds(60)))
        let entry = try #require(f.entries().first)
        try Data().write(to: URL(fileURLWithPath: f.directory + "/" + entry)) // emptied, as a crash mid-claim leaves it
        #expect(try f.store.claimOnce("k", ttl: .seconds(60)))
    }

    @Test func refreshLocksAreSweptWithTheirSession() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        try f.store.withRefreshLock(session.handle, timeout: .seconds(5)) {}
        #expect(f.exists(f.fileName(session.handle) + ".refresh"))
        #expect(try f.store.sweepExpired().locksRemoved == 0, "kept while the session lives")
        try f.store.delete(session.handle)
        #expect(try f.store.sweepExpired().locksRemoved == 1)
        #expect(f.entries().isEmpty)
    }

    @Test func aHeldRefreshLockIsNeverSwept() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        try f.store.delete(session.handle)
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let store = f.store
        let thread = Thread {
            try? store.withRefreshLock(session.handle, timeout: .seconds(5)) {
                held.signal()
                release.wait()
            }
        }
        thread.start()
        held.wait()
        let report = try f.store.sweepExpired()
        #expect(report.locksRemoved == 0 && report.skippedBusy == 1)
        release.signal()
        while !thread.isFinished { usleep(1000) }
        #expect(try f.store.sweepExpired().locksRemoved == 1)
    }
}
