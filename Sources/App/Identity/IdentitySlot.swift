import ThreadSupport

/// Holds the `Identity` built after the server binds, for routes registered before that.
/// Read by every request on every worker: a `Locked`, which sleeps rather than spins.
final class IdentitySlot: Sendable {
    private let value = Locked<Identity?>(nil)

    var current: Identity? { value.withLock { $0 } }

    func set(_ identity: Identity?) {
        value.withLock { $0 = identity }
    }
}
