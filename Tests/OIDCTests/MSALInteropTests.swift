import Foundation
import HTTPClient
import OIDC
import Testing
import TestSupport

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
        let client = OIDCClient(configuration: configuration, transport: idp, clock: clock.clock, random: CountingRandom(), logger: Harness.quietLogger)
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
