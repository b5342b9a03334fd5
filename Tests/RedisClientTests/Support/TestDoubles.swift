import CryptoSupport
import Foundation
import RedisClient

/// A monotonic clock the test moves by hand.
final class ManualClock: RedisClock, @unchecked Sendable {
    /// Guards `current`.
    private let lock = NSLock()
    /// What `now()` returns.
    private var current = ContinuousClock.now

    /// The hand-set time.
    func now() -> ContinuousClock.Instant { lock.withLock { current } }

    /// Moves the time on.
    func advance(_ duration: Duration) {
        lock.withLock { current += duration }
    }
}

/// Random bytes that are all the same value: 0x00 gives the shortest jittered delay, 0xFF
/// the longest.
struct FixedRandom: RandomSource {
    /// The value of every byte.
    let byte: UInt8

    /// `count` copies of `byte`.
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }
}

/// A key no other test uses, on the shared server.
func uniqueKey(_ name: String = #function) -> String {
    "test:\(name):\(UUID().uuidString)"
}

/// Seconds `body` took.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let (whole, fraction) = (ContinuousClock.now - start).components
    return Double(whole) + Double(fraction) / 1e18
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(timeout: Double = 15, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}
