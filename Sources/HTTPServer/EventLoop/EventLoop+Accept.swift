import Glibc

/// Accepting connections on an event loop: the shared listener (EPOLLEXCLUSIVE), the
/// connection caps (503 beyond the server's or the client's) and registering new sockets
/// with epoll.
extension EventLoop {
    /// Watches the shared listener, unless the loop is stopping.
    func startListening() {
        guard !listening, !draining, !context.isShuttingDown else { return }
        // EPOLLEXCLUSIVE: one listener shared by all loops without waking them all per connection.
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, listenFD, events: Linux.EPOLLIN | Linux.EPOLLEXCLUSIVE, data: UInt64(UInt32(bitPattern: listenFD))) == 0 {
            listening = true
        } else {
            context.logger.error("Cannot watch the listening socket: \(Linux.errorString(errno))")
        }
    }

    /// Stops watching the listener (shutdown, or out of descriptors for a moment).
    func stopListening() {
        guard listening else { return }
        _ = Linux.epollCtl(epfd, Linux.EPOLL_CTL_DEL, listenFD, events: 0, data: 0)
        listening = false
    }

    /// Accepts what the listener has (up to 64 at a time, so other events get their turn).
    func acceptConnections() {
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
            switch context.admit(peer) {
            case .serverFull:
                reject(fd, peer: peer, reason: "connection limit")
            case .clientFull:
                reject(fd, peer: peer, reason: "per-client connection limit")
            case .admitted(let client):
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let connection = Connection(fd: fd, id: takeID(), peer: peer, client: client, limits: context.limits)
                // The first request's head is due within the head timeout, empty lines or not.
                connection.deadline = now + context.headTimeoutMs
                register(connection)
            }
        }
    }

    /// A connection id not used before on this loop.
    func takeID() -> UInt64 {
        defer { nextID &+= 1 }
        return nextID
    }

    /// Over this many rejected connections lingering on one loop, a rejected one is closed
    /// at once: a flood of connections over the cap must not use up the descriptors kept
    /// for sessions and outbound calls.
    static let maxLingeringRejects = 64

    /// Over a connection cap: say 503 and close, lingering briefly so the answer is read.
    func reject(_ fd: Int32, peer: IPAddress?, reason: String) {
        var bytes: [UInt8] = []
        var response = HTTPResponse.text("Service Unavailable\n", status: .serviceUnavailable)
        response.headers["Retry-After"] = "1"
        ResponseSerializer.write(response, framing: .init(isHead: false, isHTTP10: false, keepAlive: false), dateLine: dateLine, into: &bytes)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if context.accessLogEnabled {
            context.logger.info("- - 503 \(bytes.count) 0.000ms", metadata: ["reason": "\(reason)"])
        }
        guard lingeringRejects < Self.maxLingeringRejects else {
            close(fd)
            return
        }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        let connection = Connection(fd: fd, id: takeID(), peer: peer, client: nil, limits: context.limits, rejected: true)
        connection.lingering = true
        connection.deadline = now + 1000
        lingeringRejects += 1
        register(connection)
    }

    /// Adds `connection` to the table and to epoll (its events carry its generation).
    func register(_ connection: Connection) {
        let i = Int(connection.fd)
        if i >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(i + 1 - connections.count, connections.count)))
        }
        connections[i] = connection
        connectionCount += 1
        let interest = Linux.EPOLLIN | Linux.EPOLLRDHUP
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, connection.fd, events: interest, data: connection.epollData) != 0 {
            context.logger.error("epoll_ctl(ADD) failed: \(Linux.errorString(errno))")
            closeConnection(connection)
            return
        }
        connection.interest = interest
    }
}
