import RedisClient
import RedisTestSupport
import Testing

/// Lua scripts by SHA with a fallback to the source: what the compare-and-set writes use.
@Suite struct ScriptTests {
    /// Sets KEYS[1] to ARGV[2] only if its version (ARGV[1]) matches; returns the new version or -1.
    static let compareAndSet = RedisScript("""
        local current = redis.call('HGET', KEYS[1], 'version')
        if (current or '0') ~= ARGV[1] then return -1 end
        local next = tonumber(ARGV[1]) + 1
        redis.call('HSET', KEYS[1], 'version', next, 'value', ARGV[2])
        return next
        """)

    /// A client of the shared server.
    let client: RedisClient

    /// Connects to the shared server.
    init() throws {
        client = try RedisClient(configuration: RedisServer.shared().configuration())
    }

    @Test func shaIsRedisOwn() throws {
        let loaded = try client.execute(RedisCommand("SCRIPT", "LOAD", Self.compareAndSet.source)).string()
        #expect(loaded == Self.compareAndSet.sha1)
    }

    @Test func compareAndSetScriptRuns() throws {
        let key = "{\(uniqueKey())}:data"
        #expect(try client.evaluate(Self.compareAndSet, keys: [key], arguments: ["0", "first"]) == .integer(1))
        #expect(try client.evaluate(Self.compareAndSet, keys: [key], arguments: ["0", "stale"]) == .integer(-1))
        #expect(try client.evaluate(Self.compareAndSet, keys: [key], arguments: ["1", "second"]) == .integer(2))
        #expect(try client.execute(RedisCommand("HGET", key, "value")).string() == "second")
    }

    @Test func unknownScriptFallsBackToEvalAndIsCachedAfter() throws {
        // A script no test has loaded: EVALSHA answers NOSCRIPT, EVAL runs and caches it.
        let script = RedisScript("return {KEYS[1], ARGV[1], \(Int.random(in: 0..<Int.max))}")
        let exists = { () throws -> Bool in
            try client.execute(RedisCommand("SCRIPT", "EXISTS", script.sha1)).array() == [.integer(1)]
        }
        #expect(try !exists())
        let reply = try client.evaluate(script, keys: ["k"], arguments: ["a"])
        guard case .array(let elements) = reply, elements.count == 3 else {
            Issue.record("\(reply)")
            return
        }
        #expect(elements[0] == .bulkString(Array("k".utf8)) && elements[1] == .bulkString(Array("a".utf8)))
        #expect(try exists())
    }

    @Test func scriptErrorIsAServerError() throws {
        let script = RedisScript("return redis.error_reply('CONFLICT version moved')")
        let error = #expect(throws: RedisError.self) { try client.evaluate(script, keys: []) }
        #expect(error == .server("CONFLICT version moved"))
    }

    @Test func evaluateOnOneConnectionWithWatch() throws {
        let key = uniqueKey()
        let results = try client.withConnection { (connection) throws(RedisError) in
            _ = try connection.execute(RedisCommand("WATCH", key))
            _ = try connection.execute(RedisCommand("MULTI"))
            return try connection.pipeline([RedisCommand("SET", key, "1"), RedisCommand("EXEC")])
        }
        #expect(try results[1].get() == .array([.simpleString("OK")]))
    }
}
