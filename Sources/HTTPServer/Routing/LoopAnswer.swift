/// What a route's event-loop attempt (`MatchedRoute.onLoop`) comes to. The attempt runs on
/// the event loop and decides without blocking: it answers now, waits for one descriptor
/// (the loop's epoll watches it, so no thread sleeps in the meantime), or hands the request
/// to the route's blocking handler after all.
///
/// For routes whose usual case is a short wait on a kept-alive connection (a Graph call
/// with a cached token): on a worker the same request costs three thread switches.
public enum LoopAnswer: Sendable {
    /// The response, now.
    case response(HTTPResponse)
    /// Not yet: the loop calls the wait's `resume` once its descriptor is ready or its
    /// deadline has passed, and acts on what that returns.
    case waiting(DescriptorWait)
    /// This request must block after all (a token refresh, no idle connection, a stale
    /// one): the route's handler runs on the worker pool, as its kind says. It runs from the
    /// start, so an attempt may only have done what can safely be done twice.
    case blocking
}

/// A wait for one descriptor on the event loop that began it.
///
/// While `resume` runs the loop does not watch the descriptor, so `resume` may hand the
/// descriptor on (back to a pool) or close it. A client that leaves meanwhile does not cut
/// the wait short: its answer is dropped when it comes, and the descriptor's owner bounds
/// how many waits there can be (an outbound pool lends each connection to one wait).
public struct DescriptorWait: Sendable {
    /// What the descriptor must be ready for.
    public enum Readiness: Sendable {
        case readable
        case writable
    }

    /// Why `resume` is called.
    public enum Outcome: Sendable, Equatable {
        /// The descriptor is ready (or hung up, or failed: reading it says which). Spurious
        /// wake-ups are possible; `resume` then simply waits again.
        case ready
        /// The deadline passed first.
        case timedOut
    }

    /// The descriptor to watch.
    public var descriptor: Int32
    /// What it must be ready for.
    public var readiness: Readiness
    /// When to give up: `MonotonicClock.coarseMilliseconds()` time. The loop checks it on its
    /// sweep, so it may be late by up to a sweep interval.
    public var deadline: UInt64
    /// Carries on, on the loop's thread: must not block either.
    public var resume: @Sendable (Outcome) -> LoopAnswer

    /// A wait for `descriptor` to be ready for `readiness`, until `deadline`.
    public init(descriptor: Int32, readiness: Readiness, deadline: UInt64, resume: @escaping @Sendable (Outcome) -> LoopAnswer) {
        self.descriptor = descriptor
        self.readiness = readiness
        self.deadline = deadline
        self.resume = resume
    }
}
