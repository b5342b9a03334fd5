import Logging

/// Threads of their own for the routes declared `.blocking(on: lane)`, apart from the
/// server's worker pool. A handler on the pool may wait for a request that a lane serves
/// (the app's sign-in callback calls the embedded development provider's token endpoint
/// over HTTP): with every pool thread waiting so, a request queued behind them on the same
/// pool would never run; on a lane it does. Jobs wait in a bounded queue (503 when full);
/// threads start on demand up to `threads` and are kept until `shutdown()`.
public final class WorkerLane: Sendable, Equatable {
    /// What its threads are called.
    public let name: String
    /// The threads and their queue.
    let pool: WorkerPool

    /// A lane of at most `threads` threads and `capacity` waiting requests.
    public init(name: String, threads: Int, capacity: Int, logger: Logger = Logger(label: "worker-lane")) {
        self.name = name
        pool = WorkerPool(maxThreads: threads, capacity: capacity, logger: logger, threadName: name)
    }

    /// Lets its threads end once their queue is empty; nothing new is accepted.
    public func shutdown() {
        pool.shutdown()
    }

    /// The same lane.
    public static func == (a: WorkerLane, b: WorkerLane) -> Bool {
        a === b
    }
}
