@testable import HTTPServer
import Foundation
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Routes that answer on the event loop after waiting for a descriptor (`LoopAnswer`): the
/// loop's epoll does the waiting, so the answer comes with every worker busy; a deadline
/// ends a wait nobody answers; `.blocking` hands the request to the handler on a worker;
/// pipelined requests stay in order; a client that leaves gets nothing and costs nothing.
@Suite struct DescriptorWaitTests {
    /// Socket pairs the route waits on: the route keeps one end, the test writes to the other.
    final class Pairs: Sendable {
        private let writers = Mutex<[Int32]>([])
        /// What each resume saw and where it ran.
        let resumes = Mutex<[(outcome: DescriptorWait.Outcome, thread: String)]>([])
        /// The threads the route's handler ran on.
        let handlerThreads = Mutex<[String]>([])

        /// A new pair: the end to wait on; the other end is queued for the test.
        func make() -> Int32 {
            var fds: [Int32] = [0, 0]
            precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            writers.withLock { $0.append(fds[1]) }
            return fds[0]
        }

        /// The writer end of the next pair a request made, once it exists.
        func nextWriter(within seconds: Double = 10) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let fd = writers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return fd }
                usleep(2_000)
            }
            return nil
        }
    }

    /// `/wait`: waits for its pair, then answers with what arrived ("block" hands it to the
    /// handler; nothing yet waits again); its deadline is `timeoutMs` away.
    static func router(_ pairs: Pairs, timeoutMs: UInt64 = 10_000) -> Router {
        let router = Router()
        router.get("/healthz", .nonBlocking) { _ in .text("ok") }
        router.get("/wait", .blocking, onLoop: { request in
            if request.headers["X-Block"] != nil { return .blocking }
            return waitOn(pairs.make(), pairs: pairs, deadline: MonotonicClock.coarseMilliseconds() + timeoutMs)
        }) { _ in
            pairs.handlerThreads.withLock { $0.append(WorkerLaneTests.currentThreadName()) }
            return .text("from the handler")
        }
        return router
    }

    /// Waits for `fd` to be readable, then answers with its bytes.
    static func waitOn(_ fd: Int32, pairs: Pairs, deadline: UInt64) -> LoopAnswer {
        .waiting(DescriptorWait(descriptor: fd, readiness: .readable, deadline: deadline) { outcome in
            pairs.resumes.withLock { $0.append((outcome, WorkerLaneTests.currentThreadName())) }
            guard outcome == .ready else {
                close(fd)
                return .response(.text("timed out", status: HTTPStatus(504, "Gateway Timeout")))
            }
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = read(fd, &bytes, bytes.count)
            if count < 0 && errno == EAGAIN { return waitOn(fd, pairs: pairs, deadline: deadline) }
            close(fd)
            let text = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
            return text == "block" ? .blocking : .response(.text(text))
        })
    }

    @Test func theAnswerComesFromTheLoopWhileEveryWorkerIsBusy() throws {
        let pairs = Pairs()
        let router = Self.router(pairs)
        let release = DispatchSemaphore(value: 0)
        router.get("/stuck", .blocking) { _ in
            release.wait()
            return .text("unstuck")
        }
        let s = try TestServer(router) { $0.workerThreads = 1 }
        defer { release.signal() }
        let stuck = try s.client()
        try stuck.send(get("/stuck"))
        let waiting = try s.client()
        try waiting.send(get("/wait"))
        let writer = try #require(pairs.nextWriter())
        defer { close(writer) }
        #expect(try s.roundTrip(get("/healthz")).status == 200, "the loop serves others while the wait is on")
        _ = write(writer, "hello", 5)
        let response = try waiting.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello")
        let resumes = pairs.resumes.withLock { $0 }
        #expect(resumes.map(\.outcome) == [.ready])
        #expect(resumes.first?.thread.hasPrefix("http-loop-") == true)
        release.signal()
        #expect(try stuck.readResponse().text == "unstuck")
    }

    @Test func aWaitNobodyAnswersEndsAtItsDeadline() throws {
        let pairs = Pairs()
        let s = try TestServer(Self.router(pairs, timeoutMs: 300))
        let client = try s.client()
        let started = Date()
        try client.send(get("/wait"))
        let writer = try #require(pairs.nextWriter())
        defer { close(writer) }
        let response = try client.readResponse()
        #expect(response.status == 504)
        #expect(Date().timeIntervalSince(started) >= 0.25)
        #expect(pairs.resumes.withLock { $0.map(\.outcome) } == [.timedOut])
        // The connection carries on.
        try client.send(get("/healthz"))
        #expect(try client.readResponse().text == "ok")
    }

    @Test func blockingFromTheAttemptOrFromAResumeRunsTheHandlerOnAWorker() throws {
        let pairs = Pairs()
        let s = try TestServer(Self.router(pairs))
        let direct = try s.roundTrip(get("/wait", headers: "X-Block: now\r\n"))
        #expect(direct.text == "from the handler")
        let client = try s.client()
        try client.send(get("/wait"))
        let writer = try #require(pairs.nextWriter())
        defer { close(writer) }
        _ = write(writer, "block", 5)
        #expect(try client.readResponse().text == "from the handler")
        #expect(pairs.handlerThreads.withLock { $0 } == ["http-worker", "http-worker"])
    }

    @Test func pipelinedRequestsBehindAWaitAreAnsweredInOrder() throws {
        let pairs = Pairs()
        let s = try TestServer(Self.router(pairs))
        let client = try s.client()
        try client.send(get("/wait") + get("/healthz") + get("/wait"))
        let first = try #require(pairs.nextWriter())
        defer { close(first) }
        // Nothing may overtake the first answer; the third request waits its turn.
        usleep(100_000)
        #expect(pairs.nextWriter(within: 0.1) == nil, "the third request is not started before the first is answered")
        _ = write(first, "one", 3)
        #expect(try client.readResponse().text == "one")
        #expect(try client.readResponse().text == "ok")
        let third = try #require(pairs.nextWriter())
        defer { close(third) }
        _ = write(third, "three", 5)
        #expect(try client.readResponse().text == "three")
    }

    @Test func aClientThatLeavesWhileWaitingGetsNothingAndTheLoopCarriesOn() throws {
        let pairs = Pairs()
        let s = try TestServer(Self.router(pairs)) { $0.eventLoopThreads = 1 }
        let leaving = try s.client()
        try leaving.send(get("/wait"))
        let writer = try #require(pairs.nextWriter())
        defer { close(writer) }
        leaving.reset()
        // The server notices the close before the wait ends.
        #expect(s.eventually { s.server.openConnectionCount == 0 })
        _ = write(writer, "late", 4)
        #expect(s.eventually { pairs.resumes.withLock { $0.count } == 1 }, "the wait still ends, and lets go of its descriptor")
        #expect(try s.roundTrip(get("/healthz")).text == "ok")
    }

    @Test func aConnectionsEpollDataNeverLooksLikeAWait() {
        for id: UInt64 in [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, .max] {
            let connection = Connection(fd: 7, id: id, peer: nil, client: nil, limits: HTTPParseLimits())
            #expect(connection.epollData & EventLoop.waitTag == 0)
            #expect(UInt32(truncatingIfNeeded: connection.epollData) == 7)
        }
    }
}
