import Glibc

/// The monotonic instant by which an I/O step must be done. One deadline covers a whole
/// step (a connect, a write, a reply, an outbound request), so a server that trickles a byte
/// at a time cannot stretch it the way a per-read timeout could be stretched.
package struct Deadline: Sendable {
    /// When the time is up.
    package let instant: ContinuousClock.Instant

    /// `duration` from now.
    package init(after duration: Duration) {
        instant = .now + duration
    }

    /// What is left, in whole milliseconds rounded up (for poll), or 0 when passed.
    package var remainingMilliseconds: Int32 {
        let left = instant - .now
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

/// What waiting for a descriptor came to.
package enum PollOutcome: Sendable, Equatable {
    /// Ready for the events asked for (or hung up or failed: the next call says which).
    case ready
    /// The deadline passed first.
    case timedOut
    /// poll(2) itself failed with this errno.
    case failed(Int32)
}

extension Deadline {
    /// Waits with poll(2) until `fd` is ready for `events` or the deadline passes; an
    /// interrupted wait resumes with what is left.
    package func wait(for fd: Int32, events: Int16) -> PollOutcome {
        while true {
            let left = remainingMilliseconds
            guard left > 0 else { return .timedOut }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, left)
            if ready > 0 { return .ready }
            if ready < 0 && errno != EINTR { return .failed(errno) }
        }
    }
}
