import Glibc
import Logging
import ThreadSupport

/// Reading, parsing and answering requests on an event loop: each request's route is
/// matched once, from its head; its handler runs inline or, for `.blocking` routes, on the
/// worker pool (or the route's own lane); answers always go out in order.
extension EventLoop {
    /// Acts on one epoll event of `connection`.
    func handle(_ connection: Connection, _ flags: UInt32) {
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
            if !connection.closed && connection.pausedForOutput && canProduce(connection) {
                process(connection)
            }
        }
    }

    /// Reads what the client sent (or discards it while lingering) and answers it.
    func readable(_ connection: Connection) {
        if connection.lingering {
            while true {
                let n = read(connection.fd, readBuffer, Self.readBufferSize)
                if n > 0 { continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
                closeConnection(connection)
                return
            }
        }
        let n = read(connection.fd, readBuffer, Self.requestReadSize)
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

    /// Why `answerBuffered` stopped.
    enum ProcessStop {
        /// The next request has not fully arrived.
        case needBytes
        /// Too much output is waiting for the client (or for all clients together).
        case output
        /// A request's answer is being produced (on a worker, or behind a descriptor wait).
        case worker
        /// The connection closes once its output is written.
        case closing
    }

    /// Answers the complete requests buffered on the connection, in order, as far as its
    /// output allows, then writes. When the write empties a connection paused for output,
    /// it carries on with the requests still buffered.
    func process(_ connection: Connection) {
        while true {
            compactOutput(connection)
            let stop = answerBuffered(connection)
            connection.pausedForOutput = stop == .output
            if stop == .needBytes && connection.peerClosed {
                // The client has finished sending; whatever was complete has been answered.
                connection.closeAfterFlush = true
            }
            flush(connection)
            guard !connection.closed, stop == .output, canProduce(connection) else { return }
        }
    }

    /// Takes requests out of the parser and answers them until one of `ProcessStop` holds.
    func answerBuffered(_ connection: Connection) -> ProcessStop {
        while true {
            if connection.closeAfterFlush { return .closing }
            if connection.awaitingAnswer { return .worker }
            if !canProduce(connection) { return .output }
            let event: HTTPParseEvent?
            do {
                event = try connection.parser.next { head in acceptHead(&head, on: connection) }
            } catch {
                connection.route = nil
                respondToParseError(connection, error)
                return .closing
            }
            guard let event else { return .needBytes }
            switch event {
            case .expectContinue:
                connection.out.append(contentsOf: ResponseSerializer.continueResponse)
            case .request(let request, let keepAlive):
                let route = connection.route ?? context.responder.route(for: request)
                connection.route = nil
                dispatch(request, route: route, keepAlive: keepAlive, on: connection)
            }
        }
    }

    /// A request's head has arrived: notes who sent it (trusted proxies' forwarded
    /// headers), matches its route once, and returns the body that route accepts. Runs
    /// inside the parser, before any body byte is taken.
    func acceptHead(_ head: inout HTTPRequest, on connection: Connection) -> Int {
        let route = Exchange.admit(&head, peer: connection.peer, peerText: connection.peerText, proxies: context.proxies,
                                   responder: context.responder)
        connection.route = route
        return route.kind.bodyLimit(for: head.method)
    }

    /// What the loop remembers about a request while its response is being produced.
    struct RequestInfo: Sendable {
        var method: HTTPMethod
        var path: String
        var isHTTP10: Bool
        var keepAlive: Bool
        var startNanos: UInt64
    }

    /// Answers the request: by the route's event-loop attempt first when it has one, else
    /// by its handler, where its kind says.
    func dispatch(_ request: HTTPRequest, route: MatchedRoute, keepAlive: Bool, on connection: Connection) {
        let info = RequestInfo(
            method: request.method, path: request.path,
            isHTTP10: request.version.minor == 0,
            keepAlive: keepAlive && !connection.peerClosed && !context.isShuttingDown,
            startNanos: context.accessLogEnabled ? MonotonicClock.nanoseconds() : 0)
        if let attempt = route.onLoop {
            settle(attempt(request), request, route: route, info: info, on: connection)
        } else {
            runHandler(request, route: route, info: info, on: connection)
        }
    }

    /// Runs the route's handler where its kind says: inline, or on a worker.
    func runHandler(_ request: HTTPRequest, route: MatchedRoute, info: RequestInfo, on connection: Connection) {
        switch route.kind.execution {
        case .eventLoop:
            write(Exchange.run(route.handler, request, logger: context.logger), for: info, to: connection)
        case .worker:
            submitToWorker(request, route.handler, pool: context.workers, info: info, on: connection)
        case .lane(let lane):
            submitToWorker(request, route.handler, pool: lane.pool, info: info, on: connection)
        }
    }

    /// Queues the handler for a thread of `pool`; the connection waits for its answer. A
    /// full queue is answered 503 at once, and so is a job the pool cannot run (no thread
    /// could be started), so the connection stays in step either way.
    func submitToWorker(_ request: HTTPRequest, _ handler: @escaping MatchedRoute.Handler, pool: WorkerPool, info: RequestInfo,
                        on connection: Connection) {
        connection.awaitingAnswer = true
        let fd = connection.fd
        let id = connection.id
        let logger = context.logger
        let job = WorkerPool.Job(
            cancellation: connection.cancellationFlag(),
            run: { [self] in
                let response = Exchange.run(handler, request, logger: logger)
                execute { [self] in finishBlocking(fd: fd, id: id, info: info, response: response) }
            },
            refuse: { [self] in
                execute { [self] in finishBlocking(fd: fd, id: id, info: info, response: Self.busy()) }
            })
        if !pool.submit(job) {
            connection.awaitingAnswer = false
            write(Self.busy(), for: info, to: connection)
        }
    }

    /// 503 for a request the workers cannot take now; the client may retry in a second.
    static func busy() -> HTTPResponse {
        var response = HTTPResponse.text("Service Unavailable\n", status: .serviceUnavailable)
        response.headers["Retry-After"] = "1"
        return response
    }

    /// A worker's answer is back: write it and carry on with what is buffered.
    func finishBlocking(fd: Int32, id: UInt64, info: RequestInfo, response: HTTPResponse) {
        // The client may have gone (and its fd been reused) while the worker ran.
        guard let connection = connection(for: fd), connection.id == id, connection.awaitingAnswer else { return }
        connection.awaitingAnswer = false
        write(response, for: info, to: connection)
        carryOn(connection)
    }

    /// An answer produced away from reading (a worker's, a wait's) is written: carry on with
    /// what is buffered, and close the connection if the server is draining and it is idle.
    func carryOn(_ connection: Connection) {
        process(connection)
        if draining && connection.closed == false && connection.isIdle { closeConnection(connection) }
    }

    /// Appends the response to the connection's output (sent by the next flush).
    func write(_ response: HTTPResponse, for info: RequestInfo, to connection: Connection) {
        // Shutdown may have begun while a worker produced this response.
        let framing = Exchange.framing(for: response, method: info.method, isHTTP10: info.isHTTP10,
                                       keepAlive: info.keepAlive && !draining && !context.isShuttingDown)
        let bytes = ResponseSerializer.write(response, framing: framing, dateLine: dateLine, into: &connection.out)
        if !framing.keepAlive { connection.closeAfterFlush = true }
        connection.deadlinePhase = .answered
        if context.accessLogEnabled {
            AccessLog.log(
                context.logger, method: info.method.rawValue, path: info.path, status: response.status.code,
                bytes: bytes, nanoseconds: MonotonicClock.nanoseconds() &- info.startNanos)
        }
    }

    /// A refused request (malformed, too large, too slow): answer its status, then close,
    /// draining what the client still sends so the answer is not lost to a reset.
    func respondToParseError(_ connection: Connection, _ error: HTTPParseError) {
        let bytes = ResponseSerializer.write(Exchange.refusal(error), framing: Exchange.refusalFraming, dateLine: dateLine,
                                             into: &connection.out)
        connection.closeAfterFlush = true
        connection.lingerOnClose = true
        if context.accessLogEnabled {
            AccessLog.log(context.logger, method: "-", path: "-", status: error.status.code, bytes: bytes, nanoseconds: 0, reason: error.reason)
        }
    }
}
