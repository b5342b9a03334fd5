/// Collapses concurrent identical work into one call: the first caller for a key does
/// the work, callers arriving meanwhile wait for its result. Successful results are kept
/// for a short while, so a request that read the session just before another one rotated
/// the refresh token gets the new tokens instead of redeeming the old refresh token again.
import Foundation

final class SingleFlight<Value: Sendable>: Sendable {
    private final class Call: @unchecked Sendable {
        // Guarded by `condition`.
        let condition = NSCondition()
        var result: Result<Value, OIDCError>?
        var finishedAt: Date?
    }

    private let calls = Locked<[String: Call]>([:])
    private let retention: TimeInterval
    private let clock: @Sendable () -> Date

    init(retention: TimeInterval, clock: @escaping @Sendable () -> Date) {
        self.retention = retention
        self.clock = clock
    }

    func run(key: String, _ work: () throws(OIDCError) -> Value) throws(OIDCError) -> Value {
        let now = clock()
        let (call, isLeader) = calls.withLock { table -> (Call, Bool) in
            table = table.filter { _, call in
                call.condition.withLock { call.finishedAt.map { now.timeIntervalSince($0) <= retention } ?? true }
            }
            if let existing = table[key] { return (existing, false) }
            let call = Call()
            table[key] = call
            return (call, true)
        }

        if !isLeader {
            call.condition.lock()
            while call.result == nil { call.condition.wait() }
            let result = call.result!
            call.condition.unlock()
            return try result.get()
        }

        let result: Result<Value, OIDCError>
        do { result = .success(try work()) } catch { result = .failure(error) }
        call.condition.withLock {
            call.result = result
            call.finishedAt = clock()
            call.condition.broadcast()
        }
        // Failures are not remembered: the next request should try again.
        if case .failure = result {
            calls.withLock { table in
                if table[key] === call { table.removeValue(forKey: key) }
            }
        }
        return try result.get()
    }
}
