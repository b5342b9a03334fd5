import Synchronization

/// Says that the connection a worker job answers has gone. The event loop sets it when it
/// closes the connection; a worker checks it before it starts the job and skips the job
/// when it is set, so nothing runs (no session is created, no provider is called) for a
/// client that reset while its request waited in the queue.
final class CancellationFlag: Sendable {
    /// Set once, never cleared.
    private let cancelled = Atomic<Bool>(false)

    /// A flag not yet set.
    init() {}

    /// True once `cancel()` has been called.
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Marks the work as no longer wanted.
    func cancel() { cancelled.store(true, ordering: .releasing) }
}
