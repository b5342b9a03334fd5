import Dispatch
import FoundationEssentials
import Synchronization

/// Collapses concurrent identical work into one call: the first caller for a key does
/// the work, callers arriving meanwhile wait for its result. Successful results are kept
/// for a short while, so a request that read the session just before another one rotated
/// the refresh token gets the new tokens instead of redeeming the old refresh token again.
final class SingleFlight<Value: Sendable>: Sendable {
    private final class Call: Sendable {
        let outcome = Mutex<(result: Result<Value, OIDCError>, finishedAt: Date)?>(nil)
        /// Entered when the call starts and left once `outcome` is set, so followers can wait.
        let finished = DispatchGroup()

        init() { finished.enter() }
    }

    private let calls = Mutex<[String: Call]>([:])
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
                call.outcome.withLock { $0.map { now.timeIntervalSince($0.finishedAt) <= retention } ?? true }
            }
            if let existing = table[key] { return (existing, false) }
            let call = Call()
            table[key] = call
            return (call, true)
        }

        if !isLeader {
            call.finished.wait()
            return try call.outcome.withLock { $0!.result }.get()
        }

        let result: Result<Value, OIDCError>
        do { result = .success(try work()) } catch { result = .failure(error) }
        call.outcome.withLock { $0 = (result, clock()) }
        call.finished.leave()
        // Failures are not remembered: the next request should try again.
        if case .failure = result {
            calls.withLock { table in
                if table[key] === call { table.removeValue(forKey: key) }
            }
        }
        return try result.get()
    }
}
