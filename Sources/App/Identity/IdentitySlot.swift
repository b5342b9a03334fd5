import Synchronization

/// Holds the `Identity` built after the server binds, for routes registered before that.
final class IdentitySlot: Sendable {
    private let value = Mutex<Identity?>(nil)

    var current: Identity? { value.withLock { $0 } }

    func set(_ identity: Identity?) {
        value.withLock { $0 = identity }
    }
}
