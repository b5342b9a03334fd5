import HTTPClient
@testable import HTTPServer
import HTTPServerTesting
import Testing

/// The in-process network takes an HTTP client's requests to the server attached at the
/// URL's origin, as libcurl would take them over a socket, and refuses what nothing serves.
@Suite struct InProcessNetworkTests {
    /// A network with the test routes attached at one port; the port.
    static func network() throws -> (InProcessNetwork, Int) {
        let network = InProcessNetwork()
        return (network, network.attach(try InProcessServer(responder: testRouter())))
    }

    @Test func aRequestReachesTheServerAtItsOrigin() throws {
        let (network, port) = try Self.network()
        #expect(InProcessNetwork.ports.contains(port))
        #expect(network.serves("http://127.0.0.1:\(port)/anything"))
        let hello = try network.send(OutboundRequest(url: "http://127.0.0.1:\(port)/hello?name=net#top"))
        #expect(hello.status == 200 && String(decoding: hello.body, as: UTF8.self) == "hello net")
        let client = try network.send(OutboundRequest(url: "http://127.0.0.1:\(port)/client"))
        #expect(String(decoding: client.body, as: UTF8.self) == "127.0.0.1 http 127.0.0.1:\(port)", "Host from the URL")
        let named = try network.send(OutboundRequest(url: "http://127.0.0.1:\(port)/client", headers: ["Host": "evil.example"]))
        #expect(String(decoding: named.body, as: UTF8.self).hasSuffix(" evil.example"), "a Host of the request's own wins")
        let echo = try network.send(OutboundRequest(method: .POST, url: "http://127.0.0.1:\(port)/echo", body: Array("ping".utf8)))
        #expect(echo.body == Array("ping".utf8))
        let head = try network.send(OutboundRequest(method: .HEAD, url: "http://127.0.0.1:\(port)/hello"))
        #expect(head.status == 200 && head.body.isEmpty && head.headers["Content-Length"] == "11")
    }

    @Test func anOriginNothingServesRefusesTheConnection() throws {
        let (network, port) = try Self.network()
        for url in ["http://127.0.0.1:\(port + 1)/", "https://127.0.0.1:\(port)/", "http://localhost:\(port)/", "http://[::1]:\(port)/"] {
            #expect(!network.serves(url), "\(url)")
            #expect(throws: TransportError.self, "\(url)") { try network.send(OutboundRequest(url: url)) }
        }
        #expect(throws: TransportError.connectionRefused(host: "127.0.0.1")) { try network.send(OutboundRequest(url: "http://127.0.0.1:1/x")) }
        #expect(throws: TransportError.invalidURL("unsupported or malformed URL")) { try network.send(OutboundRequest(url: "ftp://127.0.0.1/")) }
        network.detach(port: port)
        #expect(throws: TransportError.connectionRefused(host: "127.0.0.1")) { try network.send(OutboundRequest(url: "http://127.0.0.1:\(port)/")) }
    }

    @Test func aResponseOverTheLimitIsRefusedAsByLibcurl() throws {
        let network = InProcessNetwork(maximumResponseBytes: 3)
        let port = network.attach(try InProcessServer(responder: testRouter()))
        #expect(throws: TransportError.responseTooLarge(limit: 3)) { try network.send(OutboundRequest(url: "http://127.0.0.1:\(port)/")) }
    }

    @Test func everyAttachedServerGetsAPortOfItsOwn() throws {
        let network = InProcessNetwork()
        let server = try InProcessServer(responder: testRouter())
        let ports = (0..<50).map { _ in network.attach(server) }
        #expect(Set(ports).count == 50)
    }
}
