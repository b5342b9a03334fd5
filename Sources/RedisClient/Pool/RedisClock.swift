/// The monotonic clock the pool reads to decide when the reconnect backoff is over;
/// injected so tests can step through the backoff without sleeping.
public protocol RedisClock: Sendable {
    /// Now, on a clock that never goes backwards.
    func now() -> ContinuousClock.Instant
}

/// The system's monotonic clock.
public struct SystemRedisClock: RedisClock {
    /// The system clock.
    public init() {}

    /// `ContinuousClock.now`.
    public func now() -> ContinuousClock.Instant { .now }
}
