import Glibc

/// Starting and joining plain pthreads: event loops and workers are long-lived threads,
/// not Dispatch work items, so a blocked handler never starves the Dispatch pool.
enum Threads {
    private final class Box {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a named thread running `body`; returns its handle for `join`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            Linux.setCurrentThreadName(box.name)
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        return thread
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    static func detach(_ thread: pthread_t) {
        pthread_detach(thread)
    }
}
