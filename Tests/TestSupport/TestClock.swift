import Foundation
import Synchronization

/// A clock the tests move by hand, so expiry is tested without sleeping.
public final class TestClock: Sendable {
    /// The time it says now.
    private let current: Mutex<Date>

    /// Starts at the real time, so file modification times (which the sweep compares with
    /// the clock for temporary files) line up. Whole seconds, so that times the store reads
    /// back (stored to the millisecond) compare equal to the clock.
    public init(_ start: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))) {
        current = Mutex(start)
    }

    /// A start of its own for tests whose expected values are written for one date
    /// (2026-01-01T00:00:00Z) rather than for the real time.
    public static let fixedStart = Date(timeIntervalSince1970: 1_767_225_600)

    /// The current test time.
    public var now: Date {
        current.withLock { $0 }
    }

    /// The current test time in whole seconds since 1970, as JWT claims carry it.
    public var epoch: Int64 {
        Int64(now.timeIntervalSince1970)
    }

    /// Moves the time on by `seconds` (back, when negative).
    public func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as the function stores and the app take.
    public var clock: @Sendable () -> Date {
        { self.now }
    }
}
