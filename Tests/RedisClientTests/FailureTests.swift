import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// Redis going away and coming back, a full pool, and servers that send garbage or hang up.
@Suite struct FailureTests {
    @Test func stoppedRedisIsUnavailableQuicklyAndThePoolRecoversByItself() throws {
        let server = try RedisServer.start(RedisServerOptions(appendOnly: true))
        var configuration = try server.configuration()
        configuration.backoff = ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
        let client = try RedisClient(configuration: configuration)
        try client.set("kept", Array("yes".utf8))
        #expect(client.idleConnectionCount == 1)

        server.stop()
        var first: RedisError?
        let elapsed = seconds { first = #expect(throws: RedisError.self) { try client.get("kept") } }
        #expect(first?.isTransient == true)
        #expect(first.map { "\($0)".hasPrefix("Redis unavailable: cannot connect to 127.0.0.1:\(server.port): connect: Connection refused") } == true,
                "\(String(describing: first))")
        #expect(elapsed < 2)
        // While it is down every call fails fast, none hangs.
        for _ in 0..<20 {
            #expect(throws: RedisError.self) { try client.get("kept") }
        }

        try server.restart()
        // No reset, no new client: the backoff runs out and the next call reconnects.
        #expect(eventually { (try? client.get("kept")) == Array("yes".utf8) })
    }

    @Test func killedRedisIsUnavailableToo() throws {
        let server = try RedisServer.start(RedisServerOptions(appendOnly: true))
        let client = try RedisClient(configuration: server.configuration())
        try client.set("k", [1])
        server.kill()
        #expect(throws: RedisError.self) { try client.get("k") }
        try server.restart()
        #expect(eventually { (try? client.get("k")) == [1] })
    }

    @Test func exhaustedPoolIsAClearError() throws {
        var configuration = try RedisServer.shared().configuration()
        configuration.maxConnections = 2
        configuration.poolWaitTimeout = .milliseconds(200)
        let client = try RedisClient(configuration: configuration)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                _ = try? client.withConnection { (connection) throws(RedisError) in
                    _ = try connection.execute(RedisCommand("PING"))
                    holding.signal()
                    release.wait()
                }
                group.leave()
            }.start()
        }
        holding.wait()
        holding.wait()
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error == .poolExhausted("all 2 connections to 127.0.0.1:\(try RedisServer.shared().port) stayed busy for 200 ms"))
        #expect(error?.isTransient == true)
        release.signal()
        release.signal()
        group.wait()
        try client.ping()
    }

    @Test(arguments: [
        ("garbage", [UInt8]("HTTP/1.1 200 OK\r\n\r\n".utf8)),
        ("bare line feed", [UInt8]("+OK\n".utf8)),
        ("bulk too long", [UInt8]("$99999999999\r\n".utf8)),
        ("extra reply", [UInt8]("$1\r\nx\r\n+OK\r\n".utf8)),
    ])
    func invalidReplyBreaksTheConnectionNotTheAnswer(name: String, reply: [UInt8]) throws {
        let fake = try FakeRedisServer { command in command.first == "PING" ? .reply(.simpleString("PONG")) : .raw(reply) }
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: fake.port))
        let error = #expect(throws: RedisError.self) { try client.get("k") }
        guard case .protocolError(let detail) = error else {
            Issue.record("\(name): \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix("127.0.0.1:\(fake.port) sent"))
        #expect(client.idleConnectionCount == 0)
    }

    @Test func hangUpMidReplyIsUnavailable() throws {
        let fake = try FakeRedisServer { command in command.first == "PING" ? .reply(.simpleString("PONG")) : .hangUp }
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: fake.port))
        #expect(throws: RedisError.unavailable("127.0.0.1:\(fake.port) closed the connection")) { try client.get("k") }
        #expect(client.idleConnectionCount == 0)
    }

    @Test func idleConnectionClosedByTheServerIsNotUsed() throws {
        // A connection the server closed while it sat in the pool (Redis's `timeout`) is
        // noticed before use: the command goes out on a fresh one and succeeds.
        let server = try RedisServer.shared()
        let client = try RedisClient(configuration: server.configuration())
        let id = try client.execute(RedisCommand("CLIENT", "ID")).integer()
        #expect(client.idleConnectionCount == 1)
        // Redis closes the socket before it answers the KILL, so the FIN is here by now.
        let other = try RedisClient(configuration: server.configuration())
        #expect(try other.execute(RedisCommand("CLIENT", "KILL", "ID", id)) == .integer(1))
        let next = try client.execute(RedisCommand("CLIENT", "ID")).integer()
        #expect(next != id)
    }

    @Test func unresolvableHostIsUnavailable() throws {
        let client = try RedisClient(configuration: RedisConfiguration(url: "redis://no-such-host.invalid:6379"))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error.map { "\($0)".contains("cannot resolve no-such-host.invalid") } == true, "\(String(describing: error))")
    }

    @Test func closedClientRefusesWork() throws {
        let client = try RedisClient(configuration: RedisServer.shared().configuration())
        try client.ping()
        client.close()
        #expect(client.idleConnectionCount == 0)
        #expect(throws: RedisError.self) { try client.ping() }
    }
}
