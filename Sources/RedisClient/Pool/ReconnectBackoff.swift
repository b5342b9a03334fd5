import CryptoSupport

/// How long the client waits before it tries to connect again after a failed connect:
/// exponential from `initial` up to `maximum`, with "equal jitter" (half the delay fixed,
/// half random) so that many instances that lost Redis together do not reconnect in step.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The delay after the first failure (before jitter).
    public var initial: Duration
    /// The largest delay (before jitter).
    public var maximum: Duration

    /// 50 ms, doubling to at most 2 s: a Redis that restarts in a second is back in use
    /// within a second, a Redis that stays down costs one connect attempt per ~2 s.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay after `failures` consecutive failed connects (1 or more), with jitter
    /// from `random`: between half and all of `min(maximum, initial * 2^(failures-1))`.
    public func delay(afterFailures failures: Int, random: any RandomSource) -> Duration {
        let exponent = min(max(failures, 1) - 1, 30)
        let ceiling = min(maximum, initial * (1 << exponent))
        let half = ceiling / 2
        let fraction = Double(Self.uniform(random)) / Double(UInt64.max)
        return half + half * fraction
    }

    /// A uniform 64-bit value from `random`.
    private static func uniform(_ random: any RandomSource) -> UInt64 {
        random.bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
