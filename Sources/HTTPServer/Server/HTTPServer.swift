import Dispatch
import Glibc
import Logging
import Synchronization

/// The server: binds the listener, runs one event loop per CPU, and shuts down gracefully
/// (stop accepting, let in-flight requests finish within a grace period, then return).
///
///     let router = Router()
///     router.get("/healthz") { _ in .text("ok") }
///     router.get("/auth/callback", mayBlock: true) { request in try callback(request) }
///     router.mount("/static/", StaticFiles(directory: "Public", prefix: "/static/"))
///     let server = HTTPServer(
///         configuration: ServerConfiguration(host: "127.0.0.1", port: 5000, trustedProxies: ["10.0.0.0/8"]),
///         responder: router, logger: logger)
///     try server.run()  // start, handle SIGINT/SIGTERM, return after a graceful shutdown
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    private let responder: any HTTPResponder
    private let logger: Logger

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

    public init(configuration: ServerConfiguration = ServerConfiguration(), responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
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
            Self.raiseDescriptorLimit()

            let context = try ServerContext(configuration: configuration, responder: responder, logger: logger)
            let listener = try Listener.bind(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            do {
                try acceptBound(listener.address)
            } catch {
                close(listener.fd)
                throw error
            }
            let count = max(1, configuration.eventLoopThreads ?? Linux.availableCPUCount())
            var loops: [EventLoop] = []
            do {
                for i in 0..<count {
                    loops.append(try EventLoop(index: i, context: context, listenFD: listener.fd))
                }
            } catch {
                close(listener.fd)
                throw error
            }
            state.threads = loops.map { loop in
                Threads.start(name: "http-loop-\(loop.index)") { loop.run() }
            }
            state.context = context
            state.listener = listener
            state.loops = loops
            state.phase = .running
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            logger.info("Listening on http://\(host):\(listener.port)")
            return listener.port
        }
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
                    // shutdown() blocks for up to the grace period; keep it off the signal queue.
                    Threads.detach(Threads.start(name: "http-shutdown") { self.shutdown() })
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

    /// 10,000 connections need more descriptors than the usual soft limit of 1,024.
    private static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

public enum ServerError: Error, CustomStringConvertible, Sendable {
    case alreadyStarted

    public var description: String {
        switch self {
        case .alreadyStarted: return "the server has already been started"
        }
    }
}
