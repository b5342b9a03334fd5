import App
@_spi(Testing) import DevIdentityProvider
import Foundation
import Testing

/// End-to-end, in-process (`RunningApp`): the development provider rotates its signing key
/// or sends tokens naming keys it does not publish; a provider that is down.
@Suite struct KeyRotationEndToEndTests {
    @Test func aRotationRightAfterAGlitchSignsInAtTheFirstAttempt() throws {
        let app = try RunningApp()
        // A token naming a kid nobody publishes (a glitch, or a forgery) is refused...
        app.provider.faults.withLock { $0.unpublishedKeyID = "not-published" }
        let glitch = app.browser()
        #expect(try glitch.follow(app.approve(glitch, authorizeURL: app.startSignIn(glitch), user: "adele")).status == 400)
        try app.expectSignedOut(glitch)
        // ...and seconds later a real rotation still signs the next person in at once.
        app.provider.faults.withLock { $0.unpublishedKeyID = nil }
        try app.provider.rotateSigningKey()
        let home = try app.signIn(app.browser(), as: "adele")
        #expect(home.status == 200)
        #expect(home.body.contains("Welcome, Adele Vance"))
        #expect(app.provider.counters.withLock { $0.keySetsServed } == 3, "first fetch, the glitch's refetch, the rotation's")
    }

    @Test func aStreamOfForgedKeyIDsMakesAtMostTenRefetches() throws {
        let app = try RunningApp()
        for index in 0..<14 {
            app.provider.faults.withLock { $0.unpublishedKeyID = "forged-\(index)" }
            let browser = app.browser()
            #expect(try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")).status == 400)
        }
        #expect(app.provider.counters.withLock { $0.keySetsServed } == 1 + 10)
        #expect(app.log.text.contains("too many refetches for unknown kids recently"))
    }

    @Test func aProviderThatIsDownAtStartIsNotAskedByEveryRequest() throws {
        // A port nothing listens on: the provider is down.
        let closed = try RunningApp()
        let authority = closed.provider.authority(origin: closed.base)
        closed.shutdown()
        let app = try RunningApp(["DEV_IDP": "0", "CLIENT_ID": "client", "CLIENT_SECRET": "secret", "AUTHORITY": authority])
        let started = Date()
        for _ in 0..<20 {
            let page = try app.browser().get("/login")
            #expect(page.status == 502)
            #expect(page.body.contains("The identity provider could not be reached"))
        }
        let elapsed = Date().timeIntervalSince(started)
        let fetches = app.log.count(containing: "OpenID provider metadata could not be fetched")
        #expect(fetches >= 1)
        // One try per 5-second retry interval, however many requests came meanwhile.
        #expect(fetches <= 1 + Int(elapsed / 5), "\(fetches) fetches in \(elapsed) s")
    }
}
