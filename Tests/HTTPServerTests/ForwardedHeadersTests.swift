@testable import HTTPServer
import Testing

/// X-Forwarded-* honoured from trusted proxies only, walked right to left.
@Suite struct ForwardedHeadersTests {
    func apply(_ headers: HTTPHeaders, peer: String, trusted: [String]) throws -> HTTPRequest {
        var request = HTTPRequest(method: .GET, path: "/", headers: headers)
        let address = try #require(IPAddress(peer))
        ForwardedHeaders.apply(to: &request, peer: address, peerText: address.description, trusted: try TrustedProxies(trusted))
        return request
    }

    @Test func ignoredFromUntrustedPeers() throws {
        let r = try apply(["Host": "h", "X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil"], peer: "5.6.7.8", trusted: [])
        #expect(r.clientAddress == "5.6.7.8")
        #expect(r.scheme == "http")
        #expect(r.host == "h")
    }

    @Test func honouredFromTrustedPeers() throws {
        let r = try apply(["Host": "h", "X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "HTTPS", "X-Forwarded-Host": "app.example"], peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "1.2.3.4")
        #expect(r.scheme == "https")
        #expect(r.host == "app.example")
    }

    @Test func walksRightToLeftOverTrustedHops() throws {
        let headers: HTTPHeaders = ["X-Forwarded-For": "9.9.9.9, 1.2.3.4", "X-Forwarded-For": "10.0.0.5, 10.0.0.6"]
        let r = try apply(headers, peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "1.2.3.4")
    }

    @Test func hopsWithPortsAndIPv6() throws {
        #expect(try apply(["X-Forwarded-For": "[2001:db8::1]:443"], peer: "::1", trusted: ["::1"]).clientAddress == "2001:db8::1")
        #expect(try apply(["X-Forwarded-For": "1.2.3.4:5678"], peer: "::1", trusted: ["::1"]).clientAddress == "1.2.3.4")
    }

    @Test func garbageHopStopsTheWalk() throws {
        let r = try apply(["X-Forwarded-For": "not-an-ip"], peer: "10.0.0.1", trusted: ["10.0.0.0/8"])
        #expect(r.clientAddress == "10.0.0.1")
    }

    @Test func badProtoAndHostAreIgnored() throws {
        let r = try apply(["Host": "h", "X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a b"], peer: "10.0.0.1", trusted: ["10.0.0.1"])
        #expect(r.scheme == "http")
        #expect(r.host == "h")
    }
}
