import CLinux
import Glibc

/// Starting and joining plain pthreads: event loops, workers and the log writer are
/// long-lived threads, not Dispatch work items, so a blocked handler never starves the
/// Dispatch pool. Starting one can fail (EAGAIN: the process or the system is out of
/// threads or memory for stacks); callers decide what that means instead of crashing.
package enum Threads {
    /// pthread_create refused to start a thread; `code` is its error number.
    package struct StartError: Error, CustomStringConvertible, Sendable {
        /// The error number pthread_create returned (EAGAIN, ENOMEM, EPERM).
        package let code: Int32

        /// For logs: the call and its error.
        package var description: String { "pthread_create failed: \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// What the new thread runs, with its name; retained across pthread_create.
    private final class Box {
        /// Set as the thread's name (visible in top and gdb).
        let name: String
        /// The thread's work.
        let body: () -> Void

        /// Holds `body` until the thread takes it.
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a named thread running `body`; returns its handle for `join` or `detach`.
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(StartError) -> pthread_t {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            // Linux allows 15 bytes.
            _ = clinux_set_thread_name(String(box.name.prefix(15)))
            box.body()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw StartError(code: result)
        }
        return thread
    }

    /// Starts a named thread nobody joins.
    package static func startDetached(name: String, _ body: @escaping @Sendable () -> Void) throws(StartError) {
        detach(try start(name: name, body))
    }

    /// Waits for `thread` to end.
    package static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    /// Lets `thread` release its resources by itself when it ends.
    package static func detach(_ thread: pthread_t) {
        pthread_detach(thread)
    }
}
