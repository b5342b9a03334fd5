// A value behind a readers-writer lock, for tables read on every request by many worker
// threads at once and written rarely (the decoded-session cache of a network store): readers
// never wait for one another, where a mutex would make each of them take turns.
import Glibc

/// `value`, read under a shared lock and changed under an exclusive one (pthread_rwlock).
final class ReadWriteLocked<Value>: @unchecked Sendable {
    /// The lock; allocated once so it never moves.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    /// Only touched while `lock` is held.
    private var value: Value

    /// `value`, unlocked.
    init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    /// Destroys the lock.
    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// `body` on the value, alongside other readers.
    func read<T>(_ body: (Value) throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(value)
    }

    /// `body` changing the value, alone.
    func write<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value)
    }
}
