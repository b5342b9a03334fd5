import Glibc

/// Descriptor waits of event-loop attempts (`LoopAnswer.waiting`): the descriptor joins this
/// loop's epoll set and its deadline the sweep, and what `resume` returns is acted on as a
/// handler's answer would be. The request's connection waits meanwhile, as it waits for a
/// worker, without any thread sleeping on its behalf.
extension EventLoop {
    /// A wait in progress and the request it answers.
    struct PendingWait {
        var wait: DescriptorWait
        /// What this wait's epoll events carry: the descriptor, `waitTag` and a serial, so a
        /// late event for an earlier wait on the same descriptor number is ignored.
        var epollData: UInt64
        /// The request, and its route, for the handler should a resume answer `.blocking`.
        let request: HTTPRequest
        let route: MatchedRoute
        /// What the answer's framing and access-log line need.
        let info: RequestInfo
        /// The connection the answer goes to, found again as a worker's answer is (its fd,
        /// and its id in case the fd has been reused meanwhile).
        let clientFD: Int32
        let clientID: UInt64
    }

    /// Set in the epoll data of every wait and of no connection (see `Connection.epollData`).
    static let waitTag: UInt64 = 1 << 63

    /// Acts on what a route's attempt (or a wait's `resume`) answered for the request on
    /// `connection`.
    func settle(_ answer: LoopAnswer, _ request: HTTPRequest, route: MatchedRoute, info: RequestInfo, on connection: Connection) {
        switch answer {
        case .response(let response):
            connection.awaitingAnswer = false
            write(response, for: info, to: connection)
        case .blocking:
            connection.awaitingAnswer = false
            runHandler(request, route: route, info: info, on: connection)
        case .waiting(let wait):
            startWait(wait, request, route: route, info: info, on: connection)
        }
    }

    /// Watches the wait's descriptor; the connection waits for its answer. A descriptor
    /// epoll refuses (closed already) leaves the request to the route's blocking handler.
    func startWait(_ wait: DescriptorWait, _ request: HTTPRequest, route: MatchedRoute, info: RequestInfo, on connection: Connection) {
        nextWaitSerial &+= 1
        let data = UInt64(UInt32(bitPattern: wait.descriptor)) | Self.waitTag | UInt64(nextWaitSerial & 0x7fff_ffff) << 32
        let events = wait.readiness == .readable ? Linux.EPOLLIN | Linux.EPOLLRDHUP : Linux.EPOLLOUT
        let refusal: String? = if waits[wait.descriptor] != nil {
            "it is watched already"
        } else if Linux.epollCtl(epfd, Linux.EPOLL_CTL_ADD, wait.descriptor, events: events, data: data) != 0 {
            Linux.errorString(errno)
        } else {
            nil
        }
        if let refusal {
            context.logger.error("Cannot watch descriptor \(wait.descriptor) (\(refusal)); the route's handler answers instead")
            connection.awaitingAnswer = false
            runHandler(request, route: route, info: info, on: connection)
            return
        }
        connection.awaitingAnswer = true
        waits[wait.descriptor] = PendingWait(wait: wait, epollData: data, request: request, route: route, info: info,
                                             clientFD: connection.fd, clientID: connection.id)
    }

    /// The wait on `fd` is over (`outcome` says how): stops watching, resumes it, and acts on
    /// its answer if the client is still there. A client that left gets nothing, and what
    /// the wait held is let go.
    func resumeWait(fd: Int32, data: UInt64, outcome: DescriptorWait.Outcome) {
        guard let pending = waits[fd], pending.epollData == data else { return }
        waits[fd] = nil
        _ = Linux.epollCtl(epfd, Linux.EPOLL_CTL_DEL, fd, events: 0, data: 0)
        let answer = pending.wait.resume(outcome)
        guard let connection = connection(for: pending.clientFD), connection.id == pending.clientID, connection.awaitingAnswer else { return }
        settle(answer, pending.request, route: pending.route, info: pending.info, on: connection)
        if !connection.awaitingAnswer { carryOn(connection) }
    }

    /// Resumes every wait whose deadline has passed with `.timedOut` (called by the sweep).
    func expireWaits() {
        let expired = waits.filter { $0.value.wait.deadline <= now }
        for (fd, pending) in expired { resumeWait(fd: fd, data: pending.epollData, outcome: .timedOut) }
    }
}
