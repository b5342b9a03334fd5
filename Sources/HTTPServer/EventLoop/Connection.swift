import Glibc

/// The state of one client connection. Owned by a single event loop and only touched on
/// its thread; worker threads never see it (they get the request and hand back a response,
/// and may read its cancellation flag).
final class Connection {
    /// The connection's socket.
    let fd: Int32
    /// Distinguishes this connection from a later one that reuses the same fd number; its
    /// low 32 bits travel in each epoll event (see `epollData`).
    let id: UInt64
    /// The TCP peer's address (nil when the kernel gave none).
    let peer: IPAddress?
    /// The per-client entry this connection is counted in (nil: not counted per client).
    let client: ClientConnectionTable.Key?
    /// Answered 503 over a connection cap: not counted, only lingers until closed.
    let rejected: Bool

    /// The requests arriving on the connection.
    var parser: HTTPRequestParser
    /// Response bytes not yet written, from `outOffset`.
    var out: [UInt8] = []
    /// How much of `out` has been sent.
    var outOffset = 0
    /// How many bytes of `out` the server-wide count of held output has been told about.
    var accountedOutput = 0
    /// Requests are buffered but not answered because too much output is waiting; the
    /// connection carries on once its client has read.
    var pausedForOutput = false
    /// The epoll events currently registered.
    var interest: UInt32 = 0
    /// Coarse monotonic ms after which the sweep closes the connection; 0 = none.
    var deadline: UInt64 = 0
    /// What `deadline` was set for: it is set when the connection enters a phase, not on
    /// every read, so trickled bytes and empty lines cannot keep a connection open.
    var deadlinePhase: DeadlinePhase = .firstRequest
    /// The route matched from the current request's head, used once the request is complete.
    var route: MatchedRoute?
    /// A request's answer is being produced away from the loop's reading: on the worker pool,
    /// or behind a descriptor wait (`LoopAnswer.waiting`). Later pipelined requests wait their turn.
    var awaitingAnswer = false
    /// The client shut down its sending side; answer what is buffered, then close.
    var peerClosed = false
    /// Close once `out` has been written.
    var closeAfterFlush = false
    /// After an error response, drain the client's remaining bytes before closing, so the
    /// kernel does not answer unread data with a reset that destroys our response.
    var lingerOnClose = false
    /// Write side shut down; reading and discarding until EOF or the deadline.
    var lingering = false
    /// The fd has been closed; late events and worker results are dropped.
    var closed = false
    /// Made when a request goes to a worker; set on close so the worker skips the job.
    private(set) var cancellation: CancellationFlag?

    /// `peerText`, once made.
    private var cachedPeerText: String?

    /// A connection accepted on `fd` from `peer`.
    init(fd: Int32, id: UInt64, peer: IPAddress?, client: ClientConnectionTable.Key?, limits: HTTPParseLimits, rejected: Bool = false) {
        self.fd = fd
        self.id = id
        self.peer = peer
        self.client = client
        self.parser = HTTPRequestParser(limits: limits)
        self.rejected = rejected
    }

    /// What the connection is waiting for, which decides its deadline.
    enum DeadlinePhase {
        /// Nothing answered yet: the first head is due within the head timeout of the
        /// connection's start, whatever arrives before it.
        case firstRequest
        /// Between requests.
        case idle
        /// Part of a head has arrived.
        case head
        /// A body is arriving.
        case body
        /// A response is waiting for the client to read it.
        case output
        /// A worker or a descriptor wait is producing the response: no deadline here (a
        /// wait has its own).
        case worker
        /// A response was just written: the next phase sets a fresh deadline.
        case answered
    }

    /// The fd with the low 32 bits of `id`, as the epoll event's data: an event queued for
    /// an earlier connection on the same fd number is told apart and ignored.
    /// The top bit stays clear: it marks a descriptor wait's events (`EventLoop.waitTag`).
    var epollData: UInt64 {
        UInt64(UInt32(bitPattern: fd)) | UInt64(UInt32(truncatingIfNeeded: id) & 0x7fff_ffff) << 32
    }

    /// Some response bytes are not sent yet.
    var hasPendingOutput: Bool { outOffset < out.count }

    /// Response bytes written to `out` and not yet sent.
    var pendingOutput: Int { out.count - outOffset }

    /// The peer address as text, made on first use (most connections never need it twice).
    var peerText: String {
        if let cachedPeerText { return cachedPeerText }
        let text = peer?.description ?? "unknown"
        cachedPeerText = text
        return text
    }

    /// The flag a worker job for this connection checks, made on first use.
    func cancellationFlag() -> CancellationFlag {
        if let cancellation { return cancellation }
        let flag = CancellationFlag()
        cancellation = flag
        return flag
    }

    /// Nothing half-received, nothing in flight, nothing to write.
    var isIdle: Bool { !awaitingAnswer && !hasPendingOutput && parser.isIdle }
}
