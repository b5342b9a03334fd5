@testable import HTTPServer
import Glibc
import Testing

/// Clients that pipeline requests and never read: the server stops answering them once
/// their output waits, keeps the total it holds bounded, still serves everyone else, and
/// carries on where it stopped once a client reads.
@Suite(.serialized) struct BackpressureTests {
    static let file = [UInt8](repeating: 0x66, count: 4096)
    static let perConnection = 64 * 1024
    static let total = 512 * 1024

    /// A server whose `/file` answers 4 KB, with small output bounds.
    func server() throws -> TestServer {
        let router = Router()
        router.get("/file", .nonBlocking) { _ in HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: Self.file) }
        return try TestServer(router) {
            $0.maxPendingOutputPerConnection = Self.perConnection
            $0.maxPendingOutputTotal = Self.total
            $0.accessLog = false
        }
    }

    /// 64 KiB of pipelined GETs for the file, and how many there are.
    static let pipelined: (bytes: String, count: Int) = {
        let one = get("/file")
        let count = 64 * 1024 / one.utf8.count
        return (String(repeating: one, count: count), count)
    }()

    /// Waits until the server's held output stops growing, and returns it.
    func settledOutput(_ s: TestServer) -> Int {
        var last = -1
        var stableSince = monotonicSeconds()
        let deadline = monotonicSeconds() + 15
        while monotonicSeconds() < deadline {
            let now = s.server.bufferedOutputBytes
            if now != last {
                last = now
                stableSince = monotonicSeconds()
            } else if monotonicSeconds() - stableSince > 0.5 {
                break
            }
            sleepSeconds(0.05)
        }
        return last
    }

    @Test func nonReadingPipelinersAreBoundedAndOthersAreServed() throws {
        let s = try server()
        let clients = 20
        var readers: [RawClient] = []
        for _ in 0..<clients {
            let c = try s.client(receiveBuffer: 4096)
            try c.send(Self.pipelined.bytes)
            readers.append(c)
        }
        let held = settledOutput(s)
        // Unbounded, the server would make every answer: about 1,500 x 4 KB per client. Each
        // loop may overshoot the total by one connection's bound before it reports, and a
        // connection with nothing waiting is given one more answer.
        let response = Self.file.count + 200
        let loops = s.server.eventLoops.count
        #expect(held > 0)
        #expect(held <= Self.total + loops * (Self.perConnection + response) + clients * 2 * response, "held \(held) bytes")

        // A client with nothing waiting is answered even while the budget is spent.
        let fresh = try s.client()
        try fresh.send(get("/file"))
        #expect(try fresh.readResponse().body == Self.file)

        // A paused client that reads gets every answer, in order, and the server lets go.
        let reader = readers[0]
        for _ in 0..<Self.pipelined.count {
            let r = try reader.readResponse()
            #expect(r.status == 200 && r.body.count == Self.file.count)
        }
        readers.removeAll()
        #expect(s.eventually { s.server.bufferedOutputBytes == 0 })
    }

    @Test func oneNonReaderIsPausedAtItsOwnBound() throws {
        let s = try server()
        let c = try s.client(receiveBuffer: 4096)
        try c.send(Self.pipelined.bytes)
        let held = settledOutput(s)
        #expect(held >= Self.perConnection / 2)
        #expect(held <= Self.perConnection + 2 * (Self.file.count + 200), "held \(held) bytes")
        // Still in step after the pause.
        for _ in 0..<Self.pipelined.count { #expect(try c.readResponse().status == 200) }
        try c.send(get("/file"))
        #expect(try c.readResponse().body == Self.file)
    }
}
