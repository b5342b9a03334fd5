// Runs the store's sweep periodically on a background queue, so expired sessions disappear
// without any request paying for it.
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// A repeating timer that calls `sweepExpired()` on its own low-priority serial queue. A
/// sweep that takes longer than the interval delays the next one instead of overlapping it.
/// The sweep takes session locks only without waiting, so it never blocks a request.
public final class SessionSweeper: Sendable {
    private let store: any SessionStore
    private let interval: TimeInterval
    private let logger: Logger
    private let queue = DispatchQueue(label: "SessionStore.sweeper", qos: .utility)
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    /// `interval`: seconds between sweeps (default 10 minutes).
    public init(store: any SessionStore, interval: TimeInterval = 600, logger: Logger = Logger(label: "SessionStore.sweeper")) {
        precondition(interval > 0, "sweep interval must be positive")
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Starts sweeping: the first sweep runs after `initialDelay` seconds (default: right away,
    /// to clean up after a crash or a long downtime). Calling it again does nothing.
    public func start(initialDelay: TimeInterval = 0) {
        timer.withLock { running in
            guard running == nil else { return }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            // Leeway lets the system batch wake-ups; sweep timing is not precise anyway.
            timer.schedule(deadline: .now() + initialDelay, repeating: interval, leeway: .seconds(Int(min(interval / 10, 60))))
            timer.setEventHandler { [store, logger] in
                do {
                    try store.sweepExpired()
                } catch {
                    logger.error("session sweep failed", metadata: ["error": "\(error)"])
                }
            }
            timer.resume()
            running = timer
        }
    }

    /// Stops sweeping. A sweep in progress finishes.
    public func stop() {
        timer.withLock { running in
            running?.cancel()
            running = nil
        }
    }

    /// Runs one sweep on the sweeper's queue and waits for it (for shutdown and tests).
    @discardableResult
    public func sweepNow() throws -> SweepReport {
        try queue.sync { try store.sweepExpired() }
    }

    deinit {
        stop()
    }
}
