import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import SessionStore
import Testing

/// Redis going away, stalling, restarting, redirecting as a cluster node, or holding bytes
/// that are not what the store wrote: always a clear `unavailable` (a 503 in the app) or no
/// session, never a crash, a wrong session or a lost one.
@Suite struct FailureTests {
    @Test func aRestartWithAppendOnlyPersistenceKeepsEverySession() throws {
        let server = try RedisServer.start(RedisServerOptions(appendOnly: true))
        let fixture = try StoreFixture(server: server)
        let store = try fixture.store()
        let sessions = try (0..<20).map { index in try store.create { $0.attributes["n"] = "\(index)" } }
        _ = try store.update(sessions[0].handle) { $0.attributes["updated"] = "yes" }

        server.stop()
        for call in [{ _ = try store.load(sessions[1].handle) }, { _ = try store.create() }, { try store.checkReadiness() }] {
            let error = #expect(throws: SessionStoreError.self) { try call() }
            guard case .unavailable(let reason)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(reason.contains("Redis unavailable"), "\(reason)")
        }
        try server.restart()
        try waitUntilReady(store)
        for (index, session) in sessions.enumerated() {
            #expect(try store.load(session.handle)?.attributes["n"] == "\(index)")
        }
        #expect(try store.load(sessions[0].handle)?.attributes["updated"] == "yes")

        // kill -9: with appendfsync always, what was acknowledged is on disk.
        let late = try store.create { $0.attributes["n"] = "late" }
        server.kill()
        try server.restart()
        try waitUntilReady(store)
        #expect(try store.load(late.handle)?.attributes["n"] == "late")
    }

    /// A Redis that accepts connections but answers nothing (SIGSTOP): the read timeout
    /// bounds the wait, and once Redis runs again the store recovers by itself.
    @Test func aStalledRedisIsAnErrorWithinTheTimeoutAndRecoveryIsAutomatic() throws {
        let server = try RedisServer.start()
        let fixture = try StoreFixture(server: server)
        let store = try fixture.store { $0.readTimeout = .milliseconds(300); $0.connectTimeout = .milliseconds(300) }
        let session = try store.create()
        let pid = try #require(server.pid)
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let error = #expect(throws: SessionStoreError.self) { try store.load(session.handle) }
        guard case .unavailable(let reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(reason.contains("Redis timeout"), "\(reason)")
        kill(pid, SIGCONT)
        try waitUntilReady(store)
        #expect(try store.load(session.handle) == session)
    }

    @Test(arguments: ["MOVED 3999 10.0.0.2:6379", "ASK 3999 10.0.0.2:6379"])
    func aClusterRedirectSaysClusterModeIsNotSupported(redirect: String) throws {
        let node = try FakeRedisServer { command in
            command.first?.uppercased() == "PING" ? .reply(.simpleString("PONG")) : .reply(.error(redirect))
        }
        let store = RedisSessionStore(redis: try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: node.port)))
        for call in [{ _ = try store.create() }, { _ = try store.claimOnce("x", ttl: .seconds(1)) }] {
            let error = #expect(throws: SessionStoreError.self) { try call() }
            #expect("\(String(describing: error))".contains("Redis Cluster mode is not supported yet"))
        }
    }

    /// Bytes that are not a sealed session, or a session moved under another key (an
    /// operator's RENAME, an attacker with write access): no session, and nothing crashes.
    @Test func corruptOrMovedEntriesAreNoSession() throws {
        let fixture = try StoreFixture()
        let store = try fixture.store()
        let victim = try store.create(Secrets.signIn)
        let key = try fixture.sessionKey(of: victim)
        // The same secret, another id: the entry moved to its key must not open.
        let secret = victim.handle.cookieValue.suffix(43)
        let otherID = try #require(SessionHandle(cookieValue: String(repeating: "B", count: 42) + "A." + secret))
        let otherKey = fixture.keys.prefix + "{" + storageKey(of: otherID) + "}:session"
        try fixture.inspector.execute(RedisCommand("COPY", key, otherKey))
        #expect(try store.load(otherID) == nil)
        #expect(try store.update(otherID) { $0.attributes["x"] = "y" } == nil)

        for garbage in [Array("not a session".utf8), [UInt8](repeating: 0x89, count: 200), Array(#"{"v":1,"createdAt":1,"lastSeen":1}"#.utf8)] {
            try fixture.inspector.execute(RedisCommand("SET", key, garbage))
            #expect(try store.load(victim.handle) == nil)
        }
        #expect(fixture.log.count(containing: "unreadable session entry", level: .warning) >= 2)
        #expect(!fixture.log.text.contains(victim.handle.cookieValue.prefix(43)))
    }

    @Test func aSessionTooLargeIsRefusedAndNothingIsWritten() throws {
        let fixture = try StoreFixture(policy: SessionPolicy(maxFileSize: 4096))
        let store = try fixture.store()
        let session = try store.create()
        let error = #expect(throws: SessionStoreError.self) {
            _ = try store.update(session.handle) { $0.attributes["big"] = String(repeating: "x", count: 8192) }
        }
        guard case .tooLarge(let bytes, 4096)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(bytes > 8192)
        #expect(try store.load(session.handle) == session)
    }

    /// Polls until the store's client has reconnected (its backoff is at most 2 s).
    func waitUntilReady(_ store: RedisSessionStore) throws {
        let deadline = Date().addingTimeInterval(20)
        while true {
            do { return try store.checkReadiness() } catch where Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        }
    }
}
