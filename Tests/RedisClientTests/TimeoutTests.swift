import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// A server that accepts and then never answers, or answers a byte at a time: every step
/// gives up within its bound, and the connection it gave up on is never used again (a late
/// reply must not answer the next command).
@Suite struct TimeoutTests {
    /// Answers the connection's PING, then nothing.
    static func silentAfterSetUp() throws -> FakeRedisServer {
        try FakeRedisServer { command in command.first == "PING" ? .reply(.simpleString("PONG")) : .silence }
    }

    @Test func readTimeout() throws {
        let fake = try Self.silentAfterSetUp()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.readTimeout = .milliseconds(300)
        let client = try RedisClient(configuration: configuration)
        var error: RedisError?
        let elapsed = seconds {
            error = #expect(throws: RedisError.self) { try client.get("k") }
        }
        #expect(error == .timeout("no reply from 127.0.0.1:\(fake.port) within 300 ms"))
        #expect(error?.isTransient == true)
        #expect(elapsed >= 0.29)
        // Generous: the bound plus scheduling on a loaded machine, far below "hangs".
        #expect(elapsed < 3)
        // The timed-out connection is dropped, not pooled.
        #expect(client.idleConnectionCount == 0)
        #expect(throws: RedisError.self) { try client.get("k") }
        #expect(eventually { fake.connectionCount == 2 })
    }

    @Test func aLateReplyNeverAnswersTheNextCommand() throws {
        // The first GET is answered after 1 s, long after the client gave up; the next GET
        // is answered at once. The late "stale" must not come back as the second answer.
        let answered = NSLock()
        nonisolated(unsafe) var gets = 0
        let fake = try FakeRedisServer { command in
            guard command.first == "GET" else { return .reply(.simpleString("PONG")) }
            let first = answered.withLock { gets += 1; return gets == 1 }
            return first ? .late(.bulkString(Array("stale".utf8)), seconds: 1) : .reply(.bulkString(Array("fresh".utf8)))
        }
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.readTimeout = .milliseconds(300)
        let client = try RedisClient(configuration: configuration)
        #expect(throws: RedisError.timeout("no reply from 127.0.0.1:\(fake.port) within 300 ms")) { try client.get("k") }
        #expect(try client.get("k") == Array("fresh".utf8))
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try client.get("k") == Array("fresh".utf8))
    }

    @Test func aTrickleDoesNotStretchTheBound() throws {
        // One byte of a long reply every 50 ms: each read succeeds, the reply never completes.
        let fake = try FakeRedisServer { command in
            if command.first == "PING" { return .reply(.simpleString("PONG")) }
            return .trickle(Array("$100\r\n".utf8) + [UInt8](repeating: 65, count: 100) + [13, 10], pause: 0.05)
        }
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.readTimeout = .milliseconds(400)
        let client = try RedisClient(configuration: configuration)
        let elapsed = seconds {
            #expect(throws: RedisError.timeout("no reply from 127.0.0.1:\(fake.port) within 400 ms")) { try client.get("k") }
        }
        #expect(elapsed < 3)
    }

    @Test func connectTimeoutCoversTheHandshake() throws {
        // Accepts TCP, never answers PING (nor, for TLS, the ClientHello).
        let fake = try FakeRedisServer { _ in .silence }
        for useTLS in [false, true] {
            var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port, useTLS: useTLS)
            configuration.connectTimeout = .milliseconds(300)
            let client = try RedisClient(configuration: configuration)
            let elapsed = seconds {
                #expect(throws: RedisError.timeout("connecting to 127.0.0.1:\(fake.port) took longer than 300 ms")) { try client.ping() }
            }
            #expect(elapsed < 3)
        }
    }

    @Test func writeTimeoutWhenTheServerStopsReading() throws {
        // Answers PING, then reads nothing more: once the socket buffers are full, a large
        // write cannot finish.
        let fake = try FakeRedisServer { _ in .stall(.simpleString("PONG")) }
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.writeTimeout = .milliseconds(300)
        let client = try RedisClient(configuration: configuration)
        let large = [UInt8](repeating: 7, count: 32 << 20)
        let elapsed = seconds {
            #expect(throws: RedisError.timeout("writing to 127.0.0.1:\(fake.port) took longer than 300 ms")) { try client.set("k", large) }
        }
        #expect(elapsed < 5)
        #expect(client.idleConnectionCount == 0)
    }
}
