import Glibc

/// Writing responses on an event loop: one send per batch, EPOLLOUT only when the socket
/// is full, output bounded per connection and across connections (a client that does not
/// read is paused), and closing (or lingering) once everything is out.
extension EventLoop {
    /// Sends what the connection has waiting, as far as the socket takes it, then updates
    /// the server-wide count of held output, the deadline and the epoll interest; closes
    /// (or lingers) once everything is out and the connection is done.
    func flush(_ connection: Connection) {
        let before = connection.outOffset
        if connection.hasPendingOutput, !send(connection) {
            closeConnection(connection)
            return
        }
        let progressed = connection.outOffset != before
        if !connection.hasPendingOutput {
            // Idle connections should not each keep a large buffer (10,000 of them may be open).
            if connection.out.capacity > 16 * 1024 {
                connection.out = []
            } else {
                connection.out.removeAll(keepingCapacity: true)
            }
            connection.outOffset = 0
        } else if connection.outOffset >= 64 * 1024 && connection.outOffset * 2 >= connection.out.count {
            // Most of a large batch is out: give back what was sent (amortised, like a ring).
            connection.out.removeSubrange(0..<connection.outOffset)
            connection.outOffset = 0
        }
        account(connection)
        if !connection.hasPendingOutput && connection.closeAfterFlush && !connection.awaitingAnswer {
            finishClose(connection)
            return
        }
        updateDeadline(connection, progressed: progressed)
        updateInterest(connection)
    }

    /// Writes from `outOffset` until done or the socket is full; false when the
    /// connection is broken.
    private func send(_ connection: Connection) -> Bool {
        connection.out.withUnsafeBytes { buffer in
            while connection.outOffset < buffer.count {
                let n = Glibc.send(connection.fd, buffer.baseAddress! + connection.outOffset, buffer.count - connection.outOffset, Int32(MSG_NOSIGNAL))
                if n > 0 {
                    connection.outOffset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else if n < 0 && errno == EAGAIN {
                    return true
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Before more answers are appended behind output the client is still reading, drops
    /// what it has read, so the bytes held are the bytes pending (at most the bound and one
    /// response, a bounded move).
    func compactOutput(_ connection: Connection) {
        guard connection.outOffset > 0, connection.hasPendingOutput, canProduce(connection) else { return }
        connection.out.removeSubrange(0..<connection.outOffset)
        connection.outOffset = 0
    }

    /// Tells the server-wide count how many output bytes this connection holds now.
    func account(_ connection: Connection) {
        let held = connection.out.count
        guard held != connection.accountedOutput else { return }
        context.addBufferedOutput(held - connection.accountedOutput)
        connection.accountedOutput = held
    }

    /// Whether the connection may answer another request now: always when nothing of its
    /// own is waiting; otherwise only while its waiting output is under its bound and all
    /// connections' output together under the server's. A client that does not read thus
    /// gets no more answers (and is not read from) until it does.
    func canProduce(_ connection: Connection) -> Bool {
        let pending = connection.pendingOutput
        if pending == 0 { return true }
        return pending < context.maxPendingOutputPerConnection
            && context.bufferedOutputBytes < context.maxPendingOutputTotal
    }

    /// Everything is out: close, or shut the write side and linger when the client may still
    /// be sending (so our answer is not destroyed by a reset).
    func finishClose(_ connection: Connection) {
        if connection.lingerOnClose || !connection.parser.isIdle {
            Glibc.shutdown(connection.fd, Int32(SHUT_WR))
            connection.lingering = true
            connection.deadline = now + min(2000, context.headTimeoutMs)
            updateInterest(connection)
        } else {
            closeConnection(connection)
        }
    }

    /// Asks epoll for input while the connection can use it (not waiting on a worker or
    /// on its client reading), and for output while some is waiting.
    func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if connection.lingering {
            wanted = Linux.EPOLLIN | Linux.EPOLLRDHUP
        } else {
            if !connection.awaitingAnswer && !connection.closeAfterFlush && !connection.peerClosed
                && !connection.pausedForOutput && canProduce(connection)
            {
                wanted = Linux.EPOLLIN | Linux.EPOLLRDHUP
            }
            if connection.hasPendingOutput { wanted |= Linux.EPOLLOUT }
        }
        guard wanted != connection.interest else { return }
        if Linux.epollCtl(epfd, Linux.EPOLL_CTL_MOD, connection.fd, events: wanted, data: connection.epollData) == 0 {
            connection.interest = wanted
        } else {
            closeConnection(connection)
        }
    }
}
