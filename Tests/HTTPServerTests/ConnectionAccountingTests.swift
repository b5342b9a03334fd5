@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Every way a connection ends gives its slot back.
@Suite(.serialized) struct ConnectionAccountingTests {
    @Test func everyConnectionIsReleased() throws {
        let s = try TestServer(testRouter()) { $0.maxConnections = 500 }
        let bad = ["GET / HTTP/1.1\nHost: t\n\n", "BREW / HTTP/1.1\r\nHost: t\r\n\r\n", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n"]
        for i in 0..<60 {
            let c = try s.client()
            switch i % 4 {
            case 0:
                try c.send(get("/", headers: "Connection: close\r\n"))
                _ = try c.readResponse()
            case 1:
                try c.send(bad[i % 3])
                _ = try c.readResponse()
            case 2:
                // Disconnect mid-head.
                try c.send("GET / HTTP/1.1\r\nHo")
            default:
                // Keep-alive, then the client just goes away.
                try c.send(get("/"))
                _ = try c.readResponse()
            }
        }
        let deadline = monotonicSeconds() + 10
        while s.server.openConnectionCount > 0 && monotonicSeconds() < deadline { sleepSeconds(0.05) }
        #expect(s.server.openConnectionCount == 0)
    }
}
