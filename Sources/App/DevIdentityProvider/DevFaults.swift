import FoundationEssentials

/// Ways the development identity provider can be told to misbehave, so end-to-end tests
/// can show what the app does when a real provider or Graph fails.
public struct DevFaults: Sendable {
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

    public init() {}
}
