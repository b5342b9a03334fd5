import Glibc
import Logging
import ThreadSupport

/// Where log lines go without ever blocking a request: lines are queued in memory and a
/// thread of their own writes them to a file descriptor (standard error). Writing straight
/// to stderr from the event loop stops the whole server as soon as the log's reader stalls
/// (a full pipe, a stuck log collector): every connection waits on one write().
public final class LogOutput: Sendable {
    // @unchecked: the queue is only touched with `lock` held.
    private final class Queue: @unchecked Sendable {
        let lock = ConditionLock()
        var pending: [UInt8] = []
        var dropped = 0
        var writing = false
    }

    private let queue = Queue()
    private let capacity: Int

    /// `capacity`: bytes that may wait for the reader; lines beyond it are dropped and
    /// counted, and the count is written once the reader catches up, so a stalled log costs
    /// a bounded amount of memory and is visible afterwards. Meant to live as long as the
    /// process (one per process): its writer thread is never stopped. Throws when the
    /// writer thread cannot be started.
    public init(descriptor: Int32 = STDERR_FILENO, capacity: Int = 4 << 20) throws {
        self.capacity = capacity
        let queue = self.queue
        try Threads.startDetached(name: "log-output") { Self.drain(queue, to: descriptor) }
    }

    /// Queues one line (with its newline). Never blocks on the descriptor.
    public func write(_ line: String) {
        queue.lock.withLock {
            guard queue.pending.count + line.utf8.count <= capacity else {
                queue.dropped += 1
                return
            }
            if queue.pending.isEmpty { queue.lock.signal() }
            queue.pending.append(contentsOf: line.utf8)
        }
    }

    /// Waits until every queued line is written, or `timeout` seconds have passed (a reader
    /// that never comes back must not hold up the exit). True when everything was written.
    @discardableResult
    public func flush(timeout: Double) -> Bool {
        let deadline = MonotonicClock.nanoseconds() + UInt64(max(0, timeout) * 1e9)
        while true {
            if queue.lock.withLock({ queue.pending.isEmpty && queue.dropped == 0 && !queue.writing }) { return true }
            if MonotonicClock.nanoseconds() >= deadline { return false }
            usleep(2_000)
        }
    }

    /// A swift-log handler that formats lines as `StreamLogHandler` does and queues them here.
    public func logHandler(label: String, level: Logger.Level) -> some LogHandler {
        var handler = StreamLogHandler(label: label, stream: Stream(output: self))
        handler.logLevel = level
        return handler
    }

    private struct Stream: TextOutputStream, Sendable {
        let output: LogOutput
        mutating func write(_ string: String) { output.write(string) }
    }

    /// How long the writer lets lines gather after the first one arrives. Waking it for every
    /// line would cost each request a context switch; under load this makes one write() of
    /// hundreds of lines instead, and a quiet server's lines still appear within 5 ms.
    private static let batchDelayMicroseconds: UInt32 = 5_000

    private static func drain(_ queue: Queue, to descriptor: Int32) {
        var batch: [UInt8] = []
        while true {
            queue.lock.withLock {
                while queue.pending.isEmpty && queue.dropped == 0 { queue.lock.wait() }
                queue.writing = true
            }
            usleep(batchDelayMicroseconds)
            let dropped: Int = queue.lock.withLock {
                swap(&batch, &queue.pending)
                defer { queue.dropped = 0 }
                return queue.dropped
            }
            writeAll(batch, to: descriptor)
            if dropped > 0 {
                writeAll(Array("\(dropped) log lines dropped: the log's reader did not keep up\n".utf8), to: descriptor)
            }
            // Keep a buffer of everyday size; one grown by a stalled reader is given back.
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16)
            queue.lock.withLock { queue.writing = false }
        }
    }

    /// Blocking write of every byte; gives up on a descriptor that is gone (EPIPE, EBADF),
    /// since there is nowhere else to report it.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else if n < 0 && errno == EAGAIN {
                    var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, -1)
                } else {
                    return
                }
            }
        }
    }
}
