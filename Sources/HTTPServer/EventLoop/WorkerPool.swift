/// Threads for handlers that may block (upstream HTTP calls, file locks), so event loops
/// never wait on them. Threads are started on demand up to a maximum and then kept, so an
/// idle server holds none and a busy one pays no thread start per request.
final class WorkerPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let maxThreads: Int
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var jobs: [Job] = []
    private var head = 0
    private var idle = 0
    private var threads = 0
    private var stopping = false

    init(maxThreads: Int) {
        self.maxThreads = max(1, maxThreads)
    }

    func submit(_ job: @escaping Job) {
        lock.lock()
        if stopping {
            lock.unlock()
            return
        }
        jobs.append(job)
        let queued = jobs.count - head
        var spawn = false
        if queued > idle && threads < maxThreads {
            threads += 1
            spawn = true
        }
        lock.unlock()
        lock.signal()
        if spawn {
            Threads.detach(Threads.start(name: "http-worker") { [self] in work() })
        }
    }

    /// Lets idle threads end; running jobs finish first and nothing new is accepted.
    func shutdown() {
        lock.withLock { stopping = true }
        lock.broadcast()
    }

    private func work() {
        lock.lock()
        while true {
            while head == jobs.count {
                if stopping {
                    threads -= 1
                    lock.unlock()
                    return
                }
                idle += 1
                lock.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            lock.unlock()
            job()
            lock.lock()
        }
    }
}
