import Encodings
import FoundationEssentials
import OIDC
import SessionStore

/// The signed-in account's tokens, decoded from the session once for the request that
/// needs them (`/graph`): the MSAL-format cache and the account in it.
struct SignedInTokens: Sendable, Equatable {
    /// The token cache as the session holds it.
    var cache: TokenCache
    /// The account the session signed in as.
    let account: TokenCache.Account
}

/// The OIDC values the app keeps in a session: the validated ID token's claims, the token
/// cache (compact MSAL-schema JSON, decoded only where tokens are used, once per request)
/// and the key of the account in it. Kept as text, the cache costs little memory in the
/// store's cache of decoded sessions; decoding it is one pass of `JSONParser`.
extension Session {
    /// The attribute naming the signed-in account in the token cache.
    private static let accountKey = "homeAccountID"

    /// The session's tokens and account, decoded now (routes ask `SessionAccess.tokens(of:)`,
    /// which decodes once per change). Nil when the session holds no usable cache or no
    /// account in it.
    func signedInTokens() -> SignedInTokens? {
        guard let text = tokenCache, let homeAccountID = attributes[Self.accountKey],
              let cache = try? TokenCache(serialized: Array(text.utf8)), let account = cache.account(homeAccountID: homeAccountID)
        else { return nil }
        return SignedInTokens(cache: cache, account: account)
    }

    /// Records a completed sign-in: the user's claims, their tokens and account.
    mutating func signIn(_ result: SignInResult, cache: TokenCache) {
        claims = result.claims.raw
        store(cache)
        attributes[Self.accountKey] = result.account.homeAccountID
    }

    /// Keeps `cache` (after a refresh); an empty cache is dropped.
    mutating func store(_ cache: TokenCache) {
        tokenCache = cache.isEmpty ? nil : String(decoding: cache.json.serialized(pretty: false), as: UTF8.self)
    }
}
