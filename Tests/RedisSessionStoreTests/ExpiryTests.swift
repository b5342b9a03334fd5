import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import Testing

/// Sessions expire in Redis by TTL: the idle timeout, or what is left of the absolute
/// lifetime when that ends sooner; a touch renews it.
@Suite struct ExpiryTests {
    @Test func theTimeToLiveIsTheIdleTimeoutAndATouchRenewsIt() throws {
        let fixture = try StoreFixture(policy: SessionPolicy(idleTimeout: 600, absoluteLifetime: 3600, touchInterval: 60))
        let store = try fixture.store()
        let session = try store.create()
        let key = try fixture.sessionKey(of: session)
        let fresh = try fixture.inspector.timeToLive(key)
        #expect((590_000...600_000).contains(fresh), "\(fresh) ms")

        // 300 s later by the store's clock a read touches it: the TTL is 600 s from then.
        // (Redis counts real time, so the new TTL is again about 600 s.)
        fixture.clock.advance(300)
        #expect(try store.load(session.handle)?.version == 2)
        #expect((590_000...600_000).contains(try fixture.inspector.timeToLive(key)))
        #expect(try store.load(session.handle)?.version == 2, "not touched again within the interval")
    }

    @Test func theAbsoluteLifetimeShortensTheLastTimeToLive() throws {
        let fixture = try StoreFixture(policy: SessionPolicy(idleTimeout: 600, absoluteLifetime: 900, touchInterval: 60))
        let store = try fixture.store()
        let session = try store.create()
        fixture.clock.advance(500)
        _ = try #require(try store.update(session.handle) { $0.attributes["used"] = "1" })
        fixture.clock.advance(300)
        _ = try #require(try store.update(session.handle) { $0.attributes["late"] = "1" })
        let left = try fixture.inspector.timeToLive(try fixture.sessionKey(of: session))
        #expect((90_000...100_000).contains(left), "100 s of lifetime left, not 600 s of idle time: \(left) ms")
    }

    /// Redis itself removes the entry when its time is up: nothing is left for a sweep.
    @Test func redisRemovesAnExpiredSessionByItself() throws {
        let fixture = try StoreFixture(policy: SessionPolicy(idleTimeout: 1, absoluteLifetime: 60, touchInterval: 0.5))
        let store = try fixture.store()
        let session = try store.create(Secrets.signIn)
        let key = try fixture.sessionKey(of: session)
        let deadline = Date().addingTimeInterval(15)
        while try fixture.inspector.value(key) != nil {
            guard Date() < deadline else { Issue.record("the key outlived its TTL"); return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try fixture.storedKeys().isEmpty)
        #expect(try store.sweepExpired() == SweepReport(), "the sweep has nothing to do")
    }
}

/// Values the scans look for.
enum Secrets {
    static let accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-token-value-7f3a"
    static let name = "Zoë Secretname"

    /// Fills `session` as a signed-in one.
    static func signIn(_ session: inout Session) {
        session.claims = ["sub": .string("subject-1"), "name": .string(name)]
        session.tokenCache = #"{"AccessToken":{"a":{"secret":"\#(accessToken)"}}}"#
    }
}
