import FoundationEssentials
import OIDC
import SessionStore

/// The OIDC values the app keeps in a session, stored as the opaque strings the store holds:
/// pending sign-ins, the MSAL-format token cache, the cache account and a pending claims
/// challenge.
extension Session {
    private static let flowsKey = "oidc"
    private static let accountKey = "homeAccountID"
    private static let claimsChallengeKey = "claimsChallenge"

    var signInFlows: PendingFlows {
        get {
            guard let text = pendingFlows[Self.flowsKey],
                  let flows = try? JSONDecoder().decode(PendingFlows.self, from: Data(text.utf8))
            else { return PendingFlows() }
            return flows
        }
        set {
            if newValue.isEmpty {
                pendingFlows[Self.flowsKey] = nil
            } else if let data = try? JSONEncoder().encode(newValue) {
                pendingFlows[Self.flowsKey] = String(decoding: data, as: UTF8.self)
            }
        }
    }

    var tokens: TokenCache {
        get {
            guard let text = tokenCache, let cache = try? TokenCache(serialized: Array(text.utf8)) else { return TokenCache() }
            return cache
        }
        set { tokenCache = newValue.isEmpty ? nil : String(decoding: newValue.serialized(), as: UTF8.self) }
    }

    /// The cache account of the signed-in user.
    var account: TokenCache.Account? {
        attributes[Self.accountKey].flatMap { tokens.account(homeAccountID: $0) }
    }

    mutating func signIn(_ result: SignInResult, cache: TokenCache) {
        claims = result.claims.raw
        tokens = cache
        attributes[Self.accountKey] = result.account.homeAccountID
    }

    /// A Conditional Access claims request to send with the next sign-in.
    var claimsChallenge: String? {
        get { attributes[Self.claimsChallengeKey] }
        set { attributes[Self.claimsChallengeKey] = newValue }
    }
}
