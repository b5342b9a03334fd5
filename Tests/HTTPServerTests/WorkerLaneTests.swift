@testable import HTTPServer
import Foundation
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// A route on a lane of its own runs on the lane's threads: while every worker of the pool
/// waits for it (as the app's sign-in callback waits for the development provider's token
/// endpoint), it still answers, and the event loop keeps answering its own routes.
@Suite struct WorkerLaneTests {
    @Test func aLaneAnswersWhileEveryWorkerWaitsForIt() throws {
        let lane = WorkerLane(name: "test-lane", threads: 1, capacity: 8)
        defer { lane.shutdown() }
        let answered = Atomic<Int>(0)
        let threadName = Mutex<String>("")
        let router = Router()
        router.get("/healthz", .nonBlocking) { _ in .text("ok") }
        router.get("/inner", .blocking(on: lane)) { _ in
            threadName.withLock { $0 = Self.currentThreadName() }
            usleep(50_000) // the signing
            answered.add(1, ordering: .relaxed)
            return .text("inner")
        }
        let port = Mutex<Int>(0)
        // A worker handler that waits for a request to /inner on the same server.
        router.get("/outer", .blocking) { _ in
            let client = try RawClient(port: port.withLock { $0 }, timeout: 10)
            try client.send(get("/inner"))
            let inner = try client.readResponse()
            return .text("outer saw \(inner.status)")
        }
        let s = try TestServer(router) { $0.workerThreads = 2 }
        port.withLock { $0 = s.port }
        let clients = try (0..<4).map { _ in try s.client() }
        for client in clients { try client.send(get("/outer")) }
        #expect(try s.roundTrip(get("/healthz")).status == 200, "the loop is free")
        for client in clients {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "outer saw 200")
        }
        #expect(answered.load(ordering: .relaxed) == 4)
        #expect(threadName.withLock { $0 } == "test-lane")
    }

    /// The calling thread's name, as the kernel has it.
    static func currentThreadName() -> String {
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &bytes, bytes.count)
        return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test func aLaneRouteDeclaresItsKind() {
        let lane = WorkerLane(name: "kind-lane", threads: 1, capacity: 1)
        defer { lane.shutdown() }
        let router = Router()
        router.post("/token", .blocking(on: lane)) { _ in .text("t") }
        let route = router.route(for: HTTPRequest(method: .POST, path: "/token"))
        #expect(route.kind.execution == .lane(lane))
        #expect(route.kind != .blocking && route.kind != .nonBlocking)
        #expect(route.kind.bodyLimit(for: .POST) == RouteKind.defaultMaxBodyBytes)
        #expect(RouteKind.blocking(on: lane) != RouteKind.blocking(on: WorkerLane(name: "other", threads: 1, capacity: 1)))
    }
}
