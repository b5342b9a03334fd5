// What a completed sign-in and a silent token request hand back to the app.
import FoundationEssentials

/// The outcome of a successful callback.
public struct SignInResult: Sendable, Equatable {
    /// The validated ID token's claims: the signed-in user.
    public let claims: IDTokenClaims
    /// The cache account the tokens were stored under; pass it to acquireTokenSilently.
    public let account: TokenCache.Account
    /// The local path the user started from.
    public let returnPath: String
    /// Scopes granted with the access token.
    public let grantedScopes: [String]
}

/// An access token ready to send as `Authorization: Bearer`.
public struct AccessTokenResult: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case cache
        case refresh
    }

    public let accessToken: String
    public let tokenType: String
    public let expiresOn: Date
    public let scopes: [String]
    public let source: Source
    /// Present when a refresh returned a new (validated) ID token.
    public let refreshedIDTokenClaims: IDTokenClaims?
}
