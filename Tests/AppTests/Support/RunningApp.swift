@_spi(Testing) import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import HTTPServer
import HTTPServerTesting
import Logging
import SessionStore
import Synchronization
import Testing
import TestSupport

/// The whole app with the development identity provider, its own session directory and a
/// log that keeps every line, walking browsers through sign-in. By default in-process: its
/// responder is driven as the server's event loop would drive it (`InProcessServer`), at an
/// origin of `network`, and the app reaches its provider and Graph over that network too,
/// with no socket and no libcurl (and no session sweeper: tests sweep by hand).
/// `.realServer` starts the real server on 127.0.0.1 with port 0 instead, reached over
/// libcurl (`RealServerTests`).
final class RunningApp: @unchecked Sendable {
    /// How the app is reached.
    enum Mode {
        /// Through its responder, on `RunningApp.network`.
        case inProcess
        /// Over sockets: the real HTTP server, port 0, libcurl both ways.
        case realServer
    }

    /// The network every in-process app of the test process is attached to, so apps reach
    /// each other (a second instance, an app signing in through another's provider) and a
    /// browser reaches them all.
    static let network = InProcessNetwork()

    /// The app the requests reach.
    let app: WebApp
    /// The real server, in `.realServer` mode.
    let server: AppServer?
    /// What drives the app's responder in `.inProcess` mode (to send from another peer).
    let inProcess: InProcessServer?
    /// The port of the app's origin: bound by the real server, or given by `network`.
    let port: Int
    /// Where the app keeps its sessions (removed when the test is done with the app).
    let sessionDirectory: URL
    /// Every line the app (and, in-process, its access log) wrote.
    let log: LogCapture

    /// The app's origin, `http://127.0.0.1:PORT`.
    var base: String { "http://127.0.0.1:\(port)" }
    /// The development provider; there is one only with DEV_IDP on (the default).
    var provider: DevIdentityProvider { app.devIdentityProvider! }

    /// `environment` overrides the defaults (the development provider on, its own session
    /// directory); with SESSION_DIR set, instances share that directory as a deployment of
    /// several instances would.
    init(_ environment: [String: String] = [:], devUsers: [DevUser] = DevUser.demoUsers,
         devAuthorityTenant: String = DevIdentityProvider.tenantID, devFederatedCredential: DevFederatedCredential? = nil,
         clock: @escaping @Sendable () -> Date = Date.init, workerThreads: Int? = nil, mode: Mode = .inProcess) throws {
        sessionDirectory = environment["SESSION_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("e2e-sessions-\(UUID().uuidString)")
        var settings = ["DEV_IDP": "1", "PORT": "0", "HOST": "127.0.0.1", "SESSION_DIR": sessionDirectory.path]
        settings.merge(environment) { _, new in new }
        let configuration = try TestApp.configuration(settings)
        log = LogCapture()
        switch mode {
        case .realServer:
            let server = try AppServer(configuration: configuration, logger: log.logger, clock: clock, devUsers: devUsers,
                                       devAuthorityTenant: devAuthorityTenant, devFederatedCredential: devFederatedCredential,
                                       workerThreads: workerThreads)
            port = try server.start()
            app = server.app
            self.server = server
            inProcess = nil
        case .inProcess:
            app = try WebApp(configuration: configuration, logger: log.logger, transport: Self.network, clock: clock, devUsers: devUsers,
                             devAuthorityTenant: devAuthorityTenant, devFederatedCredential: devFederatedCredential)
            var serverConfiguration = app.serverConfiguration
            if let workerThreads { serverConfiguration.workerThreads = workerThreads }
            let inProcess = try InProcessServer(responder: app.responder, configuration: serverConfiguration, logger: log.logger)
            port = Self.network.attach(inProcess)
            self.inProcess = inProcess
            server = nil
            do {
                try app.startWithoutListener(host: "127.0.0.1", port: port)
            } catch {
                Self.network.detach(port: port)
                throw error
            }
        }
    }

    deinit {
        shutdown()
        try? FileManager.default.removeItem(at: sessionDirectory)
    }

    /// Stops answering: the real server shuts down, an in-process origin refuses
    /// connections from now on (a provider that is down).
    func shutdown() {
        if let server {
            server.shutdown()
        } else {
            Self.network.detach(port: port)
            app.devIdentityProvider?.shutdown()
        }
    }

    /// A new browser, with no cookies yet, at the app's origin.
    func browser() -> Browser { Browser(base: base) }

    /// Another instance signing in through this one's development provider, as a second
    /// instance behind the same load balancer would (`environment` adds to that: a shared
    /// SESSION_DIR or SESSION_STORE).
    func anotherInstance(_ environment: [String: String]) throws -> RunningApp {
        try RunningApp([
            "DEV_IDP": "0", "CLIENT_ID": provider.clientID, "CLIENT_SECRET": provider.clientSecret,
            "AUTHORITY": provider.authority(origin: base), "REDIRECT_URI": base + "/getAToken",
            "GRAPH_ENDPOINT": provider.graphEndpoint(origin: base),
        ].merging(environment) { _, new in new })
    }

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

    /// Starts a sign-in in `browser`, picks `user` on the provider's page and returns the
    /// callback URL the provider redirects to (not visited).
    func callbackURL(_ browser: Browser, as user: String) throws -> String {
        try #require(try approve(browser, authorizeURL: startSignIn(browser), user: user).location)
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
