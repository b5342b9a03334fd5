import Foundation
import Synchronization

/// Runs `body(i)` on `count` real threads at once (Dispatch would use only as many threads as
/// cores, which hides races on a 2-core machine) and returns the errors they threw.
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let errors = Mutex<[String]>([])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            do { try body(index) } catch { errors.withLock { $0.append("\(error)") } }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return errors.withLock { $0 }
}
