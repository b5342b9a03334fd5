@testable import HTTPServer
import Glibc
import Testing

/// The per-client connection cap: one address cannot take every slot, other addresses are
/// still served, a freed slot can be used again, and trusted proxies are exempt.
@Suite(.serialized) struct ClientCapTests {
    /// Opens a connection and checks it is served.
    func served(_ s: TestServer, from source: String = "127.0.0.1") throws -> RawClient {
        let c = try s.client(source: source)
        try c.send(get("/"))
        #expect(try c.readResponse().status == 200)
        return c
    }

    @Test func oneAddressCannotTakeEverySlot() throws {
        let s = try TestServer(testRouter()) {
            $0.maxConnections = 10
            $0.maxConnectionsPerClient = 3
        }
        let held = try (0..<3).map { _ in try served(s) }
        let fourth = try s.client()
        let refused = try fourth.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(fourth.waitForClose())
        // Another address is another client.
        _ = try served(s, from: "127.0.0.2")
        // A slot given back can be taken again.
        try held[0].send(get("/", headers: "Connection: close\r\n"))
        _ = try held[0].readResponse()
        #expect(held[0].waitForClose())
        #expect(s.eventually { s.server.openConnectionCount == 2 })
        _ = try served(s)
        #expect(s.log.lines.contains { $0.contains("503") && $0.contains("per-client connection limit") })
    }

    @Test func trustedProxiesAreExempt() throws {
        let s = try TestServer(testRouter()) {
            $0.maxConnections = 10
            $0.maxConnectionsPerClient = 2
            $0.trustedProxies = ["127.0.0.1"]
        }
        let held = try (0..<5).map { _ in try served(s) }
        #expect(held.count == 5)
        // The cap still applies to everyone else.
        let others = try (0..<2).map { _ in try served(s, from: "127.0.0.2") }
        let third = try s.client(source: "127.0.0.2")
        #expect(try third.readResponse().status == 503)
        #expect(others.count == 2)
    }

    @Test func theDefaultIsAQuarterOfTheCapAtMost256() {
        #expect(ServerConfiguration(maxConnections: 10_000).effectiveMaxConnectionsPerClient == 256)
        #expect(ServerConfiguration(maxConnections: 40).effectiveMaxConnectionsPerClient == 10)
        #expect(ServerConfiguration(maxConnections: 2).effectiveMaxConnectionsPerClient == 1)
        #expect(ServerConfiguration(maxConnections: 40, maxConnectionsPerClient: 40).effectiveMaxConnectionsPerClient == 40)
    }

    @Test func ipv6ClientsAreCountedByTheir64() throws {
        let a = try #require(IPAddress("2001:db8:1:2::1"))
        let b = try #require(IPAddress("2001:db8:1:2:ffff::9"))
        let other = try #require(IPAddress("2001:db8:1:3::1"))
        #expect(ClientConnectionTable.Key(a) == ClientConnectionTable.Key(b))
        #expect(ClientConnectionTable.Key(a) != ClientConnectionTable.Key(other))
        #expect(ClientConnectionTable.Key(IPAddress("10.0.0.1")!) != ClientConnectionTable.Key(IPAddress("10.0.0.2")!))
        let table = ClientConnectionTable(limit: 2)
        #expect(table.claim(.init(a)) && table.claim(.init(b)))
        #expect(!table.claim(.init(a)))
        #expect(table.claim(.init(other)))
        table.release(.init(b))
        #expect(table.openCount(.init(a)) == 1)
        table.release(.init(a))
        #expect(table.openCount(.init(a)) == 0)
    }
}
