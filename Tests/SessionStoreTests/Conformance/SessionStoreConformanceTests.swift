// The behaviour every SessionStore backend must have, written against the protocol only and
// run for every entry of `StoreBackend.all` (see StoreBackend.swift for how a backend joins).
import CryptoSupport
import Dispatch
import Encodings
import Foundation
import SessionStore
import Synchronization
import Testing
import TestSupport

/// Runs `body` with a fresh namespace of `backend` and removes it afterwards.
func withNamespace(_ backend: StoreBackend, policy: SessionPolicy = SessionPolicy(),
                   _ body: (any StoreNamespace) throws -> Void) throws {
    let namespace = try backend.makeNamespace(policy)
    defer { namespace.destroy() }
    try body(namespace)
}

/// A signed-in session's content with values the sealed-at-rest scan looks for.
enum Secrets {
    static let accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-token-value-7f3a"
    static let refreshToken = "0.AXEAbCdE-refresh-token-value-91c2"
    static let idToken = "eyJhbGciOiJSUzI1NiJ9.id-token-value-44b1.sig"
    static let name = "Zoë Secretname"
    static let email = "zoe.secretname@contoso.example"
    static let returnPath = "/secret-return-path-0d9e"
    static let claimKey = "callback:state-value-0d9e"

    /// Every value the scan looks for.
    static var all: [String] { [accessToken, refreshToken, idToken, name, email, returnPath, claimKey] }

    /// Fills `session` as a signed-in one, holding every value of `all`.
    static func signIn(_ session: inout Session) {
        session.claims = ["sub": .string("subject-1"), "name": .string(name), "preferred_username": .string(email),
                          "email": .string(email)]
        session.tokenCache = #"{"AccessToken":{"a":{"secret":"\#(accessToken)"}},"RefreshToken":{"r":{"secret":"\#(refreshToken)"}},"IdToken":{"i":{"secret":"\#(idToken)"}}}"#
        session.attributes["returnTo"] = returnPath
    }
}

/// The behaviour every backend shares, one test per property, each run for every backend.
@Suite struct SessionStoreConformanceTests {
    @Test(arguments: StoreBackend.all)
    func aSessionSurvivesTheRoundTripToAnotherInstance(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let created = try store.create(Secrets.signIn)
            #expect(created.version == 1)
            #expect(created.createdAt == namespace.clock.now && created.lastSeen == namespace.clock.now)
            let loaded = try #require(try namespace.openStore().load(created.handle))
            #expect(loaded == created)
            #expect(loaded.claims["name"]?.stringValue == Secrets.name)
            #expect(SessionHandle(cookieValue: created.handle.cookieValue) == created.handle)
        }
    }

    @Test(arguments: StoreBackend.all)
    func unknownAndForgedHandlesFindNothingAndChangeNothing(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let real = try store.create(Secrets.signIn)
            let idPart = real.handle.cookieValue.prefix(43)
            let forged = try #require(SessionHandle(cookieValue: idPart + "." + OpenSSLRandom().token(byteCount: 32)))
            for handle in [SessionHandle.generate(using: OpenSSLRandom()), forged] {
                #expect(try store.load(handle) == nil)
                #expect(try store.update(handle) { $0.attributes["x"] = "y" } == nil)
                #expect(try store.rotate(handle) { _, new in new.attributes["x"] = "y" } == nil)
                try store.delete(handle)
            }
            #expect(try namespace.openStore().load(real.handle) == real, "the real session is untouched")
        }
    }

    @Test(arguments: StoreBackend.all)
    func sessionsExpireByIdleTimeoutAndAbsoluteLifetime(_ backend: StoreBackend) throws {
        let policy = SessionPolicy(idleTimeout: 120, absoluteLifetime: 300, touchInterval: 10)
        try withNamespace(backend, policy: policy) { namespace in
            let store = try namespace.openStore()
            let idle = try store.create()
            let active = try store.create()
            namespace.clock.advance(119)
            #expect(try store.load(active.handle) != nil)
            namespace.settle(store)
            namespace.clock.advance(1) // 120 s without a use
            #expect(try store.load(idle.handle) == nil)
            #expect(try store.update(idle.handle) { $0.attributes["x"] = "y" } == nil, "an expired session is not revived")
            for step in [90.0, 89.0] { // at 210 s and 299 s after creation
                namespace.clock.advance(step)
                #expect(try store.load(active.handle) != nil, "used every 90 s: never idle for 120 s")
                namespace.settle(store)
            }
            namespace.clock.advance(1) // 300 s: the absolute lifetime
            #expect(try store.load(active.handle) == nil)
            #expect(try namespace.openStore().load(active.handle) == nil)
        }
    }

    @Test(arguments: StoreBackend.all)
    func everyWriteCountsTheVersionAndAnUnchangedUpdateWritesNothing(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let session = try store.create { $0.attributes["n"] = "1" }
            namespace.clock.advance(1)
            #expect(try store.update(session.handle) { $0.attributes["n"] = "1" } == session, "nothing changed")
            let changed = try #require(try store.update(session.handle) { $0.attributes["n"] = "2" })
            #expect(changed.version == 2)
            #expect(changed.lastSeen == namespace.clock.now, "a write records activity")
            #expect(try namespace.openStore().load(session.handle) == changed)
        }
    }

    @Test(arguments: StoreBackend.all)
    func concurrentUpdatesFromTwoInstancesLoseNothing(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let stores = [try namespace.openStore(), try namespace.openStore()]
            let handle = try stores[0].create().handle
            let errors = onThreads(8) { index in
                for round in 0..<10 { try increment(stores[index % 2], handle, key: "t\(index)-\(round)") }
            }
            #expect(errors.isEmpty)
            let session = try #require(try stores[1].load(handle))
            #expect(session.attributes["counter"] == "80")
            #expect(session.attributes.count == 81)
            #expect(session.version == 81)
        }
    }

    /// A write that lands while another update is between its read and its write: the other
    /// update either waited (a store that serializes writers) or runs again on the fresh copy
    /// (compare-and-set lost); both changes survive either way.
    @Test(arguments: StoreBackend.all)
    func aRacingWriteIsNeitherLostNorOverwritten(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let first = try namespace.openStore()
            let second = try namespace.openStore()
            let handle = try first.create().handle
            let inBody = DispatchSemaphore(value: 0)
            let secondDone = DispatchSemaphore(value: 0)
            let runs = Atomic<Int>(0)
            let thread = Thread {
                _ = try? first.update(handle) { session in
                    if runs.add(1, ordering: .relaxed).newValue == 1 {
                        inBody.signal()
                        // Gives the second writer time to land (if the store lets it).
                        _ = secondDone.wait(timeout: .now() + .milliseconds(300))
                    }
                    session.attributes["first"] = "1"
                }
            }
            thread.start()
            inBody.wait()
            #expect(try second.update(handle) { $0.attributes["second"] = "1" } != nil)
            secondDone.signal()
            while thread.isExecuting || !thread.isFinished { usleep(1000) }
            let session = try #require(try namespace.openStore().load(handle))
            #expect(session.attributes == ["first": "1", "second": "1"])
            #expect(session.version == 3)
            #expect((1...SessionStores.maximumUpdateAttempts).contains(runs.load(ordering: .relaxed)))
        }
    }

    @Test(arguments: StoreBackend.all)
    func aSignOutBeatsALateWriteOnAnyInstance(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let requestStore = try namespace.openStore()
            let signOutStore = try namespace.openStore()
            let handle = try requestStore.create(Secrets.signIn).handle
            #expect(try signOutStore.load(handle) != nil)
            let inBody = DispatchSemaphore(value: 0)
            let deleted = DispatchSemaphore(value: 0)
            let result = Mutex<Session??>(nil)
            let thread = Thread {
                let updated = try? requestStore.update(handle) { session in
                    inBody.signal()
                    _ = deleted.wait(timeout: .now() + .milliseconds(300))
                    session.attributes["late"] = "write"
                }
                result.withLock { $0 = .some(updated ?? nil) }
            }
            thread.start()
            inBody.wait()
            try signOutStore.delete(handle)
            deleted.signal()
            while !thread.isFinished { usleep(1000) }
            #expect(try requestStore.load(handle) == nil)
            #expect(try signOutStore.load(handle) == nil)
            #expect(try namespace.openStore().load(handle) == nil, "signed out everywhere, whatever order the two landed in")
            // And a write after the sign-out finds nothing to write to.
            #expect(try requestStore.update(handle) { $0.attributes["later"] = "write" } == nil)
            #expect(try namespace.openStore().load(handle) == nil)
        }
    }

    @Test(arguments: StoreBackend.all)
    func aBackgroundTouchNeverRevivesNorRevertsASession(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let deleted = try store.create()
            let updated = try store.create()
            namespace.clock.advance(120) // touches are due
            #expect(try store.load(deleted.handle) != nil)
            #expect(try store.load(updated.handle) != nil)
            try namespace.openStore().delete(deleted.handle)
            _ = try namespace.openStore().update(updated.handle) { $0.attributes["newer"] = "1" }
            namespace.settle(store)
            #expect(try namespace.openStore().load(deleted.handle) == nil)
            #expect(try namespace.openStore().load(updated.handle)?.attributes["newer"] == "1")
        }
    }

    @Test(arguments: StoreBackend.all)
    func rotationIssuesANewHandleAndEndsTheOldOne(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let old = try store.create { s in
                s.attributes["carried"] = "wanted"
                s.attributes["planted"] = "by an attacker"
            }
            namespace.clock.advance(30)
            let new = try #require(try store.rotate(old.handle) { old, new in
                new.attributes["carried"] = old.attributes["carried"]
                new.claims = ["sub": .string("user")]
            })
            #expect(new.handle != old.handle)
            #expect(new.handle.storageKey != old.handle.storageKey)
            #expect(new.attributes == ["carried": "wanted"], "only what carry copies comes along")
            #expect(new.createdAt == namespace.clock.now && new.version == 1)
            let other = try namespace.openStore()
            #expect(try other.load(old.handle) == nil)
            #expect(try other.load(new.handle) == new)
            #expect(try store.rotate(old.handle) { _, _ in } == nil, "a rotated session cannot be rotated again")
        }
    }

    @Test(arguments: StoreBackend.all)
    func theRefreshLockExcludesHoldersOnEveryInstance(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let stores = [try namespace.openStore(), try namespace.openStore()]
            let handle = try stores[0].create().handle
            let inside = Atomic<Int>(0)
            let mostInside = Atomic<Int>(0)
            let errors = onThreads(6) { index in
                for _ in 0..<5 {
                    try stores[index % 2].withRefreshLock(handle, timeout: .seconds(30)) {
                        let now = inside.add(1, ordering: .sequentiallyConsistent).newValue
                        mostInside.max(now, ordering: .sequentiallyConsistent)
                        usleep(2000)
                        inside.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
            #expect(errors.isEmpty)
            #expect(mostInside.load(ordering: .sequentiallyConsistent) == 1)

            // Held on one instance: the other gives up after its timeout without running.
            let held = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let holder = Thread {
                try? stores[0].withRefreshLock(handle, timeout: .seconds(5)) {
                    held.signal()
                    release.wait()
                }
            }
            holder.start()
            held.wait()
            let ran = Atomic<Bool>(false)
            #expect(throws: SessionStoreError.lockTimedOut(waited: .milliseconds(100))) {
                try stores[1].withRefreshLock(handle, timeout: .milliseconds(100)) { ran.store(true, ordering: .relaxed) }
            }
            let didRun = ran.load(ordering: .relaxed)
            #expect(!didRun)
            release.signal()
            #expect(try stores[1].withRefreshLock(handle, timeout: .seconds(30)) { "after" } == "after")
            // The lock does not stand in the way of reads and writes.
            #expect(try stores[1].withRefreshLock(handle, timeout: .seconds(5)) {
                try stores[0].update(handle) { $0.attributes["during"] = "lock" }?.attributes["during"]
            } == "lock")
        }
    }

    /// The app's refresh pattern: waiters re-read inside the lock, so however many requests
    /// on however many instances find the token expired, one of them refreshes.
    @Test(arguments: StoreBackend.all)
    func waitersReadingInsideTheRefreshLockRefreshOnce(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let stores = [try namespace.openStore(), try namespace.openStore(), try namespace.openStore()]
            let handle = try stores[0].create { $0.tokenCache = "expired" }.handle
            let redemptions = Atomic<Int>(0)
            let errors = onThreads(12) { index in
                let store = stores[index % stores.count]
                guard try store.load(handle)?.tokenCache == "expired" else { return } // what every request sees first
                try store.withRefreshLock(handle, timeout: .seconds(30)) {
                    guard try store.load(handle)?.tokenCache == "expired" else { return }
                    redemptions.add(1, ordering: .relaxed)
                    usleep(20_000) // the token call
                    _ = try store.update(handle) { $0.tokenCache = "fresh" }
                }
            }
            #expect(errors.isEmpty)
            #expect(redemptions.load(ordering: .relaxed) == 1)
            #expect(try stores[2].load(handle)?.tokenCache == "fresh")
        }
    }

    @Test(arguments: StoreBackend.all)
    func aClaimSucceedsOnceAcrossInstances(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let stores = [try namespace.openStore(), try namespace.openStore()]
            let wins = Atomic<Int>(0)
            let errors = onThreads(16) { index in
                if try stores[index % 2].claimOnce("callback:state-abc", ttl: .seconds(600)) { wins.add(1, ordering: .relaxed) }
            }
            #expect(errors.isEmpty)
            #expect(wins.load(ordering: .relaxed) == 1)
            #expect(try stores[0].claimOnce("callback:state-abc", ttl: .seconds(600)) == false)
            #expect(try stores[1].claimOnce("callback:state-other", ttl: .seconds(600)) == true, "keys are independent")
            #expect(try stores[0].claimOnce("callback:state-other", ttl: .seconds(600)) == false)
            #expect(!contains(try namespace.storedBytes(), "state-abc"), "only a hash of the key is stored")
        }
    }

    @Test(arguments: StoreBackend.all)
    func aCopyOfTheStoreRevealsNoTokenNameOrEmail(_ backend: StoreBackend) throws {
        try withNamespace(backend) { namespace in
            let store = try namespace.openStore()
            let first = try store.create(Secrets.signIn)
            let second = try #require(try store.rotate(first.handle) { old, new in
                new.claims = old.claims
                new.tokenCache = old.tokenCache
            })
            _ = try store.update(second.handle) { $0.attributes["flash"] = Secrets.name }
            namespace.clock.advance(120)
            _ = try store.load(second.handle)
            namespace.settle(store)
            let kept = try store.create(Secrets.signIn)
            _ = try store.withRefreshLock(kept.handle, timeout: .seconds(5)) { true }
            _ = try store.claimOnce(Secrets.claimKey, ttl: .seconds(60))

            let bytes = try namespace.storedBytes()
            #expect(!bytes.isEmpty)
            var secrets = Secrets.all + ["subject-1", "preferred_username", "/graph"]
            for handle in [first.handle, second.handle, kept.handle] {
                secrets += handle.cookieValue.split(separator: ".").map(String.init)
            }
            for secret in secrets {
                #expect(!contains(bytes, secret), "\(secret) is stored in clear")
                #expect(!contains(Array(namespace.log.text.utf8), secret), "\(secret) is logged")
            }
            #expect(try store.load(second.handle)?.claims["name"]?.stringValue == Secrets.name, "and yet the handle opens it")
        }
    }
}
