// Keeps a refresh lock alive while its holder works: a timer that extends the lease every
// third of its length, so a lock outlives a slow token call but not a dead holder.
import Dispatch
import Logging
import RedisClient
import Synchronization

/// Renews one lock's lease until `stop()`. Runs on a utility queue, never on the holder's
/// thread; a renewal that finds the lock gone or someone else's logs it once and stops.
final class LeaseRenewal {
    /// The renewal timer.
    private let timer: any DispatchSourceTimer
    /// Set by `stop()`, so a renewal already in flight stays quiet.
    private let stopped = StopFlag()

    /// Starts renewing `key` (holding `token`) to `lease` every `lease / 3`.
    init(redis: RedisClient, key: String, token: [UInt8], lease: Duration, logger: Logger) {
        let interval = lease / 3
        let milliseconds = RedisSessionStore.milliseconds(lease)
        timer = DispatchSource.makeTimerSource(queue: Self.queue)
        let stopped = stopped
        let timer = timer
        timer.schedule(deadline: .now() + Self.dispatch(interval), repeating: Self.dispatch(interval), leeway: .milliseconds(5))
        timer.setEventHandler {
            guard !stopped.isSet else { return }
            do {
                let reply = try redis.evaluate(RedisSessionScripts.renewLock, keys: [key], arguments: [token, milliseconds])
                if reply == .integer(0), !stopped.isSet {
                    logger.warning("a token-refresh lock ran out before the refresh finished; another request may refresh too",
                                   metadata: ["lease": "\(lease)"])
                    timer.cancel()
                }
            } catch {
                // Tried again at the next tick; the lease covers two more.
                logger.warning("could not renew a token-refresh lock", metadata: ["error": "\(error)"])
            }
        }
        timer.resume()
    }

    /// Stops renewing (the holder is done).
    func stop() {
        stopped.set()
        timer.cancel()
    }

    /// Where renewals run: concurrent, so one slow renewal does not hold up another lock's.
    private static let queue = DispatchQueue(label: "RedisSessionStore.leases", qos: .utility, attributes: .concurrent)

    /// `duration` as Dispatch takes it.
    private static func dispatch(_ duration: Duration) -> DispatchTimeInterval {
        .milliseconds(Int(max(1, RedisSessionStore.milliseconds(duration))))
    }
}

/// A flag the timer's handler and the holder share.
private final class StopFlag: Sendable {
    /// Set once, never cleared.
    private let value = Atomic<Bool>(false)

    /// True once `set()` ran.
    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets the flag.
    func set() { value.store(true, ordering: .releasing) }
}
