// The Lua scripts that make each write one atomic step inside Redis. Each touches exactly the
// key it is given (KEYS[1]), so it runs on one slot of a cluster too.
import RedisClient

/// The store's scripts, sent with EVALSHA (EVAL once after a Redis restart).
enum RedisSessionScripts {
    /// Compare-and-set of a session: ARGV[1] the 8-byte big-endian version the write was
    /// computed from, ARGV[2] the new sealed record, ARGV[3] its time to live in
    /// milliseconds. The version sits at bytes 22 to 29 of a record (`SessionRecord`).
    /// Returns 1 when written, 0 when another version is stored, -1 when none is (deleted
    /// or expired: a late write must not bring it back).
    static let compareAndSet = RedisScript("""
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        if string.sub(current, 22, 29) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """)

    /// Compare-and-delete of a session (the old one of a rotation): ARGV[1] the version it
    /// must still have. Returns 1 when deleted, 0 when another version is stored, -1 when
    /// none is.
    static let compareAndDelete = RedisScript("""
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        if string.sub(current, 22, 29) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """)

    /// Extends a lock's lease (ARGV[2] milliseconds) if it still holds the holder's token
    /// ARGV[1]. Returns 1 when extended, 0 when the lock is gone or someone else's.
    static let renewLock = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """)

    /// Deletes a lock if it still holds the holder's token ARGV[1]: a holder whose lease ran
    /// out never releases the next holder's lock. Returns 1 when released, else 0.
    static let releaseLock = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        """)
}
