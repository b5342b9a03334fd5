import Glibc

/// A value behind a pthread mutex, for state that worker threads touch on every request.
///
/// Swift's `Mutex` spins when it finds the lock taken. With more threads than cores (a
/// worker pool on a small machine) the holder is often preempted meanwhile, so a waiter
/// burns the rest of its time slice for nothing: a tenth of `/graph`'s CPU in a profile on
/// one core. glibc's default mutex sleeps in the kernel instead. `Mutex` stays right for
/// state that is rarely contended.
package final class Locked<Value: ~Copyable>: @unchecked Sendable {
    // Heap-allocated: a pthread mutex must not move, and Swift may move stored properties.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// `value`, guarded from now on.
    package init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value with the mutex held.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` on the value if the mutex is free at once; nil, without waiting, when
    /// another thread holds it (for an event loop, which must not sleep on a lock).
    package func withLockIfAvailable<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
