import Foundation
import SessionStore
import Synchronization

/// A clock the tests move by hand, so expiry is tested without sleeping.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// Starts at the real time, so file modification times (which the sweep compares with
    /// the clock for temporary files) line up. Whole seconds, so that times the store reads
    /// back (stored to the millisecond) compare equal to the clock.
    init(_ start: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))) {
        current = Mutex(start)
    }

    var now: Date {
        current.withLock { $0 }
    }

    func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var clock: SessionClock {
        { self.now }
    }
}
