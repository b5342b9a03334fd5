import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import Testing
import TestSupport

/// The README's ACL for the app's Redis user: its key prefix and the few commands the store
/// sends (scripts included: Redis checks the commands a script calls too). Everything the
/// app does works under it; anything else is refused.
@Suite struct LeastPrivilegeTests {
    /// The ACL line the README recommends, for the prefix `entra-web:`.
    static let rule = "user entra-web on >app-password resetkeys ~entra-web:* resetchannels -@all +get +set +del +pexpire +eval +evalsha +ping +select"

    @Test func theStoreNeedsOnlyItsPrefixAndAHandfulOfCommands() throws {
        let redis = try RedisServer.start(RedisServerOptions(password: "admin", extraConfiguration: [Self.rule]))
        let client = try RedisClient(configuration: redis.configuration(username: "entra-web", password: "app-password"))
        let clock = TestClock()
        let log = LogCapture()
        let store = RedisSessionStore(redis: client, policy: SessionPolicy(touchInterval: 10), clock: clock.clock,
                                      logger: log.logger, refreshLockLease: .milliseconds(60))
        let created = try store.create { $0.attributes["n"] = "0" }
        _ = try #require(try store.update(created.handle) { $0.attributes["n"] = "1" })
        clock.advance(20)
        #expect(try store.load(created.handle)?.version == 3, "touched")
        let rotated = try #require(try store.rotate(created.handle) { old, new in new.attributes = old.attributes })
        try store.withRefreshLock(rotated.handle, timeout: .seconds(5)) {
            Thread.sleep(forTimeInterval: 0.2) // several renewals of the 60 ms lease
            _ = try store.update(rotated.handle) { $0.attributes["n"] = "2" }
        }
        #expect(!log.text.contains("renew") && !log.text.contains("release"), "\(log.text)")
        #expect(try store.claimOnce("x", ttl: .seconds(10)))
        try store.checkReadiness()
        #expect(try store.load(rotated.handle)?.attributes["n"] == "2")
        try store.delete(rotated.handle)

        #expect(throws: RedisError.self) { try client.execute(RedisCommand("KEYS", "*")) }
        #expect(throws: RedisError.self) { try client.get("other-app:secret") }
        #expect(throws: RedisError.self) { try client.execute(RedisCommand("FLUSHALL")) }
    }
}
