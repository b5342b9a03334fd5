import Foundation
import HTTPClient
import OIDC
import Testing

/// The token cache against MSAL Python itself: this module reads a cache MSAL wrote (the
/// committed fixture), and MSAL finds the tokens in a cache this module wrote.
@Suite(.enabled(if: MSALPython.shouldRun || MSALPython.announceSkip, "MSAL Python venv missing (.build-venv); run `make test`"))
struct MSALInteropTests {
    @Test func msalFindsTokensInACacheWeWrote() throws {
        try MSALPython.requireAvailable()
        // MSAL's acquire_token_silent uses the real time, so this sign-in does too.
        let clock = TestClock(Date())
        let idp = FakeIdentityProvider(clock: clock)
        let configuration = OIDCConfiguration(authority: try Authority.entra(idp.authorityURL), clientID: idp.clientID,
                                              credential: .secret("s"), redirectURI: "https://app.example/getAToken")
        let client = OIDCClient(configuration: configuration, transport: idp, clock: clock.function, random: CountingRandom(), logger: Harness.quietLogger)
        var flows = PendingFlows()
        var cache = TokenCache()
        let url = try client.beginSignIn(flows: &flows)
        let state = URLComponents(string: url)!.queryDictionary["state"]!
        let idToken = idp.signedIDToken(nonce: flows.flows[0].nonce)
        let response = idp.tokenResponse(idToken: idToken, accessToken: "swift-access", refreshToken: "swift-refresh", refreshIn: 1800)
        idp.onToken { _, _ throws(TransportError) in response }
        let result = try client.completeSignIn(AuthorizationResponse(code: "c", state: state), flows: &flows, cache: &cache)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("oidc-cache-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(cache.serialized()).write(to: file)

        let output = try MSALPython.run(["check", file.path, "--client-id", idp.clientID, "--authority", idp.authorityURL, "--scope", "User.Read"])
        try #require(output.status == 0, "\(output.text)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(output.text.utf8)) as? [String: String])
        #expect(found["home_account_id"] == result.account.homeAccountID)
        #expect(found["username"] == "ada@example.com")
        #expect(found["environment"] == "login.microsoftonline.com")
        #expect(found["access_token"] == "swift-access")
        #expect(found["refresh_token"] == "swift-refresh")
        #expect(found["id_token_sub"] == "subject-abc")
    }

    @Test func committedFixtureIsWhatMSALWrites() throws {
        try MSALPython.requireAvailable()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("msal-fixture-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try MSALPython.run(["generate", file.path])
        try #require(output.status == 0, "\(output.text)")
        let regenerated = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? NSDictionary
        let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: MSALPython.fixtures.appendingPathComponent("msal_written_cache.json"))) as? NSDictionary
        #expect(regenerated != nil && regenerated == committed, "regenerate with: .build-venv/bin/python3 Tests/OIDCTests/Fixtures/msal/msal_cache.py generate Tests/OIDCTests/Fixtures/msal/msal_written_cache.json")
    }
}

/// Reading MSAL's own output needs no Python, so it always runs.
@Suite struct MSALFixtureTests {
    static let fixtureNow: TimeInterval = 1_767_225_600
    static let tenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

    private func loadFixture() throws -> [UInt8] {
        Array(try Data(contentsOf: MSALPython.fixtures.appendingPathComponent("msal_written_cache.json")))
    }

    @Test func readsTheCacheMSALWrote() throws {
        let bytes = try loadFixture()
        let cache = try TokenCache(serialized: bytes)
        let account = try #require(cache.accounts.first)
        #expect(cache.accounts.count == 1)
        #expect(account.homeAccountID == "00000000-0000-0000-66f3-3332eca7ea81.\(Self.tenant)")
        #expect(account.username == "grace@example.com")
        #expect(account.accountSource == "authorization_code")
        #expect(cache.refreshToken(for: account, clientID: "msal-fixture-client")?.secret == "msal-fixture-refresh-token")
        #expect(cache.idToken(for: account, clientID: "msal-fixture-client")?.claims?.name == "Grace Hopper")
        let at = try #require(cache.accessToken(for: account, clientID: "msal-fixture-client", scopes: ["User.Read"]))
        #expect(at.secret == "msal-fixture-access-token")
        #expect(at.refreshOn == "1767227400")

        // Writing it back loses nothing MSAL wrote.
        let original = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        let rewritten = try JSONSerialization.jsonObject(with: Data(cache.serialized())) as? NSDictionary
        #expect(original != nil && original == rewritten)
    }

    @Test func silentAcquisitionWorksOnMSALsCache() throws {
        let clock = TestClock(Date(timeIntervalSince1970: Self.fixtureNow + 60))
        let idp = FakeIdentityProvider(entraTenant: Self.tenant, clientID: "msal-fixture-client", clock: clock)
        let configuration = OIDCConfiguration(authority: try Authority.entra(idp.authorityURL), clientID: "msal-fixture-client",
                                              credential: .secret("s"), redirectURI: "https://app.example/getAToken")
        let client = OIDCClient(configuration: configuration, transport: idp, clock: clock.function, random: CountingRandom(), logger: Harness.quietLogger)
        var cache = try TokenCache(serialized: try loadFixture())
        let account = try #require(cache.accounts.first)

        let cached = try client.acquireTokenSilently(scopes: ["User.Read"], account: account, cache: &cache)
        #expect(cached.accessToken == "msal-fixture-access-token")
        #expect(cached.source == .cache)

        // Past MSAL's refresh_on: the refresh token MSAL stored is redeemed, and the new ID
        // token must describe the same user as the one MSAL cached.
        clock.advance(by: 1800)
        let idToken = idp.signedIDToken(nonce: nil, overrides: [
            "sub": "fixture-subject", "tid": .string(Self.tenant), "aud": "msal-fixture-client",
            "iss": .string("https://login.microsoftonline.com/\(Self.tenant)/v2.0"),
        ])
        let response = idp.tokenResponse(idToken: idToken, accessToken: "rotated-access", refreshToken: "rotated-refresh")
        idp.onToken { _, _ throws(TransportError) in response }
        let refreshed = try client.acquireTokenSilently(scopes: ["User.Read"], account: account, cache: &cache)
        #expect(refreshed.accessToken == "rotated-access")
        #expect(idp.tokenRequests.last?["refresh_token"] == "msal-fixture-refresh-token")
        #expect(cache.refreshToken(for: account, clientID: "msal-fixture-client")?.secret == "rotated-refresh")
    }
}
