import App
import HTTPServer
import Testing

/// The page layer: templates, security headers, 404 and 500 pages, health check.
@Suite struct PagesTests {
    @Test func healthCheckAnswersWithATinyBody() throws {
        let app = try TestApp.make()
        let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: "/healthz"))
        #expect(response.status == .ok)
        #expect(response.text == "ok")
    }

    @Test func withoutIdentityConfigurationTheHomePageNamesTheMissingKeys() throws {
        let app = try TestApp.make()
        let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: "/"))
        #expect(response.status == .ok)
        #expect(response.text.contains("Configuration needed"))
        for key in ["CLIENT_ID", "AUTHORITY", "CLIENT_SECRET"] {
            #expect(response.text.contains("<code>\(key)</code>"))
        }
    }

    @Test func everyHTMLPageCarriesTheSecurityHeaders() throws {
        let app = try TestApp.make()
        for path in ["/", "/no-such-page"] {
            let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: path))
            let csp = try #require(response.headers["Content-Security-Policy"])
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(csp.contains("script-src 'self'"))
            #expect(csp.contains("form-action 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(response.headers["X-Content-Type-Options"] == "nosniff")
            #expect(response.headers["Referrer-Policy"] == "no-referrer")
            #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        }
    }

    @Test func unknownPathsGetTheTemplated404() throws {
        let app = try TestApp.make()
        let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: "/missing"))
        #expect(response.status == .notFound)
        #expect(response.text.contains("Page not found"))
        #expect(response.text.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"), "uses the shared layout")
    }

    @Test func staticFilesAreServedFromPublic() throws {
        let app = try TestApp.make()
        let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: "/static/style.css"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/css") == true)
        #expect(response.headers["ETag"] != nil)
    }

    @Test func devIdentityProviderShowsABannerOnEveryPage() throws {
        let app = try TestApp.make(["DEV_IDP": "1"])
        for path in ["/", "/missing"] {
            let response = try app.responder.respond(to: HTTPRequest(method: .GET, path: path))
            #expect(response.text.contains("Development identity provider"))
        }
    }
}

@Suite struct PageRendererTests {
    @Test func valuesAreHTMLEscaped() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let response = pages.render("error", ["heading": "<script>alert(1)</script>", "message": "a \"quoted\" & 'single' <b>"])
        #expect(!response.text.contains("<script>alert(1)</script>"))
        #expect(response.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(response.text.contains("a &quot;quoted&quot; &amp; &#39;single&#39; &lt;b&gt;"))
    }

    /// A quote (or `<`, `&`) followed by a combining mark is one Swift `Character`, which
    /// Mustache's own escaping, going character by character, does not recognise: the quote
    /// would end an attribute. Our escaping works on the bytes.
    @Test func aQuoteFollowedByACombiningMarkIsEscapedToo() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let mark = "\u{301}"
        let hostile = "/x\"" + mark + " autofocus onfocus=alert(1) x=\"" + mark
        let response = pages.render("error", ["heading": "<" + mark + "script>", "message": "&" + mark + "amp;",
                                              "retryURL": hostile, "retryLabel": "Go"])
        let brokenOut = "/x\"" + mark + " autofocus"
        let escapedAttribute = "href=\"/x&quot;" + mark + " autofocus onfocus=alert(1) x=&quot;" + mark + "\""
        let escapedText = ["&lt;" + mark + "script&gt;", "&amp;" + mark + "amp;"]
        #expect(!response.text.contains(brokenOut), "the attribute is not broken out of")
        #expect(response.text.contains(escapedAttribute))
        #expect(escapedText.allSatisfy(response.text.contains))
    }

    @Test func privatePagesAreNotStored() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        #expect(pages.render("index", private: true).headers["Cache-Control"] == "no-store")
    }

    @Test func aMissingTemplateDirectoryNamesTheKey() {
        #expect(throws: ConfigurationError.self) { try PageRenderer(directory: "/nonexistent/templates") }
    }
}

@Suite struct ErrorBoundaryTests {
    struct Failing: HTTPResponder {
        struct Boom: Error {}
        func route(for head: HTTPRequest) -> MatchedRoute { MatchedRoute(kind: .nonBlocking) { _ in throw Boom() } }
    }

    @Test func aThrowingHandlerBecomesTheTemplated500Page() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let boundary = ErrorBoundary(inner: Failing(), pages: pages, logger: .init(label: "test"))
        let response = try boundary.respond(to: HTTPRequest(method: .GET, path: "/x"))
        #expect(response.status == .internalServerError)
        #expect(response.text.contains("Something went wrong"))
        #expect(response.headers["Content-Security-Policy"] != nil)
    }
}
