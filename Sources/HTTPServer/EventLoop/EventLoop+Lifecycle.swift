import Glibc
import ThreadSupport

/// Timeouts and shutdown on an event loop: deadlines per connection, a periodic sweep
/// instead of a timer per connection, closing, and draining for a graceful stop.
extension EventLoop {
    /// Sets the deadline for the phase the connection is in, when it enters that phase: a
    /// head must be complete within the head timeout of its first byte, a body by the
    /// absolute deadline its size allows, a response read or an idle connection used again
    /// within the idle timeout. Bytes arriving within a phase (a trickled head or body,
    /// empty lines between requests) never move its deadline; only a client reading its
    /// response (`progressed`) renews the output deadline.
    func updateDeadline(_ connection: Connection, progressed: Bool = false) {
        if connection.lingering { return }
        let phase: Connection.DeadlinePhase
        if connection.awaitingAnswer {
            phase = .worker
        } else if connection.hasPendingOutput {
            phase = .output
        } else if connection.parser.isIdle {
            phase = .idle
        } else if connection.parser.isReadingBody {
            phase = .body
        } else {
            phase = .head
        }
        if connection.deadlinePhase == .firstRequest && (phase == .idle || phase == .head) { return }
        guard phase != connection.deadlinePhase || (phase == .output && progressed) else { return }
        connection.deadlinePhase = phase
        switch phase {
        case .worker, .answered, .firstRequest:
            connection.deadline = 0
        case .output, .idle:
            connection.deadline = now + context.idleTimeoutMs
        case .head:
            connection.deadline = now + context.headTimeoutMs
        case .body:
            let size = UInt64(max(0, connection.parser.bodyBytesExpected ?? 0))
            connection.deadline = now + context.headTimeoutMs + size * 1000 / context.minimumBodyRate
        }
    }

    /// Closes connections past their deadline (408 to one cut off mid-request) and resumes
    /// accepting after a pause; runs every `sweepInterval` instead of a timer per connection.
    func sweep() {
        nextSweep = now + sweepInterval
        if !listening && !draining && acceptResumeAt != 0 && now >= acceptResumeAt {
            acceptResumeAt = 0
            startListening()
        }
        if !waits.isEmpty { expireWaits() }
        for case let connection? in connections where connection.deadline != 0 && connection.deadline <= now {
            if !connection.lingering && !connection.awaitingAnswer && !connection.hasPendingOutput && !connection.parser.isIdle {
                // Timed out mid-request (slowloris or a stalled body): say so, best effort.
                var bytes: [UInt8] = []
                let framing = ResponseSerializer.Framing(isHead: false, isHTTP10: false, keepAlive: false)
                ResponseSerializer.write(.text("Request Timeout\n", status: .requestTimeout), framing: framing, dateLine: dateLine, into: &bytes)
                _ = bytes.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
            closeConnection(connection)
        }
    }

    /// Closes the fd and forgets the connection: its slots are released, its held output
    /// uncounted, and a job of its still waiting for a worker is skipped.
    func closeConnection(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        connection.cancellation?.cancel()
        // close() also removes the fd from the epoll set.
        close(connection.fd)
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        if connection.accountedOutput != 0 {
            context.addBufferedOutput(-connection.accountedOutput)
            connection.accountedOutput = 0
        }
        if connection.rejected {
            lingeringRejects -= 1
        } else {
            context.release(client: connection.client)
        }
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
            || (!connection.awaitingAnswer && !connection.hasPendingOutput && !connection.parser.isReadingBody)
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

    /// Ends the loop after the current iteration.
    func stop() {
        running = false
    }

    /// Tells the server this loop has no connection left (once).
    func reportDrained() {
        let callback = onDrained
        onDrained = nil
        callback?()
    }
}
