import Logging
import Synchronization
import ThreadSupport

/// Threads for the handlers of `.blocking` routes (upstream HTTP calls, file locks), so
/// event loops never wait on them. Threads are started on demand up to a maximum and then
/// kept, so an idle server holds none and a busy one pays no thread start per request.
///
/// Jobs wait in a bounded first-in first-out queue: `submit` says no when it is full (the
/// loop answers 503), a job is released as soon as a worker takes it, and a job whose
/// connection closed while it waited is skipped. When no thread can be started at all, the
/// waiting jobs are refused (their connections get 503) instead of waiting for ever.
final class WorkerPool: @unchecked Sendable {
    // @unchecked: every `var` is guarded by `lock`.

    /// One request for a worker.
    struct Job: Sendable {
        /// Set when the job's connection has closed; the job is then skipped.
        var cancellation: CancellationFlag?
        /// The work: runs the handler and hands the response back to the event loop.
        var run: @Sendable () -> Void
        /// Called instead of `run` when the pool cannot run the job (no thread could be
        /// started): tells the event loop to answer 503.
        var refuse: @Sendable () -> Void
    }

    /// Starts a detached thread running its argument; throws when none can be started.
    typealias ThreadStarter = @Sendable (_ body: @escaping @Sendable () -> Void) throws -> Void

    /// Most worker threads.
    private let maxThreads: Int
    /// How a worker thread is started.
    private let startThread: ThreadStarter
    /// Where a thread that cannot be started is reported.
    private let logger: Logger
    /// Guards the queue and the counts; idle workers wait on it.
    private let lock = ConditionLock()
    /// Jobs waiting for a thread, oldest first.
    private var queue: BoundedQueue<Job>
    /// Threads waiting for a job.
    private var idle = 0
    /// Threads started and not ended (or being started).
    private var threads = 0
    /// `shutdown()` was called: no new jobs, threads end once the queue is empty.
    private var stopping = false
    /// Jobs skipped because their connection had closed (for tests and diagnostics).
    private let skipped = Atomic<Int>(0)
    /// Jobs run (for tests that check a request never needed a worker).
    private let ran = Atomic<Int>(0)

    /// - Parameters:
    ///   - maxThreads: most worker threads.
    ///   - capacity: most jobs waiting for a thread.
    ///   - threadName: what its threads are called (top, gdb).
    ///   - startThread: how threads are started (tests inject failures).
    init(maxThreads: Int, capacity: Int, logger: Logger, threadName: String = "http-worker", startThread: ThreadStarter? = nil) {
        self.maxThreads = max(1, maxThreads)
        self.queue = BoundedQueue(capacity: capacity)
        self.logger = logger
        self.startThread = startThread ?? { body in try Threads.startDetached(name: threadName, body) }
    }

    /// Jobs skipped so far because their connection closed before they started.
    var skippedJobCount: Int { skipped.load(ordering: .relaxed) }

    /// Jobs run so far.
    var ranJobCount: Int { ran.load(ordering: .relaxed) }

    /// Jobs waiting for a thread now.
    var queuedJobCount: Int { lock.withLock { queue.count } }

    /// Queues `job`; false when the queue is full or the pool is stopping (the caller
    /// answers 503 itself). Even after true, `job.refuse` may be called instead of `run`.
    func submit(_ job: Job) -> Bool {
        lock.lock()
        guard !stopping, queue.push(job) else {
            lock.unlock()
            return false
        }
        var spawn = false
        if queue.count > idle && threads < maxThreads {
            threads += 1
            spawn = true
        }
        lock.unlock()
        lock.signal()
        if spawn {
            do {
                try startThread { [self] in work() }
            } catch {
                threadDidNotStart(error)
            }
        }
        return true
    }

    /// A thread could not be started. Other threads will take the queue; with none left,
    /// every waiting job is refused rather than left waiting for a thread that never comes.
    private func threadDidNotStart(_ error: any Error) {
        let orphans: [Job] = lock.withLock {
            threads -= 1
            return threads == 0 ? queue.removeAll() : []
        }
        logger.error("Cannot start a worker thread: \(error); \(orphans.count) waiting request(s) answered 503")
        for job in orphans { job.refuse() }
    }

    /// Lets idle threads end; running and queued jobs finish first, nothing new is accepted.
    func shutdown() {
        lock.withLock { stopping = true }
        lock.broadcast()
    }

    /// A worker thread's life: take the oldest job, run it unless its connection is gone.
    private func work() {
        lock.lock()
        while true {
            while queue.isEmpty {
                if stopping {
                    threads -= 1
                    lock.unlock()
                    return
                }
                idle += 1
                lock.wait()
                idle -= 1
            }
            let job = queue.pop()!
            lock.unlock()
            if job.cancellation?.isCancelled == true {
                skipped.add(1, ordering: .relaxed)
            } else {
                ran.add(1, ordering: .relaxed)
                job.run()
            }
            lock.lock()
        }
    }
}
