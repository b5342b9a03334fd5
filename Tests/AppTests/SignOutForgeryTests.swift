import App
import Encodings
import Foundation
import HTTPClient
import HTTPServer
import SessionStore
import Testing

/// `/logout` through the app's responder: only a same-origin POST carrying the session's own
/// sign-out token ends the session. Every forged request finds the session still there.
@Suite struct SignOutForgeryTests {
    /// An app with a signed-in session and a second, other session.
    final class Fixture {
        let app: WebApp
        let session: Session
        let other: Session
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("signout-\(UUID().uuidString)")
            app = try TestApp.make(["SESSION_DIR": directory.path])
            session = try app.sessionStore.create { $0.claims = ["sub": "victim", "name": "Victim", "preferred_username": "victim@example.com"] }
            other = try app.sessionStore.create { $0.claims = ["sub": "attacker", "name": "Attacker"] }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        var stillSignedIn: Bool { (try? app.sessionStore.load(session.handle)) != nil }

        /// The token the victim's pages carry, read from the page as a browser would.
        func token(of session: Session) throws -> String {
            SignOutForgeryTests.tokenOnHomePage(app, session)
        }

        func request(_ method: HTTPMethod, _ path: String, session: Session?, headers: [(String, String)] = [],
                     form: [(String, String)]? = nil) -> HTTPRequest {
            var fields = [(name: "Host", value: "app.example")] + headers.map { (name: $0.0, value: $0.1) }
            if let session { fields.append((name: "Cookie", value: "session=\(session.handle.cookieValue)")) }
            let body = form.map { pairs in pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&") } ?? ""
            if form != nil { fields.append((name: "Content-Type", value: "application/x-www-form-urlencoded")) }
            return HTTPRequest(method: method, path: path, headers: HTTPHeaders(fields), body: Array(body.utf8))
        }

        func signOut(headers: [(String, String)] = [], token: String?) throws -> HTTPResponse {
            try app.responder.respond(to: request(.POST, "/logout", session: session, headers: headers,
                                                  form: token.map { [("token", $0)] } ?? []))
        }
    }

    /// The sign-out token in `session`'s home page ("" when there is none).
    static func tokenOnHomePage(_ app: WebApp, _ session: Session) -> String {
        let request = HTTPRequest(method: .GET, path: "/", headers: ["Host": "app.example", "Cookie": "session=\(session.handle.cookieValue)"])
        guard let page = try? app.responder.respond(to: request).text,
              let start = page.range(of: #"name="token" value=""#)?.upperBound
        else { return "" }
        return String(page[start...].prefix { $0 != "\"" })
    }

    @Test func aCrossSiteGetChangesNothing() throws {
        let fixture = try Fixture()
        for headers in [[("Sec-Fetch-Site", "cross-site")], [], [("Sec-Fetch-Site", "same-origin")]] {
            let page = try fixture.app.responder.respond(to: fixture.request(.GET, "/logout", session: fixture.session, headers: headers))
            #expect(page.status == .ok)
            #expect(page.text.contains("<button class=\"button\" type=\"submit\">Sign out</button>"), "a page with a Sign out button")
            #expect(page.headers["Set-Cookie"] == nil)
            #expect(fixture.stillSignedIn)
        }
    }

    @Test func aCrossSitePostWithTheRightTokenChangesNothing() throws {
        let fixture = try Fixture()
        let token = try fixture.token(of: fixture.session)
        for site in ["cross-site", "same-site", "none", "CROSS-SITE", "garbage"] {
            let response = try fixture.signOut(headers: [("Sec-Fetch-Site", site), ("Origin", "http://app.example")], token: token)
            #expect(response.status == .forbidden, "\(site)")
            #expect(response.text.contains("You are still signed in"))
            #expect(response.headers["Set-Cookie"] == nil)
            #expect(fixture.stillSignedIn, "\(site)")
        }
    }

    @Test func aForeignOriginChangesNothing() throws {
        let fixture = try Fixture()
        let token = try fixture.token(of: fixture.session)
        for origin in ["https://evil.example", "http://app.example.evil.example", "http://app.example:8080", "https://app.example", ""] {
            let response = try fixture.signOut(headers: [("Origin", origin)], token: token)
            #expect(response.status == .forbidden, "\(origin)")
            #expect(fixture.stillSignedIn, "\(origin)")
        }
    }

    @Test func aPostWithoutTheTokenOrWithAnotherSessionsChangesNothing() throws {
        let fixture = try Fixture()
        let othersToken = try fixture.token(of: fixture.other)
        for token in [nil, "", othersToken, String(repeating: "A", count: 43), try fixture.token(of: fixture.session) + "x"] as [String?] {
            let response = try fixture.signOut(headers: [("Sec-Fetch-Site", "same-origin"), ("Origin", "http://app.example")], token: token)
            #expect(response.status == .forbidden, "\(token ?? "nil")")
            #expect(fixture.stillSignedIn)
        }
        #expect(try fixture.app.sessionStore.load(fixture.other.handle) != nil)
    }

    @Test func theButtonsSameOriginPostSignsOut() throws {
        let fixture = try Fixture()
        let response = try fixture.signOut(headers: [("Sec-Fetch-Site", "same-origin"), ("Origin", "http://app.example")],
                                           token: fixture.token(of: fixture.session))
        #expect(response.status == .seeOther)
        #expect(response.headers["Set-Cookie"]?.contains("Max-Age=0") == true)
        #expect(!fixture.stillSignedIn)
    }

    @Test func anOpaqueOriginIsJudgedByFetchMetadataAndTheToken() throws {
        // What Chromium sends for the button on a page with Referrer-Policy: no-referrer.
        let fixture = try Fixture()
        let token = try fixture.token(of: fixture.session)
        #expect(try fixture.signOut(headers: [("Origin", "null"), ("Sec-Fetch-Site", "cross-site")], token: token).status == .forbidden)
        #expect(try fixture.signOut(headers: [("Origin", "null")], token: nil).status == .forbidden)
        #expect(fixture.stillSignedIn)
        #expect(try fixture.signOut(headers: [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")], token: token).status == .seeOther)
        #expect(!fixture.stillSignedIn)
    }

    @Test func aBrowserSendingNoFetchMetadataStillSignsOutWithTheToken() throws {
        let fixture = try Fixture()
        // Default ports are the same origin whether spelled or not.
        let response = try fixture.signOut(headers: [("Origin", "http://APP.example:80")], token: fixture.token(of: fixture.session))
        #expect(response.status == .seeOther)
        #expect(!fixture.stillSignedIn)
        let second = try Fixture()
        #expect(try second.signOut(token: second.token(of: second.session)).status == .seeOther)
        #expect(!second.stillSignedIn)
    }

    @Test func theTokenIsTiedToTheSessionAndShownOnlyToIt() throws {
        let fixture = try Fixture()
        let token = try fixture.token(of: fixture.session)
        #expect(token.count == 43)
        #expect(token != (try fixture.token(of: fixture.other)))
        for part in fixture.session.handle.cookieValue.split(separator: ".") { #expect(!token.contains(part)) }
        let anonymous = try fixture.app.responder.respond(to: fixture.request(.GET, "/", session: nil)).text
        #expect(!anonymous.contains(#"name="token""#))
    }
}

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
        try app.didStartListening(host: "127.0.0.1", port: 5000)
        let session = try app.sessionStore.create { $0.claims = ["sub": "u", "login_hint": "hint", "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47"] }
        let token = SignOutForgeryTests.tokenOnHomePage(app, session)
        let response = try app.responder.respond(to: HTTPRequest(method: .POST, path: "/logout", headers: [
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
