// What instances sharing one Redis coordinate through besides sessions: the per-session
// token-refresh lock, single-use claims, and the readiness probe.
import Encodings
import FoundationEssentials
import Glibc
import Logging
import RedisClient
import SessionStore

extension RedisSessionStore {
    /// SET NX PX with a random token: whoever set it holds the lock. While `body` runs, the
    /// lease is renewed every third of its length; afterwards the lock is released only if
    /// it still holds this holder's token (a holder whose lease ran out never releases the
    /// next holder's lock). A holder that dies loses the lock when its lease ends.
    public func withRefreshLock<T>(_ handle: SessionHandle, timeout: Duration, _ body: () throws -> T) throws -> T {
        let name = keys.refreshLock(handle.storageKey)
        let token = Array(random.token(byteCount: 16).utf8)
        try acquireLock(name, token: token, timeout: timeout)
        let renewal = LeaseRenewal(redis: redis, key: name, token: token, lease: refreshLockLease, logger: logger)
        defer {
            renewal.stop()
            releaseLock(name, token: token)
        }
        return try body()
    }

    /// Polls SET NX PX with a growing pause until it succeeds or `timeout` has passed.
    private func acquireLock(_ name: String, token: [UInt8], timeout: Duration) throws(SessionStoreError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        // Short first, since a refresh is one round trip; capped, so a long wait costs little.
        var pause = Duration.milliseconds(2)
        let lease = refreshLockLease
        while true {
            let taken = try call("taking a token-refresh lock") { (redis) throws(RedisError) in
                try redis.set(name, token, condition: .ifNotExists, expireAfter: lease)
            }
            if taken { return }
            let now = clock.now
            guard now < deadline else { throw .lockTimedOut(waited: timeout) }
            let sleep = min(pause, deadline - now)
            usleep(UInt32(max(1, Self.milliseconds(sleep) * 1000)))
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Releases the lock if it is still ours. A failure is logged, not thrown: the work is
    /// done, and the lease ends by itself.
    private func releaseLock(_ name: String, token: [UInt8]) {
        do {
            _ = try redis.evaluate(RedisSessionScripts.releaseLock, keys: [name], arguments: [token])
        } catch {
            logger.warning("could not release a token-refresh lock; it ends with its lease", metadata: [
                "lease": "\(refreshLockLease)", "error": "\(error)",
            ])
        }
    }

    /// SET NX PX on the claim's key: exactly one caller on any instance sets it while it lives.
    public func claimOnce(_ key: String, ttl: Duration) throws -> Bool {
        let name = keys.claim(SessionStores.claimDigest(key))
        return try call("recording a single-use claim") { (redis) throws(RedisError) in
            try redis.set(name, [UInt8(ascii: "1")], condition: .ifNotExists, expireAfter: ttl)
        }
    }

    /// Nothing to do: sessions, locks and claims expire by their TTL.
    @discardableResult
    public func sweepExpired() throws -> SweepReport {
        SweepReport()
    }

    /// PING.
    public func checkReadiness() throws {
        try call("checking the session store") { (redis) throws(RedisError) in try redis.ping() }
    }
}
