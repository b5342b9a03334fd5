import FoundationEssentials

/// The provider's memory of issued authorization codes and refresh tokens: each code is
/// redeemable once, refresh tokens rotate on use.
struct DevGrant: Sendable {
    let user: DevUser
    let clientID: String
    let redirectURI: String
    let scopes: [String]
    let nonce: String?
    let codeChallenge: String
    let wantsClientInfo: Bool
    /// The claims a Conditional Access challenge asked for, satisfied by this grant.
    let claimsRequest: String?
    let expiresAt: Date
}

struct DevRefreshGrant: Sendable {
    let user: DevUser
    let clientID: String
    let scopes: [String]
}

struct DevGrants: Sendable {
    private var codes: [String: DevGrant] = [:]
    private var refreshTokens: [String: DevRefreshGrant] = [:]

    mutating func issueCode(_ code: String, for grant: DevGrant, now: Date) {
        codes = codes.filter { $0.value.expiresAt > now }
        codes[code] = grant
    }

    /// Removes the code whatever happens next, so a replayed code always fails.
    mutating func redeemCode(_ code: String) -> DevGrant? {
        codes.removeValue(forKey: code)
    }

    mutating func issueRefreshToken(_ token: String, for grant: DevRefreshGrant) {
        refreshTokens[token] = grant
    }

    /// Removes the token: the response carries a new one (rotation).
    mutating func redeemRefreshToken(_ token: String) -> DevRefreshGrant? {
        refreshTokens.removeValue(forKey: token)
    }
}
