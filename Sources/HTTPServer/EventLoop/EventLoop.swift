import Glibc
import ThreadSupport
import Logging

/// One epoll event loop on its own thread: accepts connections from the shared listener,
/// reads and parses requests, matches each request's route once, runs its handler inline
/// (or on the worker pool for `.blocking` routes, unless the route's event-loop attempt
/// answers, maybe after waiting here for a socket), writes each batch of responses with one
/// send, and sweeps for timeouts.
///
/// A request stays on this thread from read to write unless it must block: a thread
/// hand-off costs tens of microseconds, more than the whole of a small request.
final class EventLoop: @unchecked Sendable {
    // @unchecked: every `var` below is touched only on the loop thread (they are internal
    // only so the EventLoop+*.swift extensions can reach them). Other threads only call
    // `execute`, which goes through the `tasks` mutex and the eventfd.

    let index: Int
    let context: ServerContext
    let epfd: Int32
    let wakeFD: Int32
    let listenFD: Int32
    /// Jobs from other threads. A `Locked`, not Swift's `Mutex`: a worker holds the lock
    /// while its eventfd write wakes this loop, and on a shared core the woken loop would
    /// spin for the rest of its slice while the preempted worker still holds it.
    let tasks = Locked(TaskQueue())

    struct TaskQueue: ~Copyable {
        var jobs: [@Sendable () -> Void] = []
        var wakePending = false
        var closed = false
    }

    var connections: [Connection?] = []
    /// Descriptor waits in progress, by descriptor (see `EventLoop+Waits`): one per connection
    /// waiting for its answer, and those of clients that left, each until its descriptor is
    /// ready or its deadline passes (for `/graph`, the outbound pool lends a connection to each).
    var waits: [Int32: PendingWait] = [:]
    /// Numbers each wait, so a late event of an earlier wait on the same descriptor is told apart.
    var nextWaitSerial: UInt32 = 0
    var connectionCount = 0
    /// Rejected connections (503 over a cap) lingering until their client has read it.
    var lingeringRejects = 0
    var nextID: UInt64 = 1
    static let maxEvents: Int32 = 256
    let events: UnsafeMutableRawPointer
    /// Bytes discarded per read while lingering.
    static let readBufferSize = 64 * 1024
    /// Bytes taken per read for the parser: a request head or a form in one or two reads,
    /// while a client that pipelines and never reads leaves at most this much unanswered
    /// input behind when its output pauses it (16 KiB, not 64, for each of thousands).
    static let requestReadSize = 16 * 1024
    let readBuffer: UnsafeMutableRawPointer

    var now: UInt64
    var dateSecond = -1
    var dateLine: [UInt8] = []
    let sweepInterval: UInt64
    var nextSweep: UInt64 = 0
    var listening = false
    var acceptResumeAt: UInt64 = 0
    var running = true
    var draining = false
    var onDrained: (@Sendable () -> Void)?

    init(index: Int, context: ServerContext, listenFD: Int32) throws {
        self.index = index
        self.context = context
        self.listenFD = listenFD
        epfd = Linux.epollCreate()
        guard epfd >= 0 else { throw SocketError("epoll_create1") }
        wakeFD = Linux.eventfd()
        guard wakeFD >= 0 else {
            close(epfd)
            throw SocketError("eventfd")
        }
        guard Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, wakeFD, events: Linux.EPOLLIN, data: UInt64(UInt32(bitPattern: wakeFD))) == 0 else {
            close(epfd)
            close(wakeFD)
            throw SocketError("epoll_ctl(eventfd)")
        }
        events = .allocate(byteCount: Int(Self.maxEvents) * Linux.epollEventSize, alignment: 8)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        let shortest = min(context.headTimeoutMs, context.idleTimeoutMs)
        sweepInterval = min(250, max(10, shortest / 4))
        now = MonotonicClock.coarseMilliseconds()
    }

    deinit {
        events.deallocate()
        readBuffer.deallocate()
    }

    // MARK: - Cross-thread entry points

    /// Runs `job` on the loop thread soon. Safe from any thread. Jobs sent after the loop
    /// has stopped are dropped (a worker may finish after shutdown).
    func execute(_ job: @escaping @Sendable () -> Void) {
        tasks.withLock { queue in
            guard !queue.closed else { return }
            queue.jobs.append(job)
            if !queue.wakePending {
                queue.wakePending = true
                // Under the lock, so the eventfd cannot be closed (and its number reused)
                // between the check and the write.
                var one: UInt64 = 1
                _ = Glibc.write(wakeFD, &one, 8)
            }
        }
    }

    // MARK: - The loop

    func run() {
        tick()
        startListening()
        while running {
            let n = Linux.epollWait(epfd, events, Self.maxEvents, Int32(sweepInterval))
            if n < 0 && errno != EINTR {
                context.logger.error("epoll_wait failed: \(Linux.errorString(errno))")
                break
            }
            tick()
            var i = 0
            while i < Int(n) {
                let (flags, data) = Linux.epollEvent(events, i)
                i += 1
                dispatchEvent(flags, data)
            }
            if now >= nextSweep { sweep() }
        }
        for case let connection? in connections { closeConnection(connection) }
        waits = [:]
        tasks.withLock { queue in
            queue.closed = true
            queue.jobs = []
            close(wakeFD)
        }
        close(epfd)
    }

    /// Refreshes the coarse clock and the cached Date header line (once per second).
    func tick() {
        now = MonotonicClock.coarseMilliseconds()
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        if ts.tv_sec != dateSecond {
            dateSecond = ts.tv_sec
            var line = Array("Date: ".utf8)
            line.append(contentsOf: HTTPDate.bytes(ts.tv_sec))
            line.append(ASCII.cr)
            line.append(ASCII.lf)
            dateLine = line
        }
    }

    func runTasks() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let jobs = tasks.withLock { queue -> [@Sendable () -> Void] in
            let jobs = queue.jobs
            queue.jobs = []
            queue.wakePending = false
            return jobs
        }
        for job in jobs { job() }
    }

    /// Acts on one epoll event. A connection's event carries its generation (see
    /// `Connection.epollData`): one queued for a connection that has since closed, whose fd
    /// a new connection got, is dropped instead of acting on the newcomer.
    func dispatchEvent(_ flags: UInt32, _ data: UInt64) {
        let fd = Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: data))
        if fd == wakeFD {
            runTasks()
        } else if fd == listenFD {
            acceptConnections()
        } else if data & Self.waitTag != 0 {
            resumeWait(fd: fd, data: data, outcome: .ready)
        } else if let connection = connection(for: fd), connection.epollData == data {
            handle(connection, flags)
        }
    }

    /// The open connection on `fd`, if any.
    @inline(__always)
    func connection(for fd: Int32) -> Connection? {
        let i = Int(fd)
        return i >= 0 && i < connections.count ? connections[i] : nil
    }
}
