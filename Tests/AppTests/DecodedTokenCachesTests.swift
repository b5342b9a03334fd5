@testable import App
@_spi(Testing) import DevIdentityProvider
import SessionStore
import Testing
import TestSupport

/// `/graph` decodes a session's token cache once per change of it: requests in a row reuse
/// the decoded cache, a refresh (on any instance) is seen at the next request, sign-out
/// forgets it, and the table stays within its capacity.
@Suite struct DecodedTokenCachesTests {
    @Test func graphDecodesTheCacheOncePerChange() throws {
        let clock = TestClock()
        let app = try RunningApp(clock: clock.clock)
        let decoded = app.app.sessions.decodedTokens
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        for _ in 0..<5 { #expect(try browser.get("/graph").status == 200) }
        #expect(decoded.decodeCount == 1, "five requests, one decode")
        #expect(decoded.count == 1)

        // The access token expires: this request refreshes it and the session's cache
        // changes; the next one decodes the new cache, never serving the old entry.
        clock.advance(3400) // within five minutes of its end, inside the hour of idle time
        let before = try #require(try app.session(of: browser)?.tokenCache)
        #expect(try browser.get("/graph").status == 200)
        #expect(try app.session(of: browser)?.tokenCache != before, "the refresh changed the cache")
        #expect(try browser.get("/graph").status == 200)
        #expect(try browser.get("/graph").status == 200)
        #expect(decoded.decodeCount == 2, "one decode for the new cache, then reuse")

        _ = try app.signOut(browser)
        #expect(decoded.count == 0, "sign-out forgets the decoded tokens")
    }

    @Test func theTableKeepsToItsCapacity() throws {
        let app = try RunningApp()
        let small = DecodedTokenCaches(capacity: 2)
        var sessions: [Session] = []
        for user in ["adele", "alex", "adele"] {
            let browser = app.browser()
            try app.signIn(browser, as: user)
            sessions.append(try #require(try app.session(of: browser)))
        }
        for session in sessions { #expect(small.tokens(of: session) != nil) }
        #expect(small.count == 2)
        #expect(small.decodeCount == 3)
        #expect(small.tokens(of: sessions[2]) != nil)
        #expect(small.decodeCount == 3, "the newest entry is still there")
    }
}
