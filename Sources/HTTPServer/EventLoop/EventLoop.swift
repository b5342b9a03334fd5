/// One epoll event loop on its own thread: accepts connections from the shared listener,
/// reads and parses requests, calls the responder inline (or on the worker pool when it may
/// block), writes each batch of responses with one send, and sweeps for timeouts.
///
/// A request stays on this thread from read to write unless it must block: a thread
/// hand-off costs tens of microseconds, more than the whole of a small request.
import Glibc
import Logging
import Synchronization

final class EventLoop: @unchecked Sendable {
    // @unchecked: every `var` below is touched only on the loop thread. Other threads only
    // call `execute`, which goes through the `tasks` mutex and the eventfd.

    let index: Int
    private let context: ServerContext
    private let epfd: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let tasks = Mutex<TaskQueue>(TaskQueue())

    private struct TaskQueue: ~Copyable {
        var jobs: [@Sendable () -> Void] = []
        var wakePending = false
        var closed = false
    }

    private var connections: [Connection?] = []
    private var connectionCount = 0
    private var nextID: UInt64 = 1
    private static let maxEvents: Int32 = 256
    private let events: UnsafeMutableRawPointer
    private static let readBufferSize = 64 * 1024
    private let readBuffer: UnsafeMutableRawPointer

    private var now: UInt64
    private var dateSecond = -1
    private var dateLine: [UInt8] = []
    private let sweepInterval: UInt64
    private var nextSweep: UInt64 = 0
    private var listening = false
    private var acceptResumeAt: UInt64 = 0
    private var running = true
    private var draining = false
    private var onDrained: (@Sendable () -> Void)?

    /// Past this much unsent output, stop reading from a client that does not read.
    private static let maxPendingOutput = 256 * 1024

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
                let fd = Int32(truncatingIfNeeded: data)
                if fd == wakeFD {
                    runTasks()
                } else if fd == listenFD {
                    acceptConnections()
                } else if let connection = connection(for: fd) {
                    handle(connection, flags)
                }
            }
            if now >= nextSweep { sweep() }
        }
        for case let connection? in connections { closeConnection(connection) }
        tasks.withLock { queue in
            queue.closed = true
            queue.jobs = []
            close(wakeFD)
        }
        close(epfd)
    }

    /// Refreshes the coarse clock and the cached Date header line (once per second).
    private func tick() {
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

    private func runTasks() {
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

    @inline(__always)
    private func connection(for fd: Int32) -> Connection? {
        let i = Int(fd)
        return i >= 0 && i < connections.count ? connections[i] : nil
    }

    // MARK: - Accepting

    private func startListening() {
        guard !listening, !draining, !context.isShuttingDown else { return }
        // EPOLLEXCLUSIVE: one listener shared by all loops without waking them all per connection.
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, listenFD, events: Linux.EPOLLIN | Linux.EPOLLEXCLUSIVE, data: UInt64(UInt32(bitPattern: listenFD))) == 0 {
            listening = true
        } else {
            context.logger.error("Cannot watch the listening socket: \(Linux.errorString(errno))")
        }
    }

    private func stopListening() {
        guard listening else { return }
        _ = Linux.epollCtl(epfd, Linux.EPOLL_CTL_DEL, listenFD, events: 0, data: 0)
        listening = false
    }

    private func acceptConnections() {
        if context.isShuttingDown {
            stopListening()
            return
        }
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Linux.accept4(listenFD, $0, &length) }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop accepting for a moment instead of spinning on a
                    // listener that stays readable.
                    context.logger.warning("accept failed: \(Linux.errorString(errno)); pausing accepts")
                    stopListening()
                    acceptResumeAt = now + 100
                    return
                default:
                    return
                }
            }
            let peer = withUnsafePointer(to: &storage) { IPAddress($0) }
            guard context.reserveConnection() else {
                reject(fd, peer: peer)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd, id: nextID, peer: peer, limits: context.limits)
            nextID &+= 1
            connection.deadline = now + context.headTimeoutMs
            register(connection)
        }
    }

    /// Over the connection cap: say 503 and close, lingering briefly so the answer is read.
    private func reject(_ fd: Int32, peer: IPAddress?) {
        var bytes: [UInt8] = []
        var response = HTTPResponse.text("Service Unavailable\n", status: .serviceUnavailable)
        response.headers["Retry-After"] = "1"
        ResponseSerializer.write(response, framing: .init(isHead: false, isHTTP10: false, keepAlive: false), dateLine: dateLine, into: &bytes)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        let connection = Connection(fd: fd, id: nextID, peer: peer, limits: context.limits, rejected: true)
        nextID &+= 1
        connection.lingering = true
        connection.deadline = now + 1000
        register(connection)
        if context.accessLogEnabled {
            context.logger.info("- - 503 \(bytes.count) 0.000ms", metadata: ["reason": "connection limit"])
        }
    }

    private func register(_ connection: Connection) {
        let i = Int(connection.fd)
        if i >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(i + 1 - connections.count, connections.count)))
        }
        connections[i] = connection
        connectionCount += 1
        let interest = Linux.EPOLLIN | Linux.EPOLLRDHUP
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, connection.fd, events: interest, data: UInt64(UInt32(bitPattern: connection.fd))) != 0 {
            context.logger.error("epoll_ctl(ADD) failed: \(Linux.errorString(errno))")
            closeConnection(connection)
            return
        }
        connection.interest = interest
    }

    // MARK: - Reading and parsing

    private func handle(_ connection: Connection, _ flags: UInt32) {
        if flags & (Linux.EPOLLERR | Linux.EPOLLHUP) != 0 {
            // Reset or fully closed: nothing more can be written.
            closeConnection(connection)
            return
        }
        if flags & (Linux.EPOLLIN | Linux.EPOLLRDHUP) != 0 {
            readable(connection)
            if connection.closed { return }
        }
        if flags & Linux.EPOLLOUT != 0 {
            flush(connection)
        }
    }

    private func readable(_ connection: Connection) {
        if connection.lingering {
            while true {
                let n = read(connection.fd, readBuffer, Self.readBufferSize)
                if n > 0 { continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
                closeConnection(connection)
                return
            }
        }
        let n = read(connection.fd, readBuffer, Self.readBufferSize)
        if n > 0 {
            connection.parser.feed(UnsafeRawBufferPointer(start: readBuffer, count: n))
            process(connection)
        } else if n == 0 {
            connection.peerClosed = true
            process(connection)
        } else if errno != EAGAIN && errno != EINTR {
            closeConnection(connection)
        }
    }

    /// Answers every complete request buffered on the connection, in order, then writes.
    private func process(_ connection: Connection) {
        while !connection.awaitingWorker && !connection.closeAfterFlush {
            let event: HTTPParseEvent?
            do {
                event = try connection.parser.next()
            } catch {
                respondToParseError(connection, error)
                break
            }
            guard let event else { break }
            switch event {
            case .expectContinue:
                connection.out.append(contentsOf: ResponseSerializer.continueResponse)
            case .request(let request, let keepAlive):
                dispatch(request, keepAlive: keepAlive, on: connection)
            }
        }
        if connection.peerClosed && !connection.awaitingWorker {
            // The client has finished sending; whatever was complete has been answered.
            connection.closeAfterFlush = true
        }
        flush(connection)
    }

    /// What the loop remembers about a request while its response is being produced.
    private struct RequestInfo: Sendable {
        var method: HTTPMethod
        var path: String
        var isHTTP10: Bool
        var keepAlive: Bool
        var startNanos: UInt64
    }

    private func dispatch(_ parsed: HTTPRequest, keepAlive: Bool, on connection: Connection) {
        var request = parsed
        if let peer = connection.peer {
            ForwardedHeaders.apply(to: &request, peer: peer, peerText: connection.peerText, trusted: context.proxies)
        }
        let info = RequestInfo(
            method: request.method, path: request.path,
            isHTTP10: request.version.minor == 0,
            keepAlive: keepAlive && !connection.peerClosed && !context.isShuttingDown,
            startNanos: context.accessLogEnabled ? MonotonicClock.nanoseconds() : 0)
        let responder = context.responder
        if responder.mayBlock(request) {
            connection.awaitingWorker = true
            let fd = connection.fd
            let id = connection.id
            let logger = context.logger
            let request = request
            context.workers.submit { [self] in
                let response = Self.respond(responder, to: request, logger: logger)
                execute { [self] in finishBlocking(fd: fd, id: id, info: info, response: response) }
            }
        } else {
            let response = Self.respond(responder, to: request, logger: context.logger)
            write(response, for: info, to: connection)
        }
    }

    /// Calls the responder; a thrown error becomes a plain 500 and a log line.
    private static func respond(_ responder: any HTTPResponder, to request: HTTPRequest, logger: Logger) -> HTTPResponse {
        do {
            return try responder.respond(to: request)
        } catch {
            logger.error("Handler failed for \(request.method.rawValue) \(request.path): \(error)")
            return .text("Internal Server Error\n", status: .internalServerError)
        }
    }

    private func finishBlocking(fd: Int32, id: UInt64, info: RequestInfo, response: HTTPResponse) {
        // The client may have gone (and its fd been reused) while the worker ran.
        guard let connection = connection(for: fd), connection.id == id, connection.awaitingWorker else { return }
        connection.awaitingWorker = false
        write(response, for: info, to: connection)
        process(connection)
        if draining && connection.closed == false && connection.isIdle { closeConnection(connection) }
    }

    private func write(_ response: HTTPResponse, for info: RequestInfo, to connection: Connection) {
        // Shutdown may have begun while a worker produced this response; a handler may also
        // ask for the connection to be closed (`Connection: close`).
        let keepAlive = info.keepAlive && !draining && !context.isShuttingDown && !Self.asksToClose(response)
        let framing = ResponseSerializer.Framing(isHead: info.method == .HEAD, isHTTP10: info.isHTTP10, keepAlive: keepAlive)
        let bytes = ResponseSerializer.write(response, framing: framing, dateLine: dateLine, into: &connection.out)
        if !keepAlive { connection.closeAfterFlush = true }
        if context.accessLogEnabled {
            AccessLog.log(
                context.logger, method: info.method.rawValue, path: info.path, status: response.status.code,
                bytes: bytes, nanoseconds: MonotonicClock.nanoseconds() &- info.startNanos)
        }
    }

    private static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.headers["Connection"] else { return false }
        return value.utf8.count == 5 && HTTPHeaders.same(value, "close")
    }

    private func respondToParseError(_ connection: Connection, _ error: HTTPParseError) {
        let response = HTTPResponse.text("\(error.status.reason)\n", status: error.status)
        let framing = ResponseSerializer.Framing(isHead: false, isHTTP10: false, keepAlive: false)
        let bytes = ResponseSerializer.write(response, framing: framing, dateLine: dateLine, into: &connection.out)
        connection.closeAfterFlush = true
        connection.lingerOnClose = true
        if context.accessLogEnabled {
            AccessLog.log(context.logger, method: "-", path: "-", status: error.status.code, bytes: bytes, nanoseconds: 0, reason: error.reason)
        }
    }

    // MARK: - Writing

    private func flush(_ connection: Connection) {
        if connection.hasPendingOutput {
            let failed: Bool = connection.out.withUnsafeBytes { buffer in
                while connection.outOffset < buffer.count {
                    let n = send(connection.fd, buffer.baseAddress! + connection.outOffset, buffer.count - connection.outOffset, Int32(MSG_NOSIGNAL))
                    if n > 0 {
                        connection.outOffset += n
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else if n < 0 && errno == EAGAIN {
                        return false
                    } else {
                        return true
                    }
                }
                return false
            }
            if failed {
                closeConnection(connection)
                return
            }
        }
        if !connection.hasPendingOutput {
            // Idle connections should not each keep a large buffer (10,000 of them may be open).
            if connection.out.capacity > 16 * 1024 {
                connection.out = []
            } else {
                connection.out.removeAll(keepingCapacity: true)
            }
            connection.outOffset = 0
            if connection.closeAfterFlush && !connection.awaitingWorker {
                finishClose(connection)
                return
            }
        }
        updateDeadline(connection)
        updateInterest(connection)
    }

    private func finishClose(_ connection: Connection) {
        if connection.lingerOnClose || !connection.parser.isIdle {
            Glibc.shutdown(connection.fd, Int32(SHUT_WR))
            connection.lingering = true
            connection.deadline = now + min(2000, context.headTimeoutMs)
            updateInterest(connection)
        } else {
            closeConnection(connection)
        }
    }

    private func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if connection.lingering {
            wanted = Linux.EPOLLIN | Linux.EPOLLRDHUP
        } else {
            if !connection.awaitingWorker && !connection.closeAfterFlush && !connection.peerClosed
                && connection.out.count - connection.outOffset < Self.maxPendingOutput
            {
                wanted = Linux.EPOLLIN | Linux.EPOLLRDHUP
            }
            if connection.hasPendingOutput { wanted |= Linux.EPOLLOUT }
        }
        guard wanted != connection.interest else { return }
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_MOD, connection.fd, events: wanted, data: UInt64(UInt32(bitPattern: connection.fd))) == 0 {
            connection.interest = wanted
        } else {
            closeConnection(connection)
        }
    }

    // MARK: - Timeouts

    private func updateDeadline(_ connection: Connection) {
        if connection.lingering { return }
        if connection.awaitingWorker {
            connection.deadline = 0
        } else if connection.hasPendingOutput {
            connection.deadline = now + context.idleTimeoutMs
        } else if connection.parser.isIdle {
            connection.deadline = now + context.idleTimeoutMs
            connection.headDeadlineSet = false
        } else if connection.parser.isReadingBody {
            connection.deadline = now + context.headTimeoutMs
        } else if !connection.headDeadlineSet {
            connection.deadline = now + context.headTimeoutMs
            connection.headDeadlineSet = true
        }
    }

    private func sweep() {
        nextSweep = now + sweepInterval
        if !listening && !draining && acceptResumeAt != 0 && now >= acceptResumeAt {
            acceptResumeAt = 0
            startListening()
        }
        for case let connection? in connections where connection.deadline != 0 && connection.deadline <= now {
            if !connection.lingering && !connection.awaitingWorker && !connection.hasPendingOutput && !connection.parser.isIdle {
                // Timed out mid-request (slowloris or a stalled body): say so, best effort.
                var bytes: [UInt8] = []
                let framing = ResponseSerializer.Framing(isHead: false, isHTTP10: false, keepAlive: false)
                ResponseSerializer.write(.text("Request Timeout\n", status: .requestTimeout), framing: framing, dateLine: dateLine, into: &bytes)
                _ = bytes.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
            closeConnection(connection)
        }
    }

    private func closeConnection(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        // close() also removes the fd from the epoll set.
        close(connection.fd)
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        if !connection.rejected { context.releaseConnection() }
        if draining && connectionCount == 0 { reportDrained() }
    }

    // MARK: - Shutdown (called through `execute`)

    /// Stops accepting, closes idle connections and lets in-flight requests finish; calls
    /// `onDrained` once no connection is left.
    func beginDraining(onDrained: @escaping @Sendable () -> Void) {
        draining = true
        self.onDrained = onDrained
        stopListening()
        // Idle connections, and those still sending a head (no request yet, possibly a
        // slowloris), are closed now; requests being read, handled or written finish.
        for case let connection? in connections
        where connection.lingering || connection.rejected
            || (!connection.awaitingWorker && !connection.hasPendingOutput && !connection.parser.isReadingBody)
        {
            closeConnection(connection)
        }
        if connectionCount == 0 { reportDrained() }
    }

    /// The grace period is over: close whatever is left.
    func closeAll() {
        for case let connection? in connections { closeConnection(connection) }
        reportDrained()
    }

    func stop() {
        running = false
    }

    private func reportDrained() {
        let callback = onDrained
        onDrained = nil
        callback?()
    }
}
