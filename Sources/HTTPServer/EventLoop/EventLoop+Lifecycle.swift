import Glibc

/// Timeouts and shutdown on an event loop: deadlines per connection, a periodic sweep
/// instead of a timer per connection, closing, and draining for a graceful stop.
extension EventLoop {
    func updateDeadline(_ connection: Connection) {
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

    func sweep() {
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

    func closeConnection(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        // close() also removes the fd from the epoll set.
        close(connection.fd)
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        if !connection.rejected { context.releaseConnection() }
        if draining && connectionCount == 0 { reportDrained() }
    }



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

    func reportDrained() {
        let callback = onDrained
        onDrained = nil
        callback?()
    }
}
