import Glibc

/// The state of one client connection. Owned by a single event loop and only touched on
/// its thread; worker threads never see it (they get the request and hand back a response).
final class Connection {
    let fd: Int32
    /// Distinguishes this connection from a later one that reuses the same fd number.
    let id: UInt64
    let peer: IPAddress?
    /// Answered 503 over the connection cap: not counted, only lingers until closed.
    let rejected: Bool

    var parser: HTTPRequestParser
    /// Response bytes not yet written, from `outOffset`.
    var out: [UInt8] = []
    var outOffset = 0
    /// The epoll events currently registered.
    var interest: UInt32 = 0
    /// Coarse monotonic ms after which the sweep closes the connection; 0 = none.
    var deadline: UInt64 = 0
    /// The head deadline is fixed when a request starts, not renewed per byte (slowloris).
    var headDeadlineSet = true
    /// A request is out on the worker pool; later pipelined requests wait their turn.
    var awaitingWorker = false
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

    private var cachedPeerText: String?

    init(fd: Int32, id: UInt64, peer: IPAddress?, limits: HTTPParseLimits, rejected: Bool = false) {
        self.fd = fd
        self.id = id
        self.peer = peer
        self.parser = HTTPRequestParser(limits: limits)
        self.rejected = rejected
    }

    var hasPendingOutput: Bool { outOffset < out.count }

    /// The peer address as text, made on first use (most connections never need it twice).
    var peerText: String {
        if let cachedPeerText { return cachedPeerText }
        let text = peer?.description ?? "unknown"
        cachedPeerText = text
        return text
    }

    /// Nothing half-received, nothing in flight, nothing to write.
    var isIdle: Bool { !awaitingWorker && !hasPendingOutput && parser.isIdle }
}
