import Glibc

/// Monotonic time helpers shared by the event loops and the server.
package enum MonotonicClock {
    /// Milliseconds from a coarse clock: cheap (vDSO, no syscall), ~4 ms resolution, which is
    /// plenty for timeouts.
    package static func coarseMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    /// Nanoseconds from CLOCK_MONOTONIC, for measuring durations.
    package static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// A CLOCK_MONOTONIC timespec `seconds` from now.
    package static func deadline(after seconds: Double) -> timespec {
        let target = nanoseconds() + UInt64(max(0, seconds) * 1e9)
        return timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
    }
}
