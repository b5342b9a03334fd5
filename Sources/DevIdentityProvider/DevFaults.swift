import Encodings
import FoundationEssentials

/// Ways the development identity provider can be told to misbehave, so end-to-end tests
/// can show what the app does when a real provider or Graph fails. Test-only (SPI): the
/// app offers no way to set them.
@_spi(Testing) public struct DevFaults: Sendable {
    /// Sign ID tokens with a key that is not in the JWKS.
    public var badIDTokenSignature = false
    /// Advertise a token endpoint on a closed port (a provider that is down).
    public var tokenEndpointUnreachable = false
    /// Answer every token request with 503 and an Entra error body (an outage on the
    /// provider's side: reachable, but failing).
    public var tokenEndpointFailing = false
    /// Answer refresh requests with invalid_grant (revoked or expired refresh token).
    public var rejectRefreshTokens = false
    /// Lifetime of access tokens; short values make the app refresh.
    public var accessTokenLifetime: TimeInterval = 3600
    /// Make Graph `/me` answer with this status instead of the profile.
    public var graphStatus: Int?
    /// Make Graph `/me` answer 401 with a Conditional Access claims challenge, once per
    /// access token that lacks the challenged claims.
    public var graphClaimsChallenge = false
    /// Issue tokens for this directory (tenant) id, in `tid` and in the issuer, instead of
    /// the demo tenant: a user of another tenant signing in.
    public var tokenTenant: String?
    /// Put this key id in ID token headers (the token is still signed with the real key):
    /// a kid the JWKS does not have, as during a provider glitch or a forged token.
    public var unpublishedKeyID: String?
    /// Replace lifetime fields of the token response (`expires_in`, `ext_expires_in`,
    /// `refresh_in`) with these values, however absurd.
    public var lifetimeFields: [String: JSONValue] = [:]
    /// Leave `client_info` out of the token response, as a generic provider would.
    public var omitClientInfo = false
    /// Spend this long more signing each token response, as a slow machine would: shows
    /// that the signing lane, not the event loop, waits.
    public var tokenSigningDelay: Duration = .zero

    public init() {}
}
