// The backends the conformance suite runs against, and what a backend provides to join it.
//
// To run the suite against another backend:
// 1. add its target to SessionStoreTests' dependencies in Package.swift;
// 2. write a `StoreNamespace` for it: a fresh, empty namespace per test (a new key prefix
//    on a test server started by the tests), `openStore()` returning a new instance on it,
//    `settle` waiting for whatever it does in the background, `storedBytes` returning every
//    key and value it holds (for the sealed-at-rest scan), `destroy` removing them;
// 3. append a `StoreBackend` for it to `StoreBackend.all`.
// Every test in `SessionStoreConformanceTests` then runs against it unchanged.
import CryptoSupport
import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
@testable import SessionStore
import Testing
import TestSupport

/// One storage namespace (a directory, a key prefix) that several store instances share,
/// fresh and empty for each test.
protocol StoreNamespace: Sendable {
    /// The clock every store of this namespace judges expiry by; tests move it.
    var clock: TestClock { get }
    /// What the namespace's stores log.
    var log: LogCapture { get }
    /// A new store instance on the namespace: what another process or instance would open.
    func openStore() throws -> any SessionStore
    /// Waits until `store` has done the writes it does in the background (touches).
    func settle(_ store: any SessionStore)
    /// Every byte the namespace holds, keys and values, for the sealed-at-rest scan.
    func storedBytes() throws -> [UInt8]
    /// Removes everything the namespace holds.
    func destroy()
}

/// A backend under test: a name and how to make a namespace with a given policy.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    /// How the suite's test names show the backend.
    let name: String
    /// A fresh, empty namespace with the given policy.
    let makeNamespace: @Sendable (SessionPolicy) throws -> any StoreNamespace

    /// The backend's name.
    var testDescription: String { name }

    /// Every backend the suite runs against.
    static let all: [StoreBackend] = [.file, .redis, .redisTLS]

    /// The file store, each namespace a fresh temporary directory.
    static let file = StoreBackend(name: "file") { policy in try FileNamespace(policy: policy) }

    /// The Redis store on the test process's shared redis-server, each namespace a fresh
    /// key prefix.
    static let redis = StoreBackend(name: "redis") { policy in try RedisNamespace(policy: policy, tls: false) }

    /// The same over TLS (`rediss://`, the throw-away CA as REDIS_CA_FILE).
    static let redisTLS = StoreBackend(name: "redis-tls") { policy in try RedisNamespace(policy: policy, tls: true) }
}

/// A temporary session directory.
struct FileNamespace: StoreNamespace {
    /// The temporary directory holding the session directory.
    let root: String
    /// The policy every store of the namespace uses.
    let policy: SessionPolicy
    /// The shared clock.
    let clock = TestClock()
    /// What the stores log.
    let log = LogCapture()

    /// A new temporary directory.
    init(policy: SessionPolicy) throws {
        root = try Fixture.makeTemporaryDirectory()
        self.policy = policy
    }

    /// The session directory (the store creates it).
    var directory: String { root + "/sessions" }

    func openStore() throws -> any SessionStore {
        try FileSessionStore(directory: directory, policy: policy, clock: clock.clock, logger: log.logger)
    }

    func settle(_ store: any SessionStore) {
        (store as! FileSessionStore).finishBackgroundWrites()
    }

    func storedBytes() throws -> [UInt8] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try names.flatMap { name in Array(name.utf8) + [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))) }
    }

    func destroy() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A fresh key prefix on the shared redis-server; every store opened on it has its own
/// client (its own connections), as another instance would.
struct RedisNamespace: StoreNamespace {
    /// The policy every store of the namespace uses.
    let policy: SessionPolicy
    /// Where the stores connect: plain or TLS.
    let configuration: RedisConfiguration
    /// This namespace's keys.
    let keys: RedisSessionKeys
    /// The shared clock.
    let clock = TestClock()
    /// What the stores log.
    let log = LogCapture()
    /// For scanning and cleaning up, over the plain port.
    private let inspector: RedisInspector

    /// A new prefix on the shared server.
    init(policy: SessionPolicy, tls: Bool) throws {
        let server = try RedisServer.shared()
        self.policy = policy
        configuration = try server.configuration(tls: tls)
        keys = try RedisSessionKeys(prefix: "conformance-\(UUID().uuidString.prefix(8)):")
        inspector = try RedisInspector(server: server)
    }

    func openStore() throws -> any SessionStore {
        RedisSessionStore(redis: try RedisClient(configuration: configuration), keys: keys, policy: policy,
                          clock: clock.clock, logger: log.logger)
    }

    func settle(_ store: any SessionStore) {}

    func storedBytes() throws -> [UInt8] {
        try inspector.dump(matching: keys.pattern)
    }

    func destroy() {
        try? inspector.delete(matching: keys.pattern)
    }
}
