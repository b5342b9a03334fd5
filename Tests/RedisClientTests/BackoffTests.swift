import RedisClient
import RedisTestSupport
import Testing

/// Reconnecting after failures: the delay doubles with jitter, and while it lasts callers
/// fail at once instead of each paying for a connect; one caller probes when it is over.
@Suite struct BackoffTests {
    @Test func delayDoublesUpToTheMaximumWithEqualJitter() {
        let backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        let shortest = FixedRandom(byte: 0x00)
        let longest = FixedRandom(byte: 0xFF)
        #expect(backoff.delay(afterFailures: 1, random: shortest) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: 1, random: longest) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 2, random: shortest) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 3, random: longest) == .milliseconds(400))
        #expect(backoff.delay(afterFailures: 5, random: longest) == .seconds(1))
        #expect(backoff.delay(afterFailures: 500, random: shortest) == .milliseconds(500))
    }

    @Test func jitterComesFromTheRandomSource() {
        let backoff = ReconnectBackoff(initial: .seconds(2), maximum: .seconds(2))
        let middle = backoff.delay(afterFailures: 1, random: FixedRandom(byte: 0x80))
        #expect(middle > .milliseconds(1400) && middle < .milliseconds(1600))
    }

    @Test func callersFailFastDuringTheBackoffAndOneProbesAfterIt() throws {
        // A "Redis" that accepts and hangs up at once: every connect fails in setup.
        let fake = try FakeRedisServer { _ in .hangUp }
        let clock = ManualClock()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.backoff = ReconnectBackoff(initial: .seconds(10), maximum: .seconds(60))
        let client = try RedisClient(configuration: configuration, random: FixedRandom(byte: 0xFF), clock: clock)

        #expect(throws: RedisError.self) { try client.ping() }
        #expect(eventually { fake.connectionCount == 1 })

        // Within the 10 s backoff: refused without a connect attempt, saying why and for how long.
        let refused = #expect(throws: RedisError.self) { try client.ping() }
        #expect(refused?.isTransient == true)
        #expect("\(refused!)".contains("ended the connection while it was being set up"))
        #expect("\(refused!)".contains("not retrying for another 10000 ms"))
        clock.advance(.seconds(9))
        #expect(throws: RedisError.self) { try client.ping() }
        #expect(fake.connectionCount == 1)

        // Over: the next caller tries again; it fails too, and the backoff doubles.
        clock.advance(.seconds(2))
        #expect(throws: RedisError.self) { try client.ping() }
        #expect(eventually { fake.connectionCount == 2 })
        clock.advance(.seconds(19))
        #expect(throws: RedisError.self) { try client.ping() }
        #expect(fake.connectionCount == 2)
        clock.advance(.seconds(2))
        #expect(throws: RedisError.self) { try client.ping() }
        #expect(eventually { fake.connectionCount == 3 })
    }

    @Test func successEndsTheBackoff() throws {
        let fake = try FakeRedisServer { command in
            command.first == "PING" ? .reply(.simpleString("PONG")) : .reply(.error("ERR unknown"))
        }
        let clock = ManualClock()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: fake.port)
        configuration.backoff = ReconnectBackoff(initial: .seconds(10), maximum: .seconds(10))
        let client = try RedisClient(configuration: configuration, random: FixedRandom(byte: 0), clock: clock)
        try client.ping()
        try client.ping()
        // One connection, reused: no connect per command.
        #expect(fake.connectionCount == 1)
        #expect(client.idleConnectionCount == 1)
    }
}
