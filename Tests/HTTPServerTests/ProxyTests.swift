@testable import HTTPServer
import Glibc
import Synchronization
import Testing
import ThreadSupport

/// Forwarded headers over real sockets, from trusted and untrusted peers.
@Suite(.serialized) struct ProxyTests {
    let forwarded = "X-Forwarded-For: 203.0.113.9, 10.0.0.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\n"

    @Test func trustedProxyHeadersAreHonoured() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["127.0.0.0/8", "10.0.0.0/8"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        #expect(r.text == "203.0.113.9 https app.example.com")
    }

    @Test func rightmostUntrustedHopIsTheClient() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["127.0.0.1"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        // 10.0.0.7 is not trusted here, so it is the client; 203.0.113.9 could be forged.
        #expect(r.text.hasPrefix("10.0.0.7 https"))
    }

    @Test func untrustedPeerHeadersAreIgnored() throws {
        let s = try TestServer(testRouter()) { $0.trustedProxies = ["10.0.0.0/8", "::1"] }
        let r = try s.roundTrip(get("/client", headers: forwarded))
        #expect(r.text == "127.0.0.1 http test")
    }

    @Test func invalidTrustedProxyStopsStart() {
        #expect(throws: TrustedProxies.InvalidEntry.self) {
            _ = try TestServer(testRouter()) { $0.trustedProxies = ["10.0.0.0/33"] }
        }
    }

    @Test func cidrMatching() throws {
        let proxies = try TrustedProxies(["10.1.0.0/16", "fd00::/8", "192.168.1.1"])
        #expect(proxies.contains(IPAddress("10.1.200.3")!))
        #expect(!proxies.contains(IPAddress("10.2.0.1")!))
        #expect(proxies.contains(IPAddress("fdab::1")!))
        #expect(!proxies.contains(IPAddress("fe80::1")!))
        #expect(proxies.contains(IPAddress("192.168.1.1")!))
        #expect(proxies.contains(IPAddress("::ffff:192.168.1.1")!))
        #expect(!proxies.contains(IPAddress("192.168.1.2")!))
    }
}
