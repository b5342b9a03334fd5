import FoundationEssentials

/// Everything the OIDC client needs to know about this app's registration.
public struct OIDCConfiguration: Sendable {
    public var authority: Authority
    public var clientID: String
    public var credential: ClientCredential
    /// The redirect URI registered for the app, e.g. `https://app.example/getAToken`.
    public var redirectURI: String
    /// API scopes requested in addition to `openid profile offline_access`.
    public var scopes: [String]
    /// Tolerance for clock differences when checking exp, nbf and iat.
    public var clockSkew: TimeInterval
    /// How many sign-in attempts one session may have pending at once.
    public var maximumPendingFlows: Int
    /// How long a sign-in attempt stays redeemable.
    public var flowLifetime: TimeInterval
    /// Which tenants' users may sign in, checked on every ID token (refreshed ones too).
    public var tenants: TenantRestriction

    /// The OpenID scopes every sign-in asks for; offline_access yields a refresh token.
    public static let reservedScopes = ["openid", "profile", "offline_access"]

    public init(authority: Authority, clientID: String, credential: ClientCredential, redirectURI: String,
                scopes: [String] = ["User.Read"], clockSkew: TimeInterval = 300,
                maximumPendingFlows: Int = 5, flowLifetime: TimeInterval = 600, tenants: TenantRestriction = .issuer) {
        self.authority = authority
        self.clientID = clientID
        self.credential = credential
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.clockSkew = clockSkew
        self.maximumPendingFlows = maximumPendingFlows
        self.flowLifetime = flowLifetime
        self.tenants = tenants
    }

    /// The scopes sent on the authorize and token requests: the reserved OpenID scopes
    /// first, then the configured ones, without duplicates.
    func requestScopes(adding extra: [String] = []) -> [String] {
        var result: [String] = []
        for scope in Self.reservedScopes + scopes + extra where !scope.isEmpty && !result.contains(scope) {
            result.append(scope)
        }
        return result
    }
}
