import Dispatch
import Logging
import SessionStore
import Synchronization

/// Ends sessions the app no longer honours (their tenant is no longer allowed) from a
/// background thread: the request that notices may be running on an event loop, where the
/// store's delete (a file lock, an unlink, an fsync) must not run. Until the delete lands,
/// every request treats the session as signed out anyway. At most `limit` deletes wait at
/// once; beyond that one is skipped, and the next request using that session asks again.
final class SessionRevocations: Sendable {
    /// Deletes waiting or running.
    private let pending = Atomic<Int>(0)
    /// Most deletes waiting at once.
    let limit: Int
    /// Where a failed delete is logged.
    private let logger: Logger

    /// Revocations logging to `logger`, at most `limit` at once.
    init(logger: Logger, limit: Int = 32) {
        self.logger = logger
        self.limit = limit
    }

    /// Deletes `handle`'s session from `store` soon, on another thread.
    func revoke(_ handle: SessionHandle, in store: any SessionStore) {
        guard pending.add(1, ordering: .relaxed).newValue <= limit else {
            pending.subtract(1, ordering: .relaxed)
            return
        }
        let logger = logger
        DispatchQueue.global(qos: .utility).async { [self] in
            defer { pending.subtract(1, ordering: .relaxed) }
            do {
                try store.delete(handle)
            } catch {
                logger.error("Could not delete a session that is no longer allowed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Deletes waiting or running now (tests).
    var pendingCount: Int { pending.load(ordering: .relaxed) }
}
