@_spi(Testing) import App
import Encodings
import Foundation
import HTTPClient
import HTTPServer
import SessionStore
import Testing

/// After the local session ends, the browser goes on to the provider's end-session
/// endpoint. On another origin that cannot be a redirect: browsers hold a redirect after a
/// form post to the page's CSP `form-action 'self'`, so a page carries it on.
@Suite struct SignOutContinuationTests {
    /// Discovery for a provider at https://login.example, answered in-process.
    struct Provider: HTTPTransport {
        func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
            let base = "https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47"
            let document: [String: JSONValue] = [
                "issuer": .string(base + "/v2.0"), "authorization_endpoint": .string(base + "/oauth2/v2.0/authorize"),
                "token_endpoint": .string(base + "/oauth2/v2.0/token"), "jwks_uri": .string(base + "/discovery/v2.0/keys"),
                "end_session_endpoint": .string(base + "/oauth2/v2.0/logout"),
            ]
            return OutboundResponse(status: 200, body: JSONValue.serialize(document))
        }
    }

    @Test func anotherOriginsEndSessionIsReachedThroughAPage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try WebApp(configuration: TestApp.configuration([
            "SESSION_DIR": directory.path, "CLIENT_ID": "client", "CLIENT_SECRET": "secret",
            "AUTHORITY": "https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47",
        ]), logger: .init(label: "t"), transport: Provider())
        try app.startWithoutListener(port: 5000)
        let session = try app.sessionStore.create { $0.claims = ["sub": "u", "login_hint": "hint", "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47"] }
        let token = SignOutForgeryTests.tokenOnHomePage(app, session)
        let response = try app.send(HTTPRequest(method: .POST, path: "/logout", headers: [
            "Host": "127.0.0.1:5000", "Cookie": "session=\(session.handle.cookieValue)", "Origin": "http://127.0.0.1:5000", "Sec-Fetch-Site": "same-origin",
        ], body: Array("token=\(token)".utf8)))
        #expect(response.status == .ok)
        #expect(response.headers["Location"] == nil)
        let url = "https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2F&amp;logout_hint=hint"
        #expect(response.text.contains(#"<meta http-equiv="refresh" content="0; url=\#(url)">"#))
        #expect(response.text.contains(#"<a class="button" href="\#(url)">Continue</a>"#))
        #expect(response.headers["Set-Cookie"]?.contains("Max-Age=0") == true)
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(try app.sessionStore.load(session.handle) == nil)
    }
}
