/// The commands the session store needs, typed. Anything else goes through `execute`.
extension RedisClient {
    /// The condition of a SET.
    public enum SetCondition: Sendable {
        /// Always set.
        case always
        /// Only if the key does not exist (NX): a lock or a single-use claim.
        case ifNotExists
        /// Only if the key exists (XX).
        case ifExists
    }

    /// GET: the value, or nil when the key does not exist.
    public func get(_ key: String) throws(RedisError) -> [UInt8]? {
        try execute(RedisCommand("GET", key)).bytes()
    }

    /// SET with an optional condition and expiry (PX, in milliseconds). Returns false when
    /// the condition kept the value from being set.
    @discardableResult
    public func set(
        _ key: String, _ value: [UInt8], condition: SetCondition = .always, expireAfter: Duration? = nil
    ) throws(RedisError) -> Bool {
        var arguments: [any RESPArgument] = [key, value]
        if let expireAfter { arguments += ["PX", Self.milliseconds(expireAfter)] }
        switch condition {
        case .always: break
        case .ifNotExists: arguments.append("NX")
        case .ifExists: arguments.append("XX")
        }
        let reply = try execute(RedisCommand("SET", arguments: arguments))
        switch reply {
        case .simpleString("OK"): return true
        case .null: return false
        default: throw .protocolError("SET answered with \(reply.typeName)")
        }
    }

    /// DEL: how many of the keys existed.
    @discardableResult
    public func delete(_ keys: [String]) throws(RedisError) -> Int {
        guard !keys.isEmpty else { return 0 }
        return Int(try execute(RedisCommand("DEL", arguments: keys)).integer())
    }

    /// PEXPIRE: sets the key's time to live; false when the key does not exist.
    @discardableResult
    public func expire(_ key: String, after duration: Duration) throws(RedisError) -> Bool {
        try execute(RedisCommand("PEXPIRE", key, Self.milliseconds(duration))).integer() == 1
    }

    /// Runs a Lua script: EVALSHA first, and on NOSCRIPT (a restarted or flushed server)
    /// EVAL, which also caches it for the next time. Keys go in `keys` so that a cluster
    /// could route the script (they must share a hash tag).
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [any RESPArgument] = []) throws(RedisError) -> RESPValue {
        try withConnection { (connection) throws(RedisError) in
            try connection.evaluate(script, keys: keys, arguments: arguments)
        }
    }

    /// PING; throws when Redis does not answer PONG: a readiness check.
    public func ping() throws(RedisError) {
        let reply = try execute(RedisCommand("PING"))
        guard reply == .simpleString("PONG") else { throw .protocolError("PING answered with \(reply.typeName)") }
    }

    /// Whole milliseconds, at least 1: Redis refuses an expiry of 0 or less, and a time to
    /// live that has already run out means "expire now" to the caller.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

extension RedisConnection {
    /// EVALSHA, then EVAL on NOSCRIPT, on this connection.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [any RESPArgument] = []) throws(RedisError) -> RESPValue {
        let rest: [any RESPArgument] = [keys.count] + keys + arguments
        do {
            return try execute(RedisCommand("EVALSHA", arguments: [script.sha1] + rest))
        } catch .server(let message) where message.hasPrefix("NOSCRIPT") {
            return try execute(RedisCommand("EVAL", arguments: [script.source] + rest))
        }
    }
}
