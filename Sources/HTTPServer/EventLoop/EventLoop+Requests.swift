import Glibc
import Logging

/// Reading, parsing and answering requests on an event loop: inline for ordinary
/// handlers, through the worker pool for those that may block, always in order.
extension EventLoop {
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
        }
    }

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
    func process(_ connection: Connection) {
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
    struct RequestInfo: Sendable {
        var method: HTTPMethod
        var path: String
        var isHTTP10: Bool
        var keepAlive: Bool
        var startNanos: UInt64
    }

    func dispatch(_ parsed: HTTPRequest, keepAlive: Bool, on connection: Connection) {
        var request = parsed
        if let peer = connection.peer {
            request.peerAddress = connection.peerText
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
    static func respond(_ responder: any HTTPResponder, to request: HTTPRequest, logger: Logger) -> HTTPResponse {
        do {
            return try responder.respond(to: request)
        } catch {
            logger.error("Handler failed for \(request.method.rawValue) \(request.path): \(error)")
            return .text("Internal Server Error\n", status: .internalServerError)
        }
    }

    func finishBlocking(fd: Int32, id: UInt64, info: RequestInfo, response: HTTPResponse) {
        // The client may have gone (and its fd been reused) while the worker ran.
        guard let connection = connection(for: fd), connection.id == id, connection.awaitingWorker else { return }
        connection.awaitingWorker = false
        write(response, for: info, to: connection)
        process(connection)
        if draining && connection.closed == false && connection.isIdle { closeConnection(connection) }
    }

    func write(_ response: HTTPResponse, for info: RequestInfo, to connection: Connection) {
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

    static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.headers["Connection"] else { return false }
        return value.utf8.count == 5 && HTTPHeaders.same(value, "close")
    }

    func respondToParseError(_ connection: Connection, _ error: HTTPParseError) {
        let response = HTTPResponse.text("\(error.status.reason)\n", status: error.status)
        let framing = ResponseSerializer.Framing(isHead: false, isHTTP10: false, keepAlive: false)
        let bytes = ResponseSerializer.write(response, framing: framing, dateLine: dateLine, into: &connection.out)
        connection.closeAfterFlush = true
        connection.lingerOnClose = true
        if context.accessLogEnabled {
            AccessLog.log(context.logger, method: "-", path: "-", status: error.status.code, bytes: bytes, nanoseconds: 0, reason: error.reason)
        }
    }
}
