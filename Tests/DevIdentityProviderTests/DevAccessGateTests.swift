@_spi(Testing) import DevIdentityProvider
import Encodings
import HTTPServer
import Testing

/// The development provider on its own (no app, no OIDC client): only a loopback TCP peer
/// talking to it directly, with a loopback Host, gets past its gate.
@Suite struct DevAccessGateTests {
    /// Pages that say which page was drawn, so tests can tell a refusal from an answer.
    static let pages = DevPages(
        authorize: { page in .text("authorize page for \(page.users.count) users\n") },
        message: { heading, _, status in .text("\(heading)\n", status: status) })

    static func provider() throws -> DevIdentityProvider {
        let provider = try DevIdentityProvider(pages: pages)
        provider.configure(origin: "http://127.0.0.1:5000", redirectURI: "http://127.0.0.1:5000/getAToken")
        return provider
    }

    static let discovery = DevIdentityProvider.pathPrefix + DevIdentityProvider.tenantID + "/v2.0/.well-known/openid-configuration"

    static func request(_ path: String = discovery, method: HTTPMethod = .GET, peer: String?, headers: [(String, String)] = [],
                        host: String = "127.0.0.1:5000", body: String = "") -> HTTPRequest {
        HTTPRequest(method: method, path: path, headers: HTTPHeaders([(name: "Host", value: host)] + headers.map { (name: $0.0, value: $0.1) }),
                    body: Array(body.utf8), peerAddress: peer)
    }

    @Test func aDirectLoopbackRequestIsAnswered() throws {
        let provider = try Self.provider()
        for peer in ["127.0.0.1", "127.8.9.10", "::1"] {
            let response = try provider.respond(to: Self.request(peer: peer))
            #expect(response.status == .ok, "\(peer)")
            #expect(String(decoding: response.body, as: UTF8.self).contains("\"issuer\""))
        }
        #expect(try provider.respond(to: Self.request(peer: "127.0.0.1", host: "localhost:5000")).status == .ok)
        #expect(try provider.respond(to: Self.request(peer: "::1", host: "[::1]:5000")).status == .ok)
    }

    @Test func anotherMachineIsRefused() throws {
        let provider = try Self.provider()
        // No peer at all (a request that did not come from a socket) fails closed too.
        for peer in ["192.0.2.2", "10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "0.0.0.0", "unknown", nil] as [String?] {
            let response = try provider.respond(to: Self.request(peer: peer))
            #expect(response.status == .forbidden, "\(peer ?? "nil")")
            #expect(String(decoding: response.body, as: UTF8.self) == "Not available from here\n")
        }
    }

    @Test func anythingAProxyAddsIsRefused() throws {
        let provider = try Self.provider()
        let proxied: [(String, String)] = [
            ("X-Forwarded-For", "203.0.113.7"), ("x-forwarded-for", "127.0.0.1"), ("X-Forwarded-Host", "127.0.0.1"),
            ("X-Forwarded-Proto", "http"), ("X-Forwarded-Port", "5000"), ("Forwarded", "for=203.0.113.7"),
            ("FORWARDED", "for=127.0.0.1"), ("X-Real-IP", "203.0.113.7"),
        ]
        for header in proxied {
            let response = try provider.respond(to: Self.request(peer: "127.0.0.1", headers: [header]))
            #expect(response.status == .forbidden, "\(header.0)")
        }
    }

    @Test func aForeignHostIsRefused() throws {
        // A page on another site whose name was rebound to 127.0.0.1 sends its own Host.
        let provider = try Self.provider()
        for host in ["evil.example", "evil.example:5000", "127.0.0.1.evil.example", "localhost.evil.com:5000", ""] {
            #expect(try provider.respond(to: Self.request(peer: "127.0.0.1", host: host)).status == .forbidden, "\(host)")
        }
    }

    @Test func aRefusedAuthorizeDecisionIssuesNoCode() throws {
        let provider = try Self.provider()
        let body = FormURLEncoding.encode([
            ("client_id", provider.clientID), ("redirect_uri", "http://127.0.0.1:5000/getAToken"), ("response_type", "code"),
            ("scope", "openid profile"), ("state", "s"), ("code_challenge", String(repeating: "a", count: 43)),
            ("code_challenge_method", "S256"), ("user", "adele"),
        ])
        let path = DevIdentityProvider.pathPrefix + DevIdentityProvider.tenantID + "/oauth2/v2.0/authorize"
        let refused = try provider.respond(to: Self.request(path, method: .POST, peer: "127.0.0.1",
                                                            headers: [("X-Forwarded-For", "203.0.113.7")], body: body))
        #expect(refused.status == .forbidden)
        #expect(refused.headers["Location"] == nil)
        let allowed = try provider.respond(to: Self.request(path, method: .POST, peer: "127.0.0.1", body: body))
        #expect(allowed.status == .found)
        #expect(allowed.headers["Location"]?.contains("code=") == true, "the same request, direct, gets its code")
    }
}
