import App
import HTTPServer
import Testing

/// The page layer: templates, security headers, 404 and 500 pages, health check.
@Suite struct PagesTests {
    @Test func healthCheckAnswersWithATinyBody() throws {
        let app = try TestApp.make()
        let response = try app.send(HTTPRequest(method: .GET, path: "/healthz"))
        #expect(response.status == .ok)
        #expect(response.text == "ok")
    }

    @Test func withoutIdentityConfigurationTheHomePageNamesTheMissingKeys() throws {
        let app = try TestApp.make()
        let response = try app.send(HTTPRequest(method: .GET, path: "/"))
        #expect(response.status == .ok)
        #expect(response.text.contains("Configuration needed"))
        for key in ["CLIENT_ID", "AUTHORITY", "CLIENT_SECRET"] {
            #expect(response.text.contains("<code>\(key)</code>"))
        }
    }

    @Test func everyHTMLPageCarriesTheSecurityHeaders() throws {
        let app = try TestApp.make()
        for path in ["/", "/no-such-page"] {
            let response = try app.send(HTTPRequest(method: .GET, path: path))
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
        let response = try app.send(HTTPRequest(method: .GET, path: "/missing"))
        #expect(response.status == .notFound)
        #expect(response.text.contains("Page not found"))
        #expect(response.text.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"), "uses the shared layout")
    }

    @Test func staticFilesAreServedFromPublic() throws {
        let app = try TestApp.make()
        let response = try app.send(HTTPRequest(method: .GET, path: "/static/style.css"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/css") == true)
        #expect(response.headers["ETag"] != nil)
    }

    @Test func devIdentityProviderShowsABannerOnEveryPage() throws {
        let app = try TestApp.make(["DEV_IDP": "1"])
        for path in ["/", "/missing"] {
            let response = try app.send(HTTPRequest(method: .GET, path: path))
            #expect(response.text.contains("Development identity provider"))
        }
    }
}
