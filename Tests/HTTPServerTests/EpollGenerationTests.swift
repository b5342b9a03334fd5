@testable import HTTPServer
import Glibc
import Synchronization
import Testing

/// Epoll events carry the connection's generation: an event left over from a connection
/// that closed cannot act on a new connection that was given the same descriptor.
@Suite(.serialized) struct EpollGenerationTests {
    /// Runs `body` on the loop's thread and returns its result.
    func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> T) throws -> T {
        let result = Mutex<T?>(nil)
        loop.execute { result.withLock { $0 = body() } }
        let deadline = monotonicSeconds() + 10
        while monotonicSeconds() < deadline {
            if let value = result.withLock({ $0 }) { return value }
            sleepSeconds(0.005)
        }
        throw ClientError(description: "the loop did not run the job")
    }

    /// The descriptor and epoll data of the loop's only connection.
    func onlyConnection(_ loop: EventLoop) throws -> (fd: Int32, data: UInt64) {
        try onLoop(loop) {
            let open = loop.connections.compactMap { $0 }
            return open.count == 1 ? (open[0].fd, open[0].epollData) : (-1, 0)
        }
    }

    @Test func aStaleEventCannotCloseTheConnectionThatReusedItsDescriptor() throws {
        let s = try TestServer(testRouter()) { $0.eventLoopThreads = 1 }
        let loop = try #require(s.server.eventLoops.first)
        let first: (fd: Int32, data: UInt64)
        do {
            let a = try s.client()
            try a.send(get("/"))
            #expect(try a.readResponse().status == 200)
            first = try onlyConnection(loop)
        }
        #expect(s.eventually { s.server.openConnectionCount == 0 })

        let b = try s.client()
        try b.send(get("/"))
        #expect(try b.readResponse().status == 200)
        let second = try onlyConnection(loop)
        try #require(first.fd >= 0 && second.fd >= 0)
        // The kernel hands out the lowest free descriptor, so the second connection almost
        // always got the first one's (tests running alongside may open one in between): the
        // stale event is the first connection's generation on the second one's descriptor.
        let stale = UInt64(UInt32(bitPattern: second.fd)) | first.data & 0xFFFF_FFFF_0000_0000
        if second.fd == first.fd { #expect(stale == first.data) }
        #expect(stale != second.data)

        // A hang-up queued for the first connection arrives late.
        let hangUp = Linux.EPOLLHUP | Linux.EPOLLERR | Linux.EPOLLIN
        try onLoop(loop) { loop.dispatchEvent(hangUp, stale) }
        try b.send(get("/"))
        #expect(try b.readResponse().text == "home")

        // The same event with the second connection's own data does reach it.
        try onLoop(loop) { loop.dispatchEvent(hangUp, second.data) }
        #expect(b.waitForClose())
    }
}
