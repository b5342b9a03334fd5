import Glibc

/// Writing responses on an event loop: one send per batch, EPOLLOUT only when the socket
/// is full, and closing (or lingering) once everything is out.
extension EventLoop {
    func flush(_ connection: Connection) {
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

    func updateInterest(_ connection: Connection) {
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
}
