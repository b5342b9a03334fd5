import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// AUTH on every new connection: an ACL user with its password, the default user's
/// password, and clear errors for a wrong or missing one that never show the password.
@Suite(.serialized) struct AuthenticationTests {
    /// The default user's password.
    static let defaultPassword = "default-\(UUID().uuidString)"
    /// The ACL user alice's password.
    static let alicePassword = "alice-\(UUID().uuidString)"
    /// A server that wants a password, for this suite.
    static let server = Result {
        try RedisServer.start(RedisServerOptions(
            tls: true, password: defaultPassword, users: [.init(name: "alice", password: alicePassword)]))
    }

    @Test func aclUserWithPassword() throws {
        let server = try Self.server.get()
        let client = try RedisClient(configuration: server.configuration(username: "alice", password: Self.alicePassword))
        #expect(try client.execute(RedisCommand("ACL", "WHOAMI")).string() == "alice")
        // The same through the URL, percent-encoded, and over TLS.
        let fromURL = try RedisClient(configuration: RedisConfiguration(url: server.url(username: "alice", password: Self.alicePassword)))
        #expect(try fromURL.execute(RedisCommand("ACL", "WHOAMI")).string() == "alice")
        let tls = try RedisClient(configuration: server.configuration(tls: true, username: "alice", password: Self.alicePassword))
        #expect(try tls.execute(RedisCommand("ACL", "WHOAMI")).string() == "alice")
    }

    @Test func defaultUserPassword() throws {
        let client = try RedisClient(configuration: Self.server.get().configuration(password: Self.defaultPassword))
        #expect(try client.execute(RedisCommand("ACL", "WHOAMI")).string() == "default")
    }

    @Test func wrongPasswordIsAnAuthenticationError() throws {
        let wrong = "wrong-\(UUID().uuidString)"
        let client = try RedisClient(configuration: Self.server.get().configuration(username: "alice", password: wrong))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        guard case .authentication(let detail) = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(detail.contains("WRONGPASS"))
        #expect(error?.isTransient == false)
        #expect(!"\(error!)".contains(wrong))
        #expect(!"\(error!)".contains(Self.alicePassword))
    }

    @Test func missingPasswordSaysWhichSetting() throws {
        let client = try RedisClient(configuration: Self.server.get().configuration())
        let error = #expect(throws: RedisError.self) { try client.ping() }
        guard case .authentication(let detail) = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(detail.contains("NOAUTH"))
        #expect(detail.contains("REDIS_PASSWORD"))
    }

    @Test func passwordForAServerWithoutOne() throws {
        let open = try RedisServer.shared()
        let client = try RedisClient(configuration: open.configuration(password: "not-needed"))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        guard case .authentication = error else {
            Issue.record("\(String(describing: error))")
            return
        }
    }
}
