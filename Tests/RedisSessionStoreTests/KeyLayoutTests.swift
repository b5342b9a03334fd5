import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import Testing

/// Where things live in Redis: under the prefix, every key of one session tagged with its
/// storage key (one cluster slot), nothing that names the cookie, and prefixes that keep
/// apps sharing one Redis apart.
@Suite struct KeyLayoutTests {
    @Test func everyKeyOfASessionSharesItsHashTag() throws {
        let fixture = try StoreFixture()
        let store = try fixture.store()
        let session = try store.create { $0.attributes["a"] = "1" }
        let tag = "{" + storageKey(of: session.handle) + "}"
        let seenInsideTheLock = try store.withRefreshLock(session.handle, timeout: .seconds(5)) { try fixture.storedKeys() }
        #expect(seenInsideTheLock == [fixture.keys.prefix + tag + ":refresh", fixture.keys.prefix + tag + ":session"])
        #expect(try store.claimOnce("callback:state", ttl: .seconds(60)))

        let keys = try fixture.storedKeys()
        #expect(keys.count == 2, "the lock is gone once released: \(keys)")
        let claim = try #require(keys.first { $0.hasSuffix(":claim") })
        let claimTag = claim.dropFirst(fixture.keys.prefix.count).dropLast(":claim".count)
        #expect(claimTag.count == 66 && claimTag.first == "{" && claimTag.last == "}", "a claim is tagged by its own digest")
        let id = String(session.handle.cookieValue.prefix(43))
        #expect(!keys.contains { $0.contains(id) || $0.contains("state") })
    }

    /// A Redis Cluster refuses a script whose keys lie in different slots (CROSSSLOT): on a
    /// one-node cluster owning every slot, the whole life of a session runs without one.
    @Test func theWholeLifeOfASessionRunsOnAClusterNode() throws {
        // The cluster bus port would default to the port plus 10,000, beyond 65535 for
        // most free ports the system hands out.
        let node = try RedisServer.start(RedisServerOptions(extraConfiguration: [
            "cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-port \(try RedisServer.freePort())",
        ]))
        _ = try node.cli(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"])
        let deadline = Date().addingTimeInterval(20)
        while try !node.cli(["CLUSTER", "INFO"]).contains("cluster_state:ok") {
            guard Date() < deadline else { throw RedisHarnessError("the cluster node did not get ready") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let fixture = try StoreFixture(server: node, policy: SessionPolicy(touchInterval: 10))
        // The node does refuse what the store must never do.
        #expect(throws: RedisError.self) { try fixture.inspector.execute(RedisCommand("EVAL", "return 1", 2, "{a}:x", "{b}:x")) }
        let store = try fixture.store()
        let created = try store.create { $0.attributes["n"] = "0" }
        _ = try #require(try store.update(created.handle) { $0.attributes["n"] = "1" })
        fixture.clock.advance(20) // the touch's script too
        #expect(try store.load(created.handle)?.version == 3)
        let rotated = try #require(try store.rotate(created.handle) { old, new in new.attributes = old.attributes })
        try store.withRefreshLock(rotated.handle, timeout: .seconds(5)) {
            _ = try store.update(rotated.handle) { $0.attributes["n"] = "2" }
        }
        #expect(try store.claimOnce("x", ttl: .seconds(10)))
        try store.delete(rotated.handle)
        #expect(try store.load(rotated.handle) == nil && store.load(created.handle) == nil)
    }

    @Test(arguments: [
        ("", "must be 1 to 64 characters long"),
        (String(repeating: "a", count: 65), "must be 1 to 64 characters long"),
        ("app{1}:", "may only contain letters, digits and : . _ - /"),
        ("my app:", "may only contain letters, digits and : . _ - /"),
        ("app:\n", "may only contain letters, digits and : . _ - /"),
        ("é:", "may only contain letters, digits and : . _ - /"),
    ])
    func badPrefixesAreRefused(prefix: String, reason: String) {
        let error = #expect(throws: InvalidKeyPrefix.self) { try RedisSessionKeys(prefix: prefix) }
        #expect(error?.reason.hasPrefix(reason) == true, "\(String(describing: error))")
    }

    @Test func goodPrefixes() throws {
        #expect(RedisSessionKeys.standard.prefix == "entra-web:")
        for prefix in ["a", "team-a/app_1.prod:", String(repeating: "x", count: 64)] {
            #expect(try RedisSessionKeys(prefix: prefix).prefix == prefix)
        }
    }

    /// Two apps on one Redis with their own prefixes: neither finds, changes nor deletes the
    /// other's sessions, even given the other's cookie.
    @Test func prefixesKeepAppsApart() throws {
        let first = try StoreFixture()
        let second = try StoreFixture()
        let mine = try first.store().create { $0.attributes["app"] = "first" }
        let theirs = try second.store()
        #expect(try theirs.load(mine.handle) == nil)
        #expect(try theirs.update(mine.handle) { $0.attributes["app"] = "second" } == nil)
        try theirs.delete(mine.handle)
        #expect(try first.store().load(mine.handle)?.attributes["app"] == "first")
        #expect(try second.storedKeys().isEmpty)
    }
}
