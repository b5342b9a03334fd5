// The file store's background worker: the writes a read would otherwise do on its caller's
// thread (the sliding-expiry touch, moving a corrupt file aside), queued, coalesced per
// session and bounded, so reading a session never takes a lock or waits for fsync.
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// A bounded FIFO of per-session jobs drained by one serial queue. A second job for a session
/// that already has one waiting is merged into it; when `capacity` sessions are waiting, new
/// jobs are dropped and counted (a dropped touch only lets a session expire up to
/// `touchInterval` sooner; a dropped quarantine is done by the next sweep).
final class BackgroundWriter: Sendable {
    /// What to do for one session file.
    enum Job: Sendable {
        /// Record that `session` was used at `now`, if the file still holds `session.version`;
        /// `key` seals the rewritten file, `fingerprint` caches it.
        case touch(Session, key: [UInt8], fingerprint: [UInt8], now: Date)
        /// Move the file aside if it is still undecodable.
        case quarantine
    }

    /// What the worker did so far.
    typealias Statistics = BackgroundWriteStatistics

    /// Everything the submitters and the worker share, under `state`.
    private struct State {
        var waiting: [String: Job] = [:]
        var order: [String] = []
        var draining = false
        var full = false
        var statistics = Statistics()
    }

    /// Sessions that may wait at once.
    let capacity: Int
    /// The queue: waiting jobs by session, their order, and the counters.
    private let state = Mutex(State())
    /// Where the jobs run, one at a time.
    private let queue = DispatchQueue(label: "SessionStore.background", qos: .utility)
    /// What runs a job; set once by `start`.
    private let perform: Mutex<(@Sendable (String, Job) -> Void)?> = Mutex(nil)
    /// Where "queue full" goes.
    private let logger: Logger

    /// A worker for at most `capacity` waiting sessions, idle until `start` and `submit`.
    init(capacity: Int, logger: Logger) {
        precondition(capacity > 0, "the background queue needs room for at least one job")
        self.capacity = capacity
        self.logger = logger
    }

    /// Sets what runs each job (the store, which owns this worker, after its initialization).
    func start(_ body: @escaping @Sendable (_ name: String, _ job: Job) -> Void) {
        perform.withLock { $0 = body }
    }

    /// Queues `job` for session file `name`; never blocks. False when it was dropped.
    @discardableResult
    func submit(_ job: Job, for name: String) -> Bool {
        let (accepted, startDrain, becameFull) = state.withLock { state -> (Bool, Bool, Bool) in
            if let waiting = state.waiting[name] {
                state.waiting[name] = Self.merge(waiting, job)
                state.statistics.coalesced += 1
                return (true, false, false)
            }
            guard state.order.count < capacity else {
                state.statistics.dropped += 1
                let first = !state.full
                state.full = true
                return (false, false, first)
            }
            state.full = false
            state.waiting[name] = job
            state.order.append(name)
            state.statistics.queued += 1
            let start = !state.draining
            state.draining = true
            return (true, start, false)
        }
        if becameFull {
            logger.warning("session background queue full; dropping last-seen updates until it drains", metadata: ["capacity": "\(capacity)"])
        }
        if startDrain { queue.async { self.drain() } }
        return accepted
    }

    /// Waits until every job queued so far has run (tests, shutdown).
    func waitUntilIdle() {
        while true {
            queue.sync {}
            if state.withLock({ !$0.draining && $0.order.isEmpty }) { return }
        }
    }

    /// What the worker did so far.
    var statistics: Statistics {
        state.withLock { $0.statistics }
    }

    /// Sessions whose job waits to be started.
    var waitingCount: Int {
        state.withLock { $0.order.count }
    }

    /// True on the worker's own queue.
    var isCurrentThread: Bool {
        DispatchQueue.getSpecific(key: Self.marker) != nil
    }

    /// Marks the worker's queue, for `isCurrentThread`.
    private static let marker = DispatchSpecificKey<Bool>()

    /// Runs jobs until none waits; scheduled by the `submit` that found the worker idle.
    private func drain() {
        queue.setSpecific(key: Self.marker, value: true)
        let body = perform.withLock { $0 }
        while let (name, job) = next() {
            body?(name, job)
            state.withLock { $0.statistics.performed += 1 }
        }
    }

    /// Takes the oldest waiting job, or marks the worker idle when there is none.
    private func next() -> (String, Job)? {
        state.withLock { state in
            guard !state.order.isEmpty else {
                state.draining = false
                return nil
            }
            let name = state.order.removeFirst()
            return state.waiting.removeValue(forKey: name).map { (name, $0) }
        }
    }

    /// A quarantine wins over a touch (the file is bad); of two touches the later one counts.
    private static func merge(_ waiting: Job, _ new: Job) -> Job {
        switch (waiting, new) {
        case (.quarantine, _), (_, .quarantine): .quarantine
        case (.touch, .touch): new
        }
    }
}

/// What a file store's background worker did so far: for tests and operators.
public struct BackgroundWriteStatistics: Sendable, Equatable {
    /// Jobs (touches, quarantines) accepted into the queue.
    public var queued = 0
    /// Jobs merged into one already waiting for the same session.
    public var coalesced = 0
    /// Jobs refused because the queue was full (a touch lost: that session may expire up to
    /// `touchInterval` sooner).
    public var dropped = 0
    /// Jobs run.
    public var performed = 0
}
