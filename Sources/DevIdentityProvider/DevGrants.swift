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

/// An access token the provider issued, as `/me` needs to know it.
struct DevIssuedAccessToken: Sendable {
    /// The user it was issued to (`oid`).
    let objectID: String
    /// Its `exp`.
    let expiresAt: Date
    /// It carries the claims a Conditional Access challenge asked for (`acrs`).
    let satisfiesClaimsChallenge: Bool
}

struct DevGrants: Sendable {
    /// Most access tokens remembered; beyond it the oldest are forgotten (and `/me` checks
    /// their signature instead).
    static let maximumAccessTokens = 10_000

    private var codes: [String: DevGrant] = [:]
    private var refreshTokens: [String: DevRefreshGrant] = [:]
    /// Access tokens by the SHA-256 of their text, oldest first in `accessTokenOrder`.
    private var accessTokens: [[UInt8]: DevIssuedAccessToken] = [:]
    private var accessTokenOrder: [[UInt8]] = []

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

    /// Remembers an access token (by `hash`, its SHA-256) it issued, forgetting expired ones
    /// and, past the bound, the oldest.
    mutating func issueAccessToken(hash: [UInt8], _ token: DevIssuedAccessToken, now: Date) {
        if accessTokenOrder.count >= Self.maximumAccessTokens {
            accessTokenOrder.removeAll { key in
                guard let entry = accessTokens[key], entry.expiresAt > now else { accessTokens[key] = nil; return true }
                return false
            }
            while accessTokenOrder.count >= Self.maximumAccessTokens { accessTokens[accessTokenOrder.removeFirst()] = nil }
        }
        accessTokens[hash] = token
        accessTokenOrder.append(hash)
    }

    /// The access token whose SHA-256 is `hash`, if this provider issued it and remembers it.
    func issuedAccessToken(hash: [UInt8]) -> DevIssuedAccessToken? {
        accessTokens[hash]
    }
}
