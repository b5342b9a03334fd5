import App
import CryptoSupport
@_spi(Testing) import DevIdentityProvider
import Encodings
import Foundation
import Testing

/// End-to-end, in-process (`RunningApp`): a provider (or Graph) answering absurdly or not at
/// all. The server stays up, pages say what to do without transport details, and the
/// callback URL cannot choose the account.
@Suite struct ProviderAnswerEndToEndTests {
    @Test func absurdLifetimesDoNotStopTheServer() throws {
        let app = try RunningApp()
        app.provider.faults.withLock {
            $0.lifetimeFields = ["expires_in": .integer(.max), "ext_expires_in": .string(String(repeating: "9", count: 400)),
                                 "refresh_in": .integer(.min)]
        }
        let browser = app.browser()
        #expect(try app.signIn(browser, as: "adele").body.contains("Welcome, Adele Vance"))
        #expect(try browser.get("/graph").status == 200)
        #expect(try app.browser().get("/healthz").body == "ok", "the process is still serving")
    }

    @Test func anUnreachableProviderPageNamesNoHostAndLogsWhy() throws {
        let app = try RunningApp()
        app.provider.faults.withLock { $0.tokenEndpointUnreachable = true }
        let browser = app.browser()
        let page = try browser.follow(app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele"))
        #expect(page.status == 502)
        #expect(page.body.contains("Please try again in a moment"))
        for detail in ["127.0.0.1:1", "connection refused", "Connection refused", "curl", "port 1"] {
            #expect(!page.body.contains(detail), "\(detail)")
        }
        #expect(app.log.text.contains("detail=token endpoint: connection refused by 127.0.0.1"), "the operator gets the details")
    }

    @Test func anUnreachableGraphPageNamesNoHostAndLogsWhy() throws {
        let app = try RunningApp(["GRAPH_ENDPOINT": "http://127.0.0.1:1/v1.0/me"])
        let browser = app.browser()
        try app.signIn(browser, as: "adele")
        let page = try browser.get("/graph")
        #expect(page.status == 502)
        #expect(page.body.contains("could not be reached. Please try again in a moment."))
        #expect(!page.body.contains("127.0.0.1:1") && !page.body.contains("refused"))
        #expect(app.log.text.contains("connectionRefused"))
    }

    @Test func aForgedClientInfoInTheCallbackURLIsIgnored() throws {
        let forged = Base64URL.encode(Array(#"{"uid":"00000000-0000-0000-0000-00000000dead","utid":"00000000-0000-0000-0000-00000000beef"}"#.utf8))
        for tokenEndpointSendsOne in [true, false] {
            let app = try RunningApp()
            app.provider.faults.withLock { $0.omitClientInfo = !tokenEndpointSendsOne }
            let browser = app.browser()
            let callback = try app.approve(browser, authorizeURL: app.startSignIn(browser), user: "adele")
            let location = try #require(callback.location)
            var components = try #require(URLComponents(string: location))
            components.queryItems = (components.queryItems ?? []).filter { $0.name != "client_info" } + [URLQueryItem(name: "client_info", value: forged)]
            let forgedURL = try #require(components.string)
            let landed = try browser.follow(browser.get(forgedURL))
            #expect(landed.body.contains("Welcome, Adele Vance"))
            let session = try #require(try app.session(of: browser))
            let accountKey = try #require(session.attributes["homeAccountID"])
            #expect(!accountKey.contains("dead") && !accountKey.contains("beef"), "the forged account key was not used")
            // The token endpoint's client_info, or else the validated ID token's subject.
            let adele = DevUser.demoUsers[0].objectID
            let subject = Base64URL.encode(Digest.sha256(adele + app.provider.clientID).prefix(24))
            let expected = tokenEndpointSendsOne ? "\(adele).\(DevIdentityProvider.tenantID)" : subject
            #expect(accountKey == expected)
        }
    }
}
