// What instances sharing one session directory coordinate through besides sessions: the
// per-session token-refresh lock and single-use claims.
import Encodings
import FoundationEssentials
import Glibc

extension FileSessionStore {
    /// `flock` on `<hex>.refresh`, polled until `timeout` (flock itself cannot time out).
    /// The kernel drops the lock when its holder dies, so a crash never leaves it held.
    public func withRefreshLock<T>(_ handle: SessionHandle, timeout: Duration, _ body: () throws -> T) throws -> T {
        let lock = try acquireRefreshLock(handle.storageKey, timeout: timeout)
        defer { lock.release() }
        return try body()
    }

    /// The refresh lock of session file `name`, polled with a growing pause until `timeout`.
    private func acquireRefreshLock(_ name: String, timeout: Duration) throws(SessionStoreError) -> SessionLock {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        // Short first, since a refresh is one round trip; capped, so a long wait costs little.
        var pause = Duration.milliseconds(2)
        while true {
            if let lock = try acquireLock(name, suffix: SessionFileName.refreshLockSuffix, wait: false, for: "taking a token-refresh lock") {
                return lock
            }
            let now = clock.now
            guard now < deadline else { throw .lockTimedOut(waited: timeout) }
            let sleep = min(pause, deadline - now)
            usleep(UInt32(max(1, sleep.components.seconds * 1_000_000 + sleep.components.attoseconds / 1_000_000_000_000)))
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// `<sha256(key) hex>.claim`, holding the claim's expiry (milliseconds since 1970, by the
    /// store's clock). Decided under the file's `flock`, so exactly one caller in any process
    /// finds it unclaimed or expired and writes a new expiry. No fsync: a claim guards a value
    /// that itself expires within `ttl`, and the provider redeems a code once anyway, so a
    /// claim forgotten in a crash costs nothing worth two disk flushes per sign-in.
    public func claimOnce(_ key: String, ttl: Duration) throws -> Bool {
        let name = SessionStores.claimDigest(key)
        let now = currentTime()
        let expiry = SessionRecord.milliseconds(now) + ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000
        let lock = try acquireLock(name, suffix: SessionFileName.claimSuffix, wait: true, for: "recording a single-use claim")!
        defer { lock.release() }
        do throws(FileSystemError) {
            if let claimedUntil = try readClaimExpiry(lock.fd), claimedUntil > SessionRecord.milliseconds(now) { return false }
            try fileSystem.truncate(lock.fd, size: 0)
            try fileSystem.writeAll(lock.fd, Array("\(expiry)\n".utf8), at: 0)
            return true
        } catch {
            throw unavailable(error, "recording a single-use claim", name: name)
        }
    }

    /// The expiry a claim file holds; nil when it holds none (just created, or a claimer
    /// died before writing it), which counts as unclaimed.
    func readClaimExpiry(_ fd: Int32) throws(FileSystemError) -> Int64? {
        guard let bytes = try fileSystem.readAll(fd, sizeHint: 32, limit: 32) else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self).trimmingWhitespace)
    }
}
