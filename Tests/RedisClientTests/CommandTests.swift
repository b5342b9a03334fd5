import Foundation
import RedisClient
import RedisTestSupport
import Testing
import TestSupport

/// The commands the session store builds on, against a real redis-server.
@Suite struct CommandTests {
    /// A client of the shared server.
    let client: RedisClient

    /// Connects to the shared server.
    init() throws {
        client = try RedisClient(configuration: RedisServer.shared().configuration())
    }

    @Test func getSetDelete() throws {
        let key = uniqueKey()
        #expect(try client.get(key) == nil)
        #expect(try client.set(key, Array("v1".utf8)))
        #expect(try client.get(key) == Array("v1".utf8))
        #expect(try client.delete([key, key + ":other"]) == 1)
        #expect(try client.get(key) == nil)
        #expect(try client.delete([]) == 0)
    }

    @Test func valuesAreBinarySafeAndLarge() throws {
        let key = uniqueKey()
        let binary = (0...255).map(UInt8.init) + Array("\r\n*1\r\n$-1\r\n".utf8)
        try client.set(key, binary)
        #expect(try client.get(key) == binary)
        // Megabytes through loopback TCP on a loaded 2-core machine can stall in the kernel
        // for a while (zero-window probes); the point here is the bytes, not the bound.
        var patient = try RedisServer.shared().configuration()
        patient.readTimeout = .seconds(30)
        patient.writeTimeout = .seconds(30)
        let largeValues = try RedisClient(configuration: patient)
        defer { largeValues.close() }
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try largeValues.set(key, large)
        #expect(try largeValues.get(key) == large)
    }

    @Test func setIfNotExistsIsALock() throws {
        let key = uniqueKey()
        #expect(try client.set(key, Array("holder-1".utf8), condition: .ifNotExists, expireAfter: .seconds(30)))
        #expect(try !client.set(key, Array("holder-2".utf8), condition: .ifNotExists, expireAfter: .seconds(30)))
        #expect(try client.get(key) == Array("holder-1".utf8))
        let ttl = try client.execute(RedisCommand("PTTL", key)).integer()
        #expect(ttl > 25_000 && ttl <= 30_000)
        #expect(try !client.set(key + ":absent", [1], condition: .ifExists))
        #expect(try client.set(key, [2], condition: .ifExists))
    }

    @Test func oneOfManyConcurrentClaimsWins() throws {
        let key = uniqueKey()
        let client = self.client
        let winners = NSLock()
        nonisolated(unsafe) var won = 0
        let errors = onThreads(16) { index in
            if try client.set(key, Array("\(index)".utf8), condition: .ifNotExists, expireAfter: .seconds(30)) {
                winners.withLock { won += 1 }
            }
        }
        #expect(errors.isEmpty)
        #expect(won == 1)
    }

    @Test func expiryRemovesTheKey() throws {
        let key = uniqueKey()
        try client.set(key, [1], expireAfter: .milliseconds(100))
        #expect(eventually { (try? client.get(key)) == .some(nil) })
        try client.set(key, [1])
        #expect(try client.expire(key, after: .milliseconds(100)))
        #expect(eventually { (try? client.get(key)) == .some(nil) })
        #expect(try !client.expire(key, after: .seconds(1)))
    }

    @Test func pipelineKeepsOrderAndPerCommandErrors() throws {
        let key = uniqueKey()
        let results = try client.pipeline([
            RedisCommand("SET", key, "1"),
            RedisCommand("INCR", key),
            RedisCommand("LPUSH", key, "x"),
            RedisCommand("INCRBY", key, 40),
            RedisCommand("GET", key),
        ])
        #expect(results.count == 5)
        #expect(try results[0].get() == .simpleString("OK"))
        #expect(try results[1].get() == .integer(2))
        guard case .failure(.server(let message)) = results[2] else {
            Issue.record("LPUSH on a string: \(results[2])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(try results[3].get() == .integer(42))
        #expect(try results[4].get() == .bulkString(Array("42".utf8)))
        #expect(try client.pipeline([]).isEmpty)
    }

    @Test func errorReplyLeavesTheConnectionUsable() throws {
        let error = #expect(throws: RedisError.self) { try client.execute(RedisCommand("NOSUCHCOMMAND")) }
        guard case .server(let message) = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("ERR unknown command"))
        try client.ping()
        #expect(client.idleConnectionCount == 1)
    }

    @Test func concurrentCallersShareTheBoundedPool() throws {
        var configuration = try RedisServer.shared().configuration()
        configuration.maxConnections = 4
        configuration.poolWaitTimeout = .seconds(30)
        let client = try RedisClient(configuration: configuration)
        let key = uniqueKey()
        let errors = onThreads(12) { _ in
            for _ in 0..<50 { _ = try client.execute(RedisCommand("INCR", key)) }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(try client.get(key) == Array("600".utf8))
        #expect(client.idleConnectionCount <= 4)
        let clients = try client.execute(RedisCommand("CLIENT", "LIST")).string() ?? ""
        #expect(!clients.isEmpty)
    }

    @Test func selectIsolatesDatabases() throws {
        let server = try RedisServer.shared()
        let db3 = try RedisClient(configuration: server.configuration(database: 3))
        let db4 = try RedisClient(configuration: try RedisConfiguration(url: server.url(database: 4)))
        let key = uniqueKey()
        try db3.set(key, Array("three".utf8))
        #expect(try db4.get(key) == nil)
        #expect(try client.get(key) == nil)
        #expect(try db3.get(key) == Array("three".utf8))
        // Every pooled connection selected the database, not just the first.
        let errors = onThreads(8) { _ in
            if try db3.get(key) != Array("three".utf8) { throw RedisError.protocolError("wrong database") }
        }
        #expect(errors.isEmpty)
    }

    @Test func databaseOutOfRangeIsAClearError() throws {
        let client = try RedisClient(configuration: RedisServer.shared().configuration(database: 99))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error.map { "\($0)".contains("SELECT 99 on 127.0.0.1:") && "\($0)".contains("DB index is out of range") } == true,
                "\(String(describing: error))")
    }
}
