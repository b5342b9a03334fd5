@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Blocking routes and the worker queue over real sockets: a full queue is a 503 that keeps
/// the connection in step, a job whose client reset before it started never runs, a
/// worker thread that cannot be started is a 503, and a slow blocking handler does not
/// hold up a non-blocking route on the same loop.
@Suite(.serialized) struct WorkerQueueTests {
    /// A gate blocking handlers wait at until the test opens it, and counts of what ran.
    final class Gate: Sendable {
        private let lock = ConditionLock()
        private let state = Mutex<(open: Bool, waiting: Int, counted: Int)>((false, 0, 0))

        /// Blocks until `open()`.
        func pass() {
            state.withLock { $0.waiting += 1 }
            lock.lock()
            while !state.withLock({ $0.open }) { _ = lock.wait(until: MonotonicClock.deadline(after: 0.05)) }
            lock.unlock()
        }

        func open() {
            state.withLock { $0.open = true }
            lock.broadcast()
        }

        var waiting: Int { state.withLock { $0.waiting } }
        func count() { state.withLock { $0.counted += 1 } }
        var counted: Int { state.withLock { $0.counted } }
    }

    /// `/hold` waits at the gate on a worker; `/count` counts on a worker; `/` and
    /// `/healthz` answer on the loop.
    func router(_ gate: Gate) -> Router {
        let router = Router()
        router.get("/", .nonBlocking) { _ in .text("home") }
        router.get("/healthz", .nonBlocking) { _ in .text("ok") }
        router.get("/hold", .blocking) { _ in
            gate.pass()
            return .text("held")
        }
        router.get("/count", .blocking) { _ in
            gate.count()
            return .text("counted")
        }
        return router
    }

    @Test func aFullQueueIs503AndTheConnectionStaysInStep() throws {
        let gate = Gate()
        let s = try TestServer(router(gate)) {
            $0.workerThreads = 1
            $0.workerQueueCapacity = 1
        }
        let running = try s.client()
        try running.send(get("/hold"))
        #expect(s.eventually { gate.waiting == 1 })
        let queued = try s.client()
        try queued.send(get("/hold"))
        #expect(s.eventually { s.server.queuedWorkerJobCount == 1 })
        let refused = try s.client()
        try refused.send(get("/hold"))
        let r = try refused.readResponse()
        #expect(r.status == 503)
        #expect(r.header("Retry-After") == "1")
        #expect(r.header("Connection") == nil)
        try refused.send(get("/"))
        #expect(try refused.readResponse().text == "home")
        gate.open()
        #expect(try running.readResponse().text == "held")
        #expect(try queued.readResponse().text == "held")
    }

    @Test func aJobWhoseClientResetIsNeverRun() throws {
        let gate = Gate()
        let s = try TestServer(router(gate)) { $0.workerThreads = 1 }
        let running = try s.client()
        try running.send(get("/hold"))
        #expect(s.eventually { gate.waiting == 1 })
        let gone = try s.client()
        try gone.send(get("/count"))
        #expect(s.eventually { s.server.queuedWorkerJobCount == 1 })
        gone.reset()
        #expect(s.eventually { s.server.openConnectionCount == 1 })
        gate.open()
        #expect(try running.readResponse().text == "held")
        #expect(s.eventually { s.server.skippedWorkerJobCount == 1 })
        #expect(gate.counted == 0)
        // The route itself works.
        let c = try s.client()
        try c.send(get("/count"))
        #expect(try c.readResponse().text == "counted")
        #expect(gate.counted == 1)
    }

    @Test func noWorkerThreadIsA503NotACrash() throws {
        struct NoThreads: Error {}
        let s = try TestServer(router(Gate()), startWorkerThread: { _ in throw NoThreads() })
        let c = try s.client()
        try c.send(get("/count"))
        let r = try c.readResponse()
        #expect(r.status == 503)
        #expect(r.header("Retry-After") == "1")
        try c.send(get("/"))
        #expect(try c.readResponse().text == "home")
        #expect(s.log.lines.contains { $0.hasPrefix("error") && $0.contains("Cannot start a worker thread") })
    }

    @Test func aSlowBlockingHandlerDoesNotDelayANonBlockingRoute() throws {
        let gate = Gate()
        let s = try TestServer(router(gate)) { $0.eventLoopThreads = 1 }
        let slow = try s.client()
        try slow.send(get("/hold"))
        #expect(s.eventually { gate.waiting == 1 })
        // The one loop answers /healthz while the blocking handler is still held.
        let c = try s.client()
        try c.send(get("/healthz"))
        #expect(try c.readResponse().text == "ok")
        #expect(gate.waiting == 1)
        gate.open()
        #expect(try slow.readResponse().text == "held")
    }
}
