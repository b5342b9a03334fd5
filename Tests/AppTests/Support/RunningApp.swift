@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import HTTPServer
import Logging
import SessionStore
import Synchronization
import Testing
import TestSupport

/// Starts the whole app in-process on 127.0.0.1 with port 0 and the development identity
/// provider, with its own session directory, and walks browsers through sign-in.
final class RunningApp: @unchecked Sendable {
    let server: AppServer
    let port: Int
    let sessionDirectory: URL
    let log: LogCapture

    var base: String { "http://127.0.0.1:\(port)" }
    var app: WebApp { server.app }
    var provider: DevIdentityProvider { server.app.devIdentityProvider! }

    /// `environment` overrides the defaults (the development provider on, its own session
    /// directory); with SESSION_DIR set, instances share that directory as a deployment of
    /// several instances would.
    init(_ environment: [String: String] = [:], devUsers: [DevUser] = DevUser.demoUsers,
         devAuthorityTenant: String = DevIdentityProvider.tenantID, devFederatedCredential: DevFederatedCredential? = nil,
         clock: @escaping @Sendable () -> Date = Date.init, workerThreads: Int? = nil) throws {
        sessionDirectory = environment["SESSION_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("e2e-sessions-\(UUID().uuidString)")
        var settings = ["DEV_IDP": "1", "PORT": "0", "HOST": "127.0.0.1", "SESSION_DIR": sessionDirectory.path]
        settings.merge(environment) { _, new in new }
        let configuration = try TestApp.configuration(settings)
        log = LogCapture()
        server = try AppServer(configuration: configuration, logger: log.logger, clock: clock, devUsers: devUsers,
                               devAuthorityTenant: devAuthorityTenant, devFederatedCredential: devFederatedCredential,
                               workerThreads: workerThreads)
        port = try server.start()
    }

    deinit {
        server.shutdown()
        try? FileManager.default.removeItem(at: sessionDirectory)
    }

    func browser() -> Browser { Browser(base: base) }

    /// Every byte in the session directory (names and contents of all files).
    func sessionDirectoryBytes() -> [UInt8] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sessionDirectory.path)) ?? []
        return names.flatMap { name in
            Array(name.utf8) + ((try? [UInt8](Data(contentsOf: sessionDirectory.appendingPathComponent(name)))) ?? [])
        }
    }

    /// Every name in the session directory.
    func sessionDirectoryEntries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sessionDirectory.path)) ?? []).sorted()
    }

    /// Session files on disk: 64 hex digits, the store's names (lock files, temporaries,
    /// claims and the generated `secret` aside).
    func sessionFiles() -> [String] {
        sessionDirectoryEntries().filter { $0.utf8.count == 64 && $0.allSatisfy(\.isHexDigit) }
    }

    /// A page a test did not expect, as an error a worker thread can throw.
    struct Unexpected: Error, CustomStringConvertible {
        let page: Browser.Page
        var description: String { "HTTP \(page.status): \(page.body.prefix(200))" }
    }

    /// The session the browser's cookie names, opened by the app's store (nil without one).
    func session(of browser: Browser) throws -> Session? {
        guard let handle = browser.cookies["session"].flatMap(SessionCookie.sessionHandle(fromCookieValue:)) else { return nil }
        return try app.sessionStore.load(handle)
    }

    /// Opens `/login` (moved to the redirect URI's host first, if need be) and returns the
    /// authorize URL it redirects to.
    func startSignIn(_ browser: Browser, next: String? = nil) throws -> String {
        try authorizeURL(browser, from: "/login" + (next.map { "?next=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? ""))
    }

    /// Follows `path`'s redirects until the one to the provider's authorize endpoint, and
    /// returns that URL (not visited).
    func authorizeURL(_ browser: Browser, from path: String) throws -> String {
        var page = try browser.get(path)
        for _ in 0..<3 {
            #expect(page.status == 302, "\(page.url): \(page.body.prefix(300))")
            let location = try #require(page.location, "no redirect from \(page.url)")
            if location.contains("/oauth2/v2.0/authorize") { return location }
            page = try browser.get(location)
        }
        throw Unexpected(page: page)
    }

    /// Picks `user` on the provider's page and returns the provider's redirect to the callback.
    func approve(_ browser: Browser, authorizeURL: String, user: String) throws -> Browser.Page {
        let page = try browser.get(authorizeURL)
        #expect(page.status == 200, "authorize page: \(page.body)")
        let form = try #require(HTML.form(in: page.body))
        let redirect = try browser.post(form.action, form: form.fields + [("user", user)])
        #expect(redirect.status == 302)
        return redirect
    }

    /// Signs out the way a user does: the Sign out button's form (on `/logout`, as in the
    /// layout), posted with its token. Returns the app's answer to the POST.
    @discardableResult
    func signOut(_ browser: Browser) throws -> Browser.Page {
        let confirmation = try browser.get("/logout")
        let form = try #require(HTML.form(in: confirmation.body), "no sign-out form on \(confirmation.body)")
        return try browser.post(form.action, form: form.fields)
    }

    /// Nobody is signed in: the home page is the signed-out one and no session holds claims.
    /// `otherSessions`: how many other browsers are signed in and stay so.
    /// Sessions are sealed, so the browser's own session is opened through the store with its
    /// cookie: if it exists, it holds no user and no tokens.
    func expectSignedOut(_ browser: Browser, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let home = try browser.get("/")
        #expect(home.body.contains("href=\"/login\""), sourceLocation: sourceLocation)
        #expect(!home.body.contains("Welcome"), sourceLocation: sourceLocation)
        #expect(try browser.get("/graph").status == 302, sourceLocation: sourceLocation)
        if let session = try session(of: browser) {
            #expect(!session.isSignedIn, "the session holds a signed-in user", sourceLocation: sourceLocation)
            #expect(session.tokenCache == nil, "the session holds tokens", sourceLocation: sourceLocation)
        }
    }

    /// Makes the provider issue access tokens the app must refresh at once (a minute of
    /// life, under its five-minute margin) and refuse every refresh: a revoked refresh token.
    func revokeRefreshTokens() {
        provider.faults.withLock {
            $0.accessTokenLifetime = 60
            $0.rejectRefreshTokens = true
        }
    }

    /// The whole sign-in; returns the page the browser lands on.
    @discardableResult
    func signIn(_ browser: Browser, as user: String, next: String? = nil) throws -> Browser.Page {
        let authorizeURL = try startSignIn(browser, next: next)
        let callback = try approve(browser, authorizeURL: authorizeURL, user: user)
        return try browser.follow(callback)
    }
}
