import Foundation
import HTTPClient
import OIDC
import Testing
import TestSupport

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
        let client = OIDCClient(configuration: configuration, transport: idp, clock: clock.clock, random: CountingRandom(), logger: Harness.quietLogger)
        var cache = try TokenCache(serialized: try loadFixture())
        let account = try #require(cache.accounts.first)

        let cached = try client.acquireTokenSilently(scopes: ["User.Read"], account: account, cache: &cache)
        #expect(cached.accessToken == "msal-fixture-access-token")
        #expect(cached.source == .cache)

        // Past MSAL's refresh_on: the refresh token MSAL stored is redeemed, and the new ID
        // token must describe the same user as the one MSAL cached.
        clock.advance(1800)
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
