import CryptoSupport
import Foundation
import Logging
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import TestSupport

/// A Redis store on a server of the test's choosing (the shared one unless the test stops,
/// restarts or reconfigures Redis), under a fresh prefix, with a clock and a log to look at.
struct StoreFixture {
    let server: RedisServer
    let keys: RedisSessionKeys
    let clock = TestClock()
    let log = LogCapture()
    let policy: SessionPolicy
    let inspector: RedisInspector

    init(server: RedisServer? = nil, policy: SessionPolicy = SessionPolicy()) throws {
        self.server = try server ?? RedisServer.shared()
        keys = try RedisSessionKeys(prefix: "store-test-\(UUID().uuidString.prefix(8)):")
        self.policy = policy
        inspector = try RedisInspector(server: self.server)
    }

    /// A store on its own client, as another instance would have; `configure` adjusts the
    /// client's settings (timeouts) first.
    func store(tls: Bool = false, lease: Duration = .seconds(10), _ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisSessionStore {
        var configuration = try server.configuration(tls: tls)
        configure(&configuration)
        return RedisSessionStore(redis: try RedisClient(configuration: configuration), keys: keys, policy: policy,
                                 clock: clock.clock, logger: log.logger, refreshLockLease: lease)
    }

    /// Every key of this fixture's prefix.
    func storedKeys() throws -> [String] {
        try inspector.keys(matching: keys.pattern)
    }

    /// The session key of `session`, as found by a scan (exactly one key holds its tag).
    func sessionKey(of session: Session) throws -> String {
        let matching = try storedKeys().filter { $0.hasSuffix(":session") && $0.contains(storageKey(of: session.handle)) }
        guard matching.count == 1 else { throw RedisHarnessError("\(matching.count) keys for one session") }
        return matching[0]
    }
}

/// The storage key (hex SHA-256 of the cookie's id part), computed as an operator would.
func storageKey(of handle: SessionHandle) -> String {
    Digest.hex(Digest.sha256(String(handle.cookieValue.prefix(43))))
}
