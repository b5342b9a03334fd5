import Dispatch
import Glibc
import ThreadSupport
import Logging
import Synchronization

/// The server: binds the listener, runs one event loop per CPU, and shuts down gracefully
/// (stop accepting, let in-flight requests finish within a grace period, then return).
///
///     let router = Router()
///     router.get("/healthz", .nonBlocking) { _ in .text("ok") }
///     router.get("/auth/callback", .blocking) { request in try callback(request) }
///     router.mount("/static/", StaticFiles(directory: "Public", prefix: "/static/"))
///     let server = HTTPServer(
///         configuration: ServerConfiguration(host: "127.0.0.1", port: 5000, trustedProxies: ["10.0.0.0/8"]),
///         responder: router, logger: logger)
///     try server.run()  // start, handle SIGINT/SIGTERM, return after a graceful shutdown
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    private let responder: any HTTPResponder
    private let logger: Logger
    /// How worker threads are started; tests inject failures.
    private let startWorkerThread: WorkerPool.ThreadStarter?

    private struct State: ~Copyable {
        var phase: Phase = .idle
        var context: ServerContext?
        var listener: Listener?
        var loops: [EventLoop] = []
        var threads: [pthread_t] = []
        var signalSources: [any DispatchSourceSignal] = []
    }

    private enum Phase { case idle, running, stopping, stopped }

    private let state = Mutex<State>(State())
    private let stoppedLock = ConditionLock()
    private nonisolated(unsafe) var stoppedFlag = false  // guarded by stoppedLock

    /// A server that answers with `responder`; `start()` or `run()` binds it.
    public convenience init(configuration: ServerConfiguration = ServerConfiguration(), responder: any HTTPResponder, logger: Logger) {
        self.init(configuration: configuration, responder: responder, logger: logger, startWorkerThread: nil)
    }

    /// The same, with worker threads started by `startWorkerThread` (tests).
    init(configuration: ServerConfiguration, responder: any HTTPResponder, logger: Logger, startWorkerThread: WorkerPool.ThreadStarter?) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.startWorkerThread = startWorkerThread
    }

    /// The port the server listens on: the configured one, or the OS's pick for port 0.
    /// 0 before `start()`.
    public var boundPort: Int {
        state.withLock { $0.listener?.port ?? 0 }
    }

    /// The address the listener is bound to, as `getsockname` reports it (`0.0.0.0` for a
    /// wildcard bind), not the configured host name. Nil before `start()`.
    public var boundAddress: IPAddress? {
        state.withLock { $0.listener?.address }
    }

    /// Connections currently open (for tests and diagnostics).
    public var openConnectionCount: Int {
        state.withLock { $0.context?.connectionCount ?? 0 }
    }

    /// Response bytes held for clients that have not read them yet, across all
    /// connections (for tests and diagnostics); bounded by `maxPendingOutputTotal` plus at
    /// most one response per connection.
    public var bufferedOutputBytes: Int {
        state.withLock { $0.context?.bufferedOutputBytes ?? 0 }
    }

    /// The connection cap in force: `maxConnections`, or fewer when the descriptor limit
    /// leaves less room (0 before `start()`).
    public var connectionCap: Int {
        state.withLock { $0.context?.maxConnections ?? 0 }
    }

    /// Requests of blocking routes skipped because their client had gone before a worker
    /// took them (for tests and diagnostics).
    var skippedWorkerJobCount: Int {
        state.withLock { $0.context?.workers.skippedJobCount ?? 0 }
    }

    /// Requests of blocking routes that a worker thread has run (for tests: which requests
    /// were answered without one).
    package var workerJobsRunCount: Int {
        state.withLock { $0.context?.workers.ranJobCount ?? 0 }
    }

    /// Requests of blocking routes waiting for a worker thread (for tests).
    var queuedWorkerJobCount: Int {
        state.withLock { $0.context?.workers.queuedJobCount ?? 0 }
    }

    /// The event loops, for tests that act on a loop directly.
    var eventLoops: [EventLoop] {
        state.withLock { $0.loops }
    }

    /// Binds and starts the event loops; returns the bound port. Logs
    /// `Listening on http://HOST:PORT`. `acceptBound` sees the bound address before any
    /// connection is accepted; when it throws, the listener is closed and the error rethrown
    /// (the app refuses to serve its development provider on a non-loopback address).
    @discardableResult
    public func start(acceptBound: (IPAddress?) throws -> Void = { _ in }) throws -> Int {
        try state.withLock { state in
            guard case .idle = state.phase else { throw ServerError.alreadyStarted }
            // A client that vanishes must not kill the process on the next write.
            signal(SIGPIPE, SIG_IGN)
            let cap = try DescriptorBudget.connectionCap(for: configuration)
            let context = try ServerContext(
                configuration: configuration, responder: responder, logger: logger, maxConnections: cap.connections,
                startThread: startWorkerThread)
            let listener = try Listener.bind(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            do {
                try acceptBound(listener.address)
            } catch {
                close(listener.fd)
                throw error
            }
            let (loops, threads) = try Self.startLoops(context: context, listener: listener)
            state.threads = threads
            state.context = context
            state.listener = listener
            state.loops = loops
            state.phase = .running
            logger.info("\(cap)")
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            logger.info("Listening on http://\(host):\(listener.port)")
            return listener.port
        }
    }

    /// One event loop per CPU (or as configured), each on its own thread. Stops what it
    /// started and throws when a loop or its thread cannot be made.
    private static func startLoops(context: ServerContext, listener: Listener) throws -> ([EventLoop], [pthread_t]) {
        let count = max(1, context.configuration.eventLoopThreads ?? Linux.availableCPUCount())
        var loops: [EventLoop] = []
        var threads: [pthread_t] = []
        do {
            for i in 0..<count {
                let loop = try EventLoop(index: i, context: context, listenFD: listener.fd)
                loops.append(loop)
                threads.append(try Threads.start(name: "http-loop-\(i)") { loop.run() })
            }
        } catch {
            for loop in loops { loop.execute { loop.stop() } }
            for thread in threads { Threads.join(thread) }
            close(listener.fd)
            throw error
        }
        return (loops, threads)
    }

    /// Starts (if needed), shuts down gracefully on SIGINT or SIGTERM, and returns once the
    /// server has stopped, so the process can exit 0.
    public func run() throws {
        let idle = state.withLock { state -> Bool in
            if case .idle = state.phase { return true }
            return false
        }
        if idle { try start() }
        installSignalHandlers()
        waitUntilStopped()
    }

    /// Makes SIGINT and SIGTERM start a graceful shutdown instead of killing the process.
    public func installSignalHandlers() {
        state.withLock { state in
            guard state.signalSources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [weak self] in
                    guard let self else { return }
                    self.logger.info("Received signal \(signalNumber); shutting down")
                    // shutdown() blocks for up to the grace period; keep it off the signal queue,
                    // unless no thread can be started, when waiting there is better than not stopping.
                    do {
                        try Threads.startDetached(name: "http-shutdown") { self.shutdown() }
                    } catch {
                        self.shutdown()
                    }
                }
                source.resume()
                state.signalSources.append(source)
            }
        }
    }

    /// Blocks until `shutdown()` has completed.
    public func waitUntilStopped() {
        stoppedLock.lock()
        while !stoppedFlag { stoppedLock.wait() }
        stoppedLock.unlock()
    }

    /// Stops accepting, lets in-flight requests finish (answering them with
    /// `Connection: close`) for up to the grace period, closes what is left, and returns
    /// when every loop thread has ended. Safe to call more than once and from any thread
    /// except a handler running on an event loop.
    public func shutdown() {
        let taken = state.withLock { state -> (ServerContext, Listener, [EventLoop], [pthread_t])? in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                return nil
            case .stopping, .stopped:
                return nil
            case .running:
                state.phase = .stopping
                guard let context = state.context, let listener = state.listener else { return nil }
                return (context, listener, state.loops, state.threads)
            }
        }
        guard let (context, listener, loops, threads) = taken else {
            if state.withLock({ if case .stopped = $0.phase { return true } else { return false } }) {
                markStopped()
            }
            waitUntilStopped()
            return
        }

        _ = context.beginShutdown()
        logger.info("Shutting down: no new connections, finishing \(context.connectionCount) open")
        // Refuse new connections at the socket level right away; loops drop it from epoll.
        Glibc.shutdown(listener.fd, Int32(SHUT_RDWR))

        let drained = DispatchGroup()
        for loop in loops {
            drained.enter()
            loop.execute { loop.beginDraining { drained.leave() } }
        }
        let grace = configuration.shutdownGracePeriod.seconds
        if drained.wait(timeout: .now() + grace) == .timedOut {
            logger.warning("Grace period over; closing \(context.connectionCount) connection(s)")
            for loop in loops { loop.execute { loop.closeAll() } }
            _ = drained.wait(timeout: .now() + 5)
        }
        for loop in loops { loop.execute { loop.stop() } }
        for thread in threads { Threads.join(thread) }
        context.workers.shutdown()
        close(listener.fd)
        state.withLock { state in
            state.phase = .stopped
            state.loops = []
            state.threads = []
            for source in state.signalSources { source.cancel() }
            state.signalSources = []
        }
        logger.info("Server stopped")
        markStopped()
    }

    private func markStopped() {
        stoppedLock.withLock { stoppedFlag = true }
        stoppedLock.broadcast()
    }

}

/// Why the server cannot start.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    /// `start()` was called twice.
    case alreadyStarted
    /// The descriptor limit leaves no room for connections after the reserve.
    case descriptorLimitTooLow(limit: Int, reserve: Int)

    /// One line for the log or the terminal.
    public var description: String {
        switch self {
        case .alreadyStarted:
            return "the server has already been started"
        case .descriptorLimitTooLow(let limit, let reserve):
            return "the descriptor limit (RLIMIT_NOFILE) is \(limit), which leaves no room for connections after \(reserve) kept for sessions, outbound calls and the server's own files; raise it (ulimit -n)"
        }
    }
}
