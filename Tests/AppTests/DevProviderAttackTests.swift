import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import HTTPServer
import Testing

/// End-to-end, in-process (`RunningApp`): a request that reached the development provider
/// under another site's name, or from another machine, gets the 403 page. (Through a proxy,
/// with the event loop's own TCP peer: `RealServerTests`.)
@Suite struct DevProviderAttackTests {
    static let discovery = "/_dev/idp/\(DevIdentityProvider.tenantID)/v2.0/.well-known/openid-configuration"

    @Test func anotherSitesHostNameIsRefused() throws {
        // DNS rebinding: a page on evil.example, its name pointed at 127.0.0.1, reaches the port
        // but cannot make its Host say anything else.
        let app = try RunningApp()
        #expect(try app.browser().send(path: Self.discovery, headers: [("Host", "evil.example:\(app.port)")]).status == 403)
        #expect(try app.browser().get(Self.discovery).status == 200)
    }

    @Test func aTCPPeerOnAnotherMachineIsRefused() throws {
        // Sockets in a test can only come from loopback; in-process, the head is admitted
        // from any address, as the event loop admits it from the socket's peer.
        let app = try RunningApp()
        let server = try #require(app.inProcess)
        let request = HTTPRequest(method: .GET, path: Self.discovery, headers: ["Host": "127.0.0.1:\(app.port)"])
        for peer in ["203.0.113.7", "192.168.1.20", "2001:db8::7"] {
            let refused = try server.send(request, from: try #require(IPAddress(peer)))
            #expect(refused.status == .forbidden, "\(peer)")
            #expect(String(decoding: refused.body, as: UTF8.self).contains("Not available from here"))
        }
        #expect(try server.send(request).status == .ok)
        #expect(try server.send(request, from: try #require(IPAddress("::1"))).status == .ok)
    }
}
