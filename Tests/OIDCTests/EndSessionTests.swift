import Foundation
import OIDC
import Testing

/// Sign-out URL: end_session_endpoint with post_logout_redirect_uri and logout_hint, or
/// nil for a local sign-out.
@Suite struct EndSessionTests {
    @Test func entraEndSessionURL() throws {
        let harness = Harness()
        let claims = IDTokenClaims(raw: ["login_hint": "O.abc+/=", "sub": "x"])
        let url = try #require(try harness.client.endSessionURL(postLogoutRedirectURI: "https://app.example/", idTokenClaims: claims))
        #expect(url == harness.idp.authorityURL + "/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&logout_hint=O.abc%2B%2F%3D")
    }

    @Test func noLoginHintClaim() throws {
        let harness = Harness()
        let url = try #require(try harness.client.endSessionURL(postLogoutRedirectURI: "https://app.example/", idTokenClaims: nil))
        #expect(!url.contains("logout_hint"))
    }

    @Test func providerWithoutEndSessionEndpointMeansLocalSignOut() throws {
        let harness = Harness(genericIssuer: "https://idp.example.com")
        #expect(try harness.client.endSessionURL(postLogoutRedirectURI: "https://app.example/", idTokenClaims: nil) == nil)
        harness.idp.endSessionEndpoint = "https://idp.example.com/logout"
        let fresh = Harness(genericIssuer: "https://idp.example.com")
        fresh.idp.endSessionEndpoint = "https://idp.example.com/logout"
        let url = try #require(try fresh.client.endSessionURL(postLogoutRedirectURI: "https://app.example/", idTokenClaims: nil))
        #expect(url == "https://idp.example.com/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&client_id=client-123")
    }
}
